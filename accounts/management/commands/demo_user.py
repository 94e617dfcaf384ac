from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import demo_user_ensure


class Command(BaseCommand):
    help = "Creates (or resets) the local demo account and prints how to log in."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo account is for local development (DEBUG=True) only.")
        user, created = demo_user_ensure(email=settings.DEMO_USER_EMAIL, password=settings.DEMO_USER_PASSWORD)
        verb = "Created" if created else "Reset"
        self.stdout.write(f"{verb} the demo account: email {user.email}  password {settings.DEMO_USER_PASSWORD}")

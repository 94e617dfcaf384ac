from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses, as an app: its maintenance actors (tasks.py), the task admin and the staff monitor."""

    name = "core"
    verbose_name = "HackTheStudy"

    def ready(self) -> None:
        from django.conf import settings

        # Django's upload handler and extraction write their temporary copies here.
        settings.TEMP_DIR.mkdir(parents=True, exist_ok=True)

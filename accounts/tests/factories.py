from __future__ import annotations

from datetime import datetime

import factory
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"student{n}@example.org")
    name = factory.Faker("name")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


def outstanding_tokens(user: User, expiries: dict[str, datetime]) -> None:
    """Refresh-token rows as simplejwt records them, one per jti, with the given expiry."""
    for jti, expires_at in expiries.items():
        OutstandingToken.objects.create(user=user, jti=jti, token=jti, expires_at=expires_at)

from __future__ import annotations

import factory

from accounts.tests.factories import UserFactory
from uploads.models import Upload


class UploadFactory(factory.django.DjangoModelFactory):
    """A ready upload with no file behind it: for tests of what students do with its material."""

    class Meta:
        model = Upload

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Lecture {n}")
    original_name = factory.LazyAttribute(lambda o: f"{o.title}.pdf")
    file = factory.Sequence(lambda n: f"uploads/test/{n}.pdf")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    size = 1000
    kind = Upload.Kind.PDF
    page_count = 10
    language = "en"
    status = Upload.Status.READY

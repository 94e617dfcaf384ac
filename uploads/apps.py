from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    name = "uploads"
    verbose_name = _("Uploads")

    def ready(self) -> None:
        # Declares the app's actors in every process, so another app can send them by name (core.jobs).
        from uploads import tasks  # noqa: F401

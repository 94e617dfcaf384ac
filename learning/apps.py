from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
        # Declares the app's actors in every process, so another app can send them by name (core.jobs).
        from learning import tasks  # noqa: F401

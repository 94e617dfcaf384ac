from django.apps import AppConfig


class HackTheStudyConfig(AppConfig):
    """The project package as an app: its maintenance actors (tasks.py) and the staff monitor."""

    name = "hackthestudy"
    verbose_name = "HackTheStudy"

    def ready(self) -> None:
        from django.conf import settings

        # Django's upload handler and extraction write their temporary copies here.
        settings.TEMP_DIR.mkdir(parents=True, exist_ok=True)

"""WSGI entry point for gunicorn (see Procfile and hackthestudy/gunicorn.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackthestudy.settings")

application = get_wsgi_application()

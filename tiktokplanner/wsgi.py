"""WSGI entry point (gunicorn tiktokplanner.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiktokplanner.settings")

application = get_wsgi_application()

"""gunicorn settings (`gunicorn -c python:hackthestudy.gunicorn hackthestudy.wsgi`)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
# Uploads are streamed to storage; a slow client must not pin a worker forever.
graceful_timeout = 30
forwarded_allow_ips = "*"  # App Platform's proxy sets X-Forwarded-*; the container is not reachable otherwise
accesslog = "-"
errorlog = "-"
_prefix = os.environ.get("LOG_PREFIX", "[API]")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms [req:%({x-request-id}o)s]'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": _prefix + " %(asctime)s %(levelname)s %(name)s [-] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

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

# Prometheus: every gunicorn process writes its metrics to files here, so /metrics (answered by
# any one of them) adds up all of them. The folder is emptied at start; a dead process is marked.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="hts-prometheus-")


def child_exit(server: object, worker: object) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

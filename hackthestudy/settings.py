"""HackTheStudy settings: one file, read from the environment.

Defaults make `make run` work on a laptop (SQLite, local media, Redis on localhost).
Production (DEBUG=False) has no default for secrets and refuses to start without them.
Every variable is listed with a one-line comment in `.env.example`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)

# Production must name these itself: the laptop defaults (SQLite, localhost) would be wrong there.
PRODUCTION_REQUIRED_ENV = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS")
if not DEBUG and (missing := [name for name in PRODUCTION_REQUIRED_ENV if not env(name, default="")]):
    raise ImproperlyConfigured(
        f"{', '.join(missing)} not set. With DEBUG=False HackTheStudy refuses to start without "
        "them. SECRET_KEY must be a long random value, for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only-never-use-this-in-production")
MIN_SECRET_KEY_CHARS = 50  # as Django's own deploy check (security.W009) asks
if not DEBUG and (len(SECRET_KEY) < MIN_SECRET_KEY_CHARS or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        f"SECRET_KEY is too short: {len(SECRET_KEY)} characters. With DEBUG=False HackTheStudy refuses to "
        f"start with fewer than {MIN_SECRET_KEY_CHARS}; use a long random value, for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# Proxies in front of the web process whose X-Forwarded-For is trusted: 0 locally, 1 on App Platform.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_dramatiq",
    "dramatiq_crontab",
    "django_prometheus",
    "axes",
    "core",
    "accounts",
    "uploads",
    "learning",
]

MIDDLEWARE = [
    # First, so platform health checks get an answer whatever their Host header or scheme.
    "core.middleware.HealthCheckMiddleware",
    "core.middleware.RequestIDMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Answers a locked-out login (web, admin, JWT) with AXES_LOCKOUT_CALLABLE's response.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "hackthestudy.urls"
WSGI_APPLICATION = "hackthestudy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the end-to-end tests' worker process must see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}
    # `make run`: web, worker and scheduler write one file. WAL lets readers go on beside a writer,
    # a writer waits for the lock (up to 20 s) instead of failing with "database is locked", and
    # every transaction takes the write lock at its start, so none fails when upgrading later.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from this site only, no
# inline script or style, no framing, forms post only here. The pages keep to it (the browser tests
# fail on any violation); the API docs page (Swagger UI's inline set-up) is exempt.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Redis: cache, throttles, worker heartbeats, and the Dramatiq broker ------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=2.0)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "hts",
        "OPTIONS": {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
        },
    }
}

DRAMATIQ_QUEUES = ("documents", "ai", "maintenance")
DRAMATIQ_BROKER = {
    # Dramatiq's Redis broker; idle workers are woken by a new message instead of polling for it.
    # "dramatiq.brokers.redis.RedisBroker" is Dramatiq's own (polling only; `make bench` compares).
    "BROKER": env("DRAMATIQ_BROKER_CLASS", default="core.worker.broker.WakingRedisBroker"),
    "OPTIONS": {
        "url": REDIS_URL,
        "namespace": env("DRAMATIQ_NAMESPACE", default="dramatiq"),
        # Dramatiq's defaults (60 s, 1 in 1000 commands) left a killed worker's messages
        # unredelivered for 18 minutes. A message comes back once its worker has been silent for
        # heartbeat_timeout AND a command on the same queue draws the maintenance step; an idle
        # worker polls each queue about once a second. 30 s and 1 in 10 measured about 40 s
        # (tests/test_faults_processes.py).
        "heartbeat_timeout": env.int("DRAMATIQ_HEARTBEAT_TIMEOUT_MS", default=30_000),
        "maintenance_chance": env.int("DRAMATIQ_MAINTENANCE_CHANCE", default=100_000),
        "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    },
    # The explicit list replaces Dramatiq's defaults.
    "MIDDLEWARE": [
        "dramatiq.middleware.AgeLimit",
        "dramatiq.middleware.TimeLimit",
        "dramatiq.middleware.ShutdownNotifications",
        "dramatiq.middleware.Callbacks",
        "dramatiq.middleware.Pipelines",
        "dramatiq.middleware.Retries",
        "dramatiq.middleware.CurrentMessage",
        # A Task row per message for the admin (enqueued, running, done, failed...). After Retries:
        # its after-hooks run first, so a retry's enqueue turns the row from failed to delayed.
        "core.worker.runtime.TaskAdminMiddleware",
        "django_dramatiq.middleware.DbConnectionsMiddleware",
        # Messages, durations, errors; served by a forked process on WORKER_METRICS_PORT.
        "dramatiq.middleware.prometheus.Prometheus",
        "core.worker.runtime.MessageContextMiddleware",
        "core.worker.runtime.RunningMessagesMiddleware",
        "core.worker.runtime.WorkerHeartbeatMiddleware",
        "core.worker.runtime.PreloadMiddleware",
    ],
}
WORKER_PRELOAD_MODULES = [
    "uploads.extraction.pdf",
    "uploads.extraction.docx",
    "uploads.extraction.pptx",
    "learning.generation.offline",
    "yake",
]
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]

# Dramatiq's Prometheus middleware reads these (lower-case) names when it is imported.
WORKER_METRICS_HOST = env("WORKER_METRICS_HOST", default="127.0.0.1")
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=9191)
os.environ["dramatiq_prom_host"] = WORKER_METRICS_HOST  # noqa: SIM112 - dramatiq spells it so
os.environ["dramatiq_prom_port"] = str(WORKER_METRICS_PORT)  # noqa: SIM112
# An idle worker polls each queue at least this often (Dramatiq's default 1000 ms made the hop
# from send to actor start ~360 ms at the median; 100 ms gave ~30 ms). Dramatiq reads it at start.
WORKER_POLL_MS = env.int("WORKER_POLL_MS", default=100)
os.environ["dramatiq_worker_timeout"] = str(WORKER_POLL_MS)  # noqa: SIM112
if sys.argv[1:2] == ["rundramatiq"] and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # The worker processes count into files that the exposition process adds up. All of them are
    # started by `manage.py rundramatiq` and inherit its environment, so the folder is chosen here,
    # fresh per run (old counts must not add up), before django-prometheus imports prometheus_client.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="hts-worker-metrics-")
    os.environ["dramatiq_prom_db"] = os.environ["PROMETHEUS_MULTIPROC_DIR"]  # noqa: SIM112

# Maintenance (actors on the maintenance queue, scheduled by `manage.py crontab`).
DRAMATIQ_CRONTAB = {"REDIS_URL": REDIS_URL}
# Temporary copies of uploads and documents live here; clean_temp_files removes old ones.
TEMP_DIR = Path(env("TEMP_DIR", default=str(Path(tempfile.gettempdir()) / "hackthestudy")))
FILE_UPLOAD_TEMP_DIR = str(TEMP_DIR)
TEMP_FILE_MAX_AGE_MINUTES = env.int("TEMP_FILE_MAX_AGE_MINUTES", default=60)
# Keys clean_cache looks at per run and pattern (SCAN continues where the last run stopped).
CACHE_CLEAN_SCAN_LIMIT = env.int("CACHE_CLEAN_SCAN_LIMIT", default=5000)
TASK_RETENTION_DAYS = env.int("TASK_RETENTION_DAYS", default=14)
# health_check logs an error when a queue holds more messages than this.
QUEUE_BACKLOG_ALERT = env.int("QUEUE_BACKLOG_ALERT", default=200)
# An upload queued, extracting or generating for longer than this with no live message (none
# waiting, none running within its actor's time limit) is sent again once, then failed.
STUCK_AFTER_MINUTES = env.int("STUCK_AFTER_MINUTES", default=10)

WORKER_HEALTH_PORT = env.int("WORKER_HEALTH_PORT", default=8080)
# Loopback unless told otherwise: the container sets 0.0.0.0, where the platform's probe reaches it.
WORKER_HEALTH_HOST = env("WORKER_HEALTH_HOST", default="127.0.0.1")
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=10.0)
# A heartbeat older than this makes the worker health endpoint answer 503.
WORKER_HEARTBEAT_STALE_SECONDS = env.float("WORKER_HEARTBEAT_STALE_SECONDS", default=60.0)

# --- Metrics ------------------------------------------------------------------
# GET /metrics (Prometheus) answers only `Authorization: Bearer <METRICS_TOKEN>` or a staff session;
# anyone else gets a 404. hackthestudy/gunicorn.py sets PROMETHEUS_MULTIPROC_DIR for its processes.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
PROMETHEUS_EXPORT_MIGRATIONS = False

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: after this many failed logins for one email from one address, that pair is locked
# out for the cool-off time, on the login page, the admin and the JWT token endpoint alike.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's real address behind the platform's proxies (the same function the web throttles use):
# a lockout is (email, client address), never the proxy's address that every client shares.
AXES_CLIENT_IP_CALLABLE = "core.rates.client_address"
AXES_USERNAME_CALLABLE = "accounts.security.login_username"
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalization -----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "hackthestudy" / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collectstatic (make run, tests) whitenoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads in object storage (DigitalOcean Spaces, any S3-compatible store): the web containers and
# the worker share no disk. Switched on by the bucket's name; the keys are secrets of the platform.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    from core.storage import s3_storage

    STORAGES["default"] = s3_storage(
        bucket=AWS_STORAGE_BUCKET_NAME,
        endpoint_url=env("AWS_S3_ENDPOINT_URL", default=""),
        region=env("AWS_S3_REGION_NAME", default=""),
        access_key=env("AWS_ACCESS_KEY_ID", default=""),
        secret_key=env("AWS_SECRET_ACCESS_KEY", default=""),
        location=env("AWS_LOCATION", default=""),  # a folder in the bucket, if it is shared
    )

# --- Uploads and extraction -------------------------------------------------------
MAX_UPLOAD_MB = env.int("MAX_UPLOAD_MB", default=50)
MAX_PAGES = env.int("MAX_PAGES", default=500)
MAX_UPLOADS_PER_USER = env.int("MAX_UPLOADS_PER_USER", default=20)
# The extraction child process: wall clock, CPU seconds and address space.
EXTRACTION_TIMEOUT_SECONDS = env.int("EXTRACTION_TIMEOUT_SECONDS", default=120)
EXTRACTION_MEMORY_MB = env.int("EXTRACTION_MEMORY_MB", default=1024)
# DOCX/PPTX are ZIP files: refuse bombs before python-docx/python-pptx read them.
ZIP_MAX_ENTRIES = env.int("ZIP_MAX_ENTRIES", default=5000)
ZIP_MAX_UNCOMPRESSED_MB = env.int("ZIP_MAX_UNCOMPRESSED_MB", default=300)
ZIP_MAX_RATIO = env.int("ZIP_MAX_RATIO", default=200)
# The XML a reader parses (python-docx and python-pptx hold its tree: about 4 bytes of memory per
# byte): a 26 MB DOCX of 262 MB XML at ratio 10 passed the checks above and took 966 MB.
ZIP_MAX_XML_MB = env.int("ZIP_MAX_XML_MB", default=64)
# Extraction children a worker process runs at once. The worker's memory adds up to
# processes x EXTRACTION_CONCURRENCY x EXTRACTION_MEMORY_MB plus ~400 MB a process (models):
# app.spec.yml's worker, 2 x 1 x 512 MB + 800 MB, fits its 2 GB.
EXTRACTION_CONCURRENCY = env.int("EXTRACTION_CONCURRENCY", default=1)
# The most characters a DOCX is read for (it is read as a stream; the rest is left unread).
EXTRACTION_MAX_CHARS = env.int("EXTRACTION_MAX_CHARS", default=5_000_000)
EXTRACTED_TEXT_TTL_SECONDS = env.int("EXTRACTED_TEXT_TTL_SECONDS", default=60 * 60 * 24)
# Per-document caps of generated items.
MAX_FLASHCARDS_PER_DOCUMENT = env.int("MAX_FLASHCARDS_PER_DOCUMENT", default=150)
MAX_QUESTIONS_PER_DOCUMENT = env.int("MAX_QUESTIONS_PER_DOCUMENT", default=60)

# Spaced repetition (FSRS). Fuzz spreads cards learnt together over neighbouring days, as Anki does.
FSRS_ENABLE_FUZZING = env.bool("FSRS_ENABLE_FUZZING", default=True)
FSRS_MAXIMUM_INTERVAL_DAYS = env.int("FSRS_MAXIMUM_INTERVAL_DAYS", default=36500)
# When nothing else is due, learning cards due within this many minutes are shown early (Anki's learn-ahead).
STUDY_LEARN_AHEAD_MINUTES = env.int("STUDY_LEARN_AHEAD_MINUTES", default=20)
QUIZ_DEFAULT_SIZE = env.int("QUIZ_DEFAULT_SIZE", default=10)

# --- Generation -------------------------------------------------------------
OPENAI_API_KEY = env("OPENAI_API_KEY", default="")
# Any OpenAI-compatible server (Ollama, vLLM, a test fake); empty means api.openai.com.
OPENAI_BASE_URL = env("OPENAI_BASE_URL", default="") or None
OPENAI_MODEL = env("OPENAI_MODEL", default="gpt-4o-mini")
# The SDK's default timeout (10 minutes) would outlive the actor's time limit.
OPENAI_TIMEOUT_SECONDS = env.float("OPENAI_TIMEOUT_SECONDS", default=60.0)
OPENAI_MAX_RETRIES = env.int("OPENAI_MAX_RETRIES", default=2)  # the SDK's own retries with backoff
# Hard cap of HTTP requests for one chunk and task in one processing run, across SDK and actor retries.
OPENAI_MAX_REQUESTS_PER_CHUNK = env.int("OPENAI_MAX_REQUESTS_PER_CHUNK", default=6)
OPENAI_CONCURRENCY = env.int("OPENAI_CONCURRENCY", default=4)
OPENAI_CHUNK_TOKENS = env.int("OPENAI_CHUNK_TOKENS", default=3000)
OPENAI_CACHE_TTL_SECONDS = env.int("OPENAI_CACHE_TTL_SECONDS", default=60 * 60 * 24 * 30)
# Tokens (in + out) one user may spend per calendar month; 0 means no limit.
OPENAI_MONTHLY_TOKEN_BUDGET = env.int("OPENAI_MONTHLY_TOKEN_BUDGET", default=2_000_000)

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.PasswordBoundJWTAuthentication",  # simplejwt's, bound to the password
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.CountedPageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
    # Exactly the configured proxies are trusted for X-Forwarded-For (App Platform: 1).
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "register": env("THROTTLE_REGISTER", default="10/hour"),
        "token": env("THROTTLE_TOKEN", default="20/minute"),
        "uploads": env("THROTTLE_UPLOADS", default="30/hour"),  # new uploads and reprocessing runs
        "quizzes": env("THROTTLE_QUIZZES", default="60/hour"),  # each quiz copies its questions
        # Web log-in attempts per client address, whatever the email (the API's token endpoint: "token").
        "login": env("THROTTLE_LOGIN", default="20/minute"),
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=30)),
    "ROTATE_REFRESH_TOKENS": True,
    "TOKEN_OBTAIN_SERIALIZER": "accounts.tokens.TokenObtainSerializer",
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUDIENCE": "hackthestudy-api",
    "ISSUER": "hackthestudy",
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "HackTheStudy API",
    "DESCRIPTION": _(
        "Study material from your own documents. Authenticate with a JWT from "
        "`POST /api/v1/auth/token/` and send it as `Authorization: Bearer <access>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "GeneratorEnum": "uploads.models.Generator",  # which generator made an upload's material
        "GeneratorRequestEnum": ["auto", "ai", "offline"],  # which one a client asks for
        "UploadKindEnum": "uploads.models.Upload.Kind",  # pdf, docx, pptx, txt, md
        "FlashcardKindEnum": "learning.models.Flashcard.Kind",  # basic, cloze
        "OriginEnum": "learning.models.Origin",  # generated, edited, own
    },
}

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

# --- Email ------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="HackTheStudy <noreply@localhost>")

# --- Security (production) ------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "core.api.errors.csrf_failure"

# --- Logging ----------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO").upper()
LOG_PREFIX = env("LOG_PREFIX", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.logging.ContextFilter", "prefix": LOG_PREFIX}},
    "formatters": {
        "line": {
            "format": "%(prefix)s %(asctime)s %(levelname)s %(name)s [%(context_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "line",
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"level": LOG_LEVEL},
        "django.db.backends": {"level": "INFO"},
        # One INFO line per API request is noise; retries and failures come from our own loggers.
        "httpx2": {"level": "WARNING"},
        "openai": {"level": "WARNING"},
    },
}

# --- Local development account (make run) -------------------------------------
DEMO_USER_EMAIL = env("DEMO_USER_EMAIL", default="demo@hackthestudy.local")
DEMO_USER_PASSWORD = env("DEMO_USER_PASSWORD", default="demo-study-2026")

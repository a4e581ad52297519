"""Settings for TikTok Planner: one module, configured by environment variables.

Three modes, chosen with ``DJANGO_ENV``:

* ``development`` (default): runs with nothing set. SQLite in ``data/``, Celery over kombu's
  filesystem transport (a real worker and beat, no Redis), e-mail to the console, a secret key
  generated once into ``data/`` (never one written in this file).
* ``production``: ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``REDIS_URL`` are required, DEBUG is off and
  every ``check --deploy`` hardening setting is on.

``DATABASE_URL`` and ``REDIS_URL`` switch any mode to PostgreSQL and Redis. Every variable is listed
in README.md.
"""

import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data")))


def _development_secret_key() -> str:
    """A random key kept in the git-ignored data folder, so sessions survive a restart."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION:
    # env() without a default raises ImproperlyConfigured: production never runs on a made-up key.
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set the ALLOWED_HOSTS environment variable in production.")
    DEBUG = False
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
    DEBUG = env.bool("DEBUG", default=False)

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "audit",
    "core",
    "content",
    "approvals",
    "budget",
    "scheduling",
    "stats",
    "disclosure",
    "archive",
    "home",
    "administration",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the CSRF check or a form reads the body: oversized bodies and NUL bytes are refused here.
    "core.middleware.RequestLimitsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.CurrentOrganisationMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.InactivityTimeoutMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tiktokplanner.urls"
WSGI_APPLICATION = "tiktokplanner.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.navigation",
            ],
        },
    },
]

FORM_RENDERER = "core.forms.PlannerFormRenderer"

# --- Data stores -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the Celery worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env.str("REDIS_URL", default="")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("Set REDIS_URL in production: the filesystem queue is for one machine only.")

# Every key this app writes to Redis or the cache (cache, locks, TikTok's rate-limit buckets) starts with this,
# so several instances (or test workers) can share one Redis.
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="tiktokplanner")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "KEY_PREFIX": REDIS_KEY_PREFIX,
        }
    }

# --- Celery ----------------------------------------------------------------------------------------
CELERY_QUEUE_DIR = DATA_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A task taken by a worker that then died whole (not only a pool process) goes back to the queue after
        # this long. It must exceed the longest countdown we schedule (stats.tasks.MAX_BACKOFF_SECONDS, 10
        # minutes) plus the longest task, or a delayed task is delivered twice; a shorter one brings lost work
        # back sooner.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60),
        # Workers look for such tasks every 10 seconds (a small sorted-set query), not every 100.
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
        # A web request that queues a task while Redis is down gives up in seconds (the outbox keeps the mail).
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
    # One scheduler: celery-redbeat keeps the schedule in Redis and holds a lock while it runs, so a second beat
    # process (a second server, a restart that overlaps) stands by instead of sending every job twice. It takes
    # over within REDBEAT_LOCK_TIMEOUT when the first one dies.
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_REDIS_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
    CELERY_REDBEAT_KEY_PREFIX = f"{REDIS_KEY_PREFIX}:redbeat"
    CELERY_REDBEAT_LOCK_TIMEOUT = 60
    CELERY_BEAT_MAX_LOOP_INTERVAL = 10
else:
    # kombu's filesystem transport: producer and worker share one folder, so a real worker and
    # beat run on one machine with nothing else installed.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
    }
    # kombu expects these folders to exist before the first publish or poll.
    for _folder in ("queue", "processed", "control"):
        (CELERY_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
# Tasks marked acks_late (the idempotent ones: pulls, mail delivery, sweeps) are acknowledged when they finish,
# and a pool process killed under them (out of memory, a deploy) puts them back in the queue instead of losing them.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds one task it isn't running, not four
# Publishing gives up quickly when the broker is down: the caller (a page, beat) carries on and the outbox or the
# next scheduled run makes up for it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "core.tasks.record_heartbeat",
        "schedule": timedelta(seconds=env.int("WORKER_HEARTBEAT_SECONDS", default=60)),
    },
    # The outbox: mails whose hand-over to the queue was lost, and those due for another attempt.
    "sweep-outbox": {"task": "core.tasks.sweep_outbox", "schedule": timedelta(minutes=1)},
    # Fresh videos every three hours, all videos of the last year daily; followers daily.
    "pull-fresh-video-stats": {
        "task": "stats.tasks.pull_all_channels",
        "schedule": timedelta(hours=3),
        "kwargs": {"fresh_only": True},
    },
    "pull-all-video-stats": {"task": "stats.tasks.pull_all_channels", "schedule": crontab(hour=5, minute=10)},
    "pull-followers": {"task": "stats.tasks.pull_all_followers", "schedule": crontab(hour=5, minute=20)},
    # Pulls a killed worker left "running" are closed and queued again; a warning 14 days before a channel's
    # TikTok authorisation expires.
    # Live posts whose check against their approval failed (or was lost) are checked again; rights about to end.
    "sweep-post-checks": {"task": "stats.tasks.sweep_post_checks", "schedule": timedelta(hours=1)},
    "follow-up-rights-ending": {
        "task": "approvals.tasks.follow_up_rights_ending",
        "schedule": crontab(hour=6, minute=5),
    },
    "reap-stuck-pull-runs": {"task": "stats.tasks.reap_stuck_runs", "schedule": timedelta(minutes=10)},
    "warn-expiring-tiktok-connections": {
        "task": "stats.tasks.warn_expiring_connections",
        "schedule": crontab(hour=7, minute=50),
    },
    # The audit trail's signed checkpoints, written to the database, the log and (optionally) a mailbox.
    "audit-checkpoints": {"task": "audit.tasks.write_checkpoints", "schedule": crontab(hour=0, minute=5)},
    # The cadence's slots stay 26 weeks ahead (saving a cadence makes them; each day adds the new last day's).
    "extend-slots": {"task": "scheduling.tasks.extend_slots", "schedule": crontab(hour=4, minute=40)},
    "mail-weeks-at-risk": {"task": "scheduling.tasks.mail_weeks_at_risk", "schedule": crontab(hour=7, minute=45)},
    "remind-waiting-approvers": {
        "task": "approvals.tasks.remind_waiting_approvers",
        "schedule": crontab(hour=7, minute=30),
    },
    # Disclosure packages the queue lost or whose worker died are queued again; finished ones are deleted after
    # disclosure.exports.KEEP_DAYS days.
    "sweep-disclosure-exports": {"task": "disclosure.tasks.sweep_exports", "schedule": timedelta(minutes=1)},
    "expire-disclosure-exports": {"task": "disclosure.tasks.expire_exports", "schedule": crontab(hour=3, minute=15)},
    # Archive packages: each post whose figures are final (a year after posting) gets its package; failed ones are
    # tried again.
    "archive-final-posts": {"task": "archive.tasks.package_final_posts", "schedule": crontab(hour=2, minute=40)},
}

# --- Authentication --------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses a locked-out username/address before any password check.
    "axes.backends.AxesStandaloneBackend",
    # Then the lock of an account tried from many addresses (accounts/lockout.py).
    "accounts.lockout.AccountLockBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.ContextWordsValidator"},
]
LOGIN_URL = "login"
# The second factor: the issuer authenticator apps show; wrong codes slow down (1, 2, 4, … s) and count
# towards django-axes' lock-out like wrong passwords.
OTP_TOTP_ISSUER = "TikTok Planner"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (BIO2): five failures lock that username from that address for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client's address behind PROXY_COUNT proxies of ours (accounts/client_address.py): django-axes locks out
# per that address and the audit trail records it. Without a proxy only REMOTE_ADDR counts, so nobody locks others
# out or hides behind a forged X-Forwarded-For.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"
# Besides 5 failures per name and address, an account is locked after this many failures from any addresses
# within the cool-off time (someone trying many addresses), and its owner gets a mail either way.
ACCOUNT_FAILURE_LIMIT = env.int("ACCOUNT_FAILURE_LIMIT", default=20)

SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day, at most
# ... and logged out after this many minutes without a request (accounts.middleware).
SESSION_INACTIVITY_MINUTES = env.int("SESSION_INACTIVITY_MINUTES", default=30)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Internationalisation --------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["tiktokplanner.formats"]  # English dates as en-GB (Dutch and Swedish keep Django's own)
USE_I18N = True
USE_TZ = True
# Stored in UTC; each request shows times in the organisation's zone (CurrentOrganisationMiddleware).
TIME_ZONE = "UTC"
LANGUAGE_COOKIE_NAME = "planner_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files and uploads ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# NL Design System stylesheets, installed by npm from package-lock.json (never from a CDN), file by file
# (core/staticfiles.py says why not whole folders).
NPM_STATIC_FILES = {
    "vendor/utrecht/index.css": "@utrecht/component-library-css/dist/index.css",
    "vendor/utrecht-tokens/index.css": "@utrecht/design-tokens/dist/index.css",
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "core.staticfiles.NpmFilesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Uploads (videos, attachments) are private: never served from a public path, only through views that
# check access. Hence no MEDIA_URL route in urls.py.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
# Uploads and the embedded database are for this app's own user only (core.apps tightens the SQLite file).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
VIDEO_MAX_UPLOAD_MB = env.int("VIDEO_MAX_UPLOAD_MB", default=250)

# --- TikTok -----------------------------------------------------------------------------------------
TIKTOK_API_BASE_URL = env.str("TIKTOK_API_BASE_URL", default="https://open.tiktokapis.com")
TIKTOK_AUTHORIZE_URL = env.str("TIKTOK_AUTHORIZE_URL", default="https://www.tiktok.com/v2/auth/authorize/")
TIKTOK_CLIENT_KEY = env.str("TIKTOK_CLIENT_KEY", default="")
TIKTOK_CLIENT_SECRET = env.str("TIKTOK_CLIENT_SECRET", default="")
# TikTok allows 600 requests a minute per endpoint per token; every worker shares this budget.
TIKTOK_RATE_LIMIT_PER_MINUTE = env.int("TIKTOK_RATE_LIMIT_PER_MINUTE", default=600)
# Every call to TikTok gives up after this long (a slow answer becomes a retried failure, not a hung worker).
TIKTOK_TIMEOUT_SECONDS = env.float("TIKTOK_TIMEOUT_SECONDS", default=10.0)
# Fernet key for the stored OAuth tokens; in development derived from SECRET_KEY when empty.
TOKEN_ENCRYPTION_KEY = env.str("TOKEN_ENCRYPTION_KEY", default="")
if PRODUCTION and not TOKEN_ENCRYPTION_KEY:
    raise ImproperlyConfigured("Set TOKEN_ENCRYPTION_KEY in production (a Fernet key) to encrypt TikTok tokens.")
# Signs the audit trail's checkpoints (audit/checkpoints.py). Kept out of the database, like the other keys:
# required in production, derived from SECRET_KEY in development.
AUDIT_SIGNING_KEY = env.str("AUDIT_SIGNING_KEY", default="")
if PRODUCTION and not AUDIT_SIGNING_KEY:
    raise ImproperlyConfigured("Set AUDIT_SIGNING_KEY in production (a long random text) to sign the audit trail.")
# Where each day's signed checkpoints are also mailed (a records address), besides the log; empty: log only.
AUDIT_CHECKPOINT_EMAIL = env.list("AUDIT_CHECKPOINT_EMAIL", default=[])
# Looks for personal names the system cannot know in a disclosure package, and lists them for review
# (disclosure/names.py): "deduce", or empty to switch it off (it needs about 1 GB of memory while it runs).
DISCLOSURE_NAME_DETECTOR = env.str("DISCLOSURE_NAME_DETECTOR", default="deduce")
# The schema a Dutch organisation's archive packages' MDTO metadata is checked against before a package is stored:
# by default the subset of MDTO-XML 1.0.1 the app writes (archive/schemas/mdto.xsd); point it at the Nationaal
# Archief's own MDTO-XML1.0.1.xsd for the stricter check.
ARCHIVE_MDTO_XSD = env.str("ARCHIVE_MDTO_XSD", default=str(BASE_DIR / "archive" / "schemas" / "mdto.xsd"))
# Request bodies, refused (413) above these before anything reads them: small for anonymous people and ordinary
# forms, larger only on the upload views.
ANONYMOUS_REQUEST_MAX_BYTES = 64 * 1024
FORM_REQUEST_MAX_BYTES = 2 * 1024 * 1024
UPLOAD_LIMITS = {
    "video_create": (VIDEO_MAX_UPLOAD_MB + 1) * 1024 * 1024,
    "attachment_create": 21 * 1024 * 1024,
    "stats_import": 3 * 1024 * 1024,
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # form fields; files stream to disk above FILE_UPLOAD_MAX_MEMORY_SIZE

# --- E-mail ----------------------------------------------------------------------------------------
# EMAIL_URL (e.g. smtp+tls://user:pass@host:587) expands into EMAIL_BACKEND, EMAIL_HOST, ...
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="TikTok Planner <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people reach the app at, for links in e-mails sent by background jobs.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")


# --- Security headers ------------------------------------------------------------------------------
def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# Everything the browser loads comes from this server; no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        # "Connect TikTok" posts a form that redirects to TikTok's consent page: browsers apply
        # form-action to that redirect too.
        "form-action": [SELF, _origin(TIKTOK_AUTHORIZE_URL)],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # "__Host-": the browser only keeps these cookies from this host over HTTPS, for the whole site, so a
    # neighbouring subdomain can't set or overwrite them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
        # Only behind a proxy that sets this header itself; otherwise a client could fake HTTPS.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The health endpoint is polled over plain HTTP by the load balancer inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/(ready/|live/)?$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

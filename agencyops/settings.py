"""AgencyOps settings: the one module that reads the environment (django-environ).

Every variable is listed in README.md. With no DATABASE_URL / REDIS_URL the app starts a private
PostgreSQL and Redis under .data/ (see agencyops/embedded.py); production sets both.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from agencyops import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# Without a DATABASE_URL this is a laptop on the embedded servers, so DEBUG defaults on there only.
EMBEDDED_SERVERS = not env.str("DATABASE_URL", default="")
DEBUG = env.bool("DEBUG", default=EMBEDDED_SERVERS)
RUNNING_TESTS = "pytest" in sys.modules

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or RUNNING_TESTS):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-key-for-local-development-and-tests-only-0123456789abcdef"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Whether SITE_URL was set: without it, `make run PORT=…` points its children's links at that port.
SITE_URL_CONFIGURED = bool(env.str("SITE_URL", default=""))
DATA_DIR = Path(env.str("AGENCYOPS_DATA_DIR", default=str(BASE_DIR / ".data")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "pgtrigger",
    "agencyops",
    "projects",
    "approvals",
    "brandkit",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "agencyops.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the signed-in person read by SQL written once (agencyops/middleware.py).
    "agencyops.middleware.SignedInUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "agencyops.urls"
WSGI_APPLICATION = "agencyops.wsgi.application"
AUTH_USER_MODEL = "agencyops.User"

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
                "agencyops.context_processors.shell",
            ],
        },
    }
]

# --- Data stores -------------------------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    DATABASES = {"default": embedded.embedded_database(DATA_DIR)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# The statements the hot pages write once (agencyops.planned_sql) are prepared on first use on each
# connection; the ORM's queries never are (Django writes their values in). Off behind a pooler in
# transaction mode, which cannot keep prepared statements.
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
    0 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None
)
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str("TEST_DATABASE_NAME", default="test_agencyops")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="") or embedded.embedded_redis_url(DATA_DIR)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "agencyops",
    }
}

# --- Auth --------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if RUNNING_TESTS:
    # Same algorithm, cheapest parameters: the suite creates many users.
    PASSWORD_HASHERS = ["agencyops.hashers.QuickArgon2PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's database sessions, read by SQL written once (agencyops/session_store.py).
SESSION_ENGINE = "agencyops.session_store"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env.bool("LOGIN_THROTTLE_ENABLED", default=True)

# --- Mail --------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AgencyOps <noreply@agencyops.local>")

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": env.str("FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or RUNNING_TESTS
        else "agencyops.static_manifest.RememberedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or RUNNING_TESTS
APPROVAL_FILE_MAX_BYTES = env.int("APPROVAL_FILE_MAX_BYTES", default=20 * 1024 * 1024)
# The asset library: largest file accepted, and how long a deleted item can be restored before it is purged.
LIBRARY_FILE_MAX_BYTES = env.int("LIBRARY_FILE_MAX_BYTES", default=100 * 1024 * 1024)
LIBRARY_RESTORE_DAYS = env.int("LIBRARY_RESTORE_DAYS", default=30)
APPROVAL_REMINDER_HOURS_BEFORE = env.int("APPROVAL_REMINDER_HOURS_BEFORE", default=24)
LOGO_MAX_BYTES = env.int("LOGO_MAX_BYTES", default=2 * 1024 * 1024)
# Images (versions, logos) larger than this are refused before a pixel is decoded (decompression bombs).
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=50_000_000)
# Each rendered PDF page stays within this many pixels, whatever the page's shape.
PDF_PAGE_MAX_PIXELS = env.int("PDF_PAGE_MAX_PIXELS", default=4_000_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security ----------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No inline script and no third-party origin, anywhere (htmx and Swagger UI are served from here).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
if RUNNING_TESTS:
    SECURE_SSL_REDIRECT = False

# --- API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "agencyops.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the API is for scripts and integrations (Swagger UI at /api/docs/ is the browsable view).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # OPTIONS is not part of the API: DRF's metadata would look objects up by ``pk`` to describe PUT forms.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "agencyops.api.errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "agencyops.api.pagination.CappedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
}
# With DEBUG off, /api/schema/ and /api/docs/ are for signed-in agency team members unless this is on.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG)
# API tokens (django-rest-knox, stored hashed) expire this many days after they are issued; not sliding.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AgencyOps API",
    "DESCRIPTION": "Projects, approvals, drafts and reports of one agency. Authenticate with "
    "`Authorization: Token <key>` from POST /api/v1/auth/token/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or "kind" field with their own choices: name each enum once.
    "ENUM_NAME_OVERRIDES": {
        "LibraryItemKindEnum": "brandkit.library.models.ItemKind",
        "ClientStatusEnum": "agencyops.models.ClientStatus",
        "InvitationKindEnum": "agencyops.models.InvitationKind",
        "DisciplineEnum": "agencyops.models.Discipline",
        "ProjectStatusEnum": "projects.models.ProjectStatus",
        "TaskStatusEnum": "projects.models.TaskStatus",
        "DependencyKindEnum": "projects.models.DependencyKind",
        "PartyEnum": "projects.models.Party",
        "EscalationStateEnum": "projects.models.EscalationState",
        "EscalationSeverityEnum": "projects.models.EscalationSeverity",
        "EscalationRuleEnum": "projects.escalation_serializers.RULE_NAMES",
        "EscalationSectionEnum": "projects.escalation_serializers.SECTIONS",
        "ApprovalStatusEnum": "approvals.models.ApprovalStatus",
        "ContentStateEnum": "brandkit.models.ContentState",
        "PortalApprovalStatusEnum": "approvals.serializers.PortalStatus",
        "ChangeRequestStatusEnum": "approvals.serializers.ChangeRequestStatus",
        "VerdictEnum": "approvals.models.Verdict",
        "ChangeRequestVerdictEnum": "approvals.models.ChangeRequestVerdict",
        "VersionKindEnum": "approvals.models.VersionKind",
    },
}


# --- Celery ------------------------------------------------------------------------------
def _celery_url(url: str) -> str:
    # kombu spells a unix-socket Redis as redis+socket://
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


CELERY_BROKER_URL = _celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = _celery_url(REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
# With acks late, a multiplier of 1 reserves exactly one message per pool process: a process that finishes
# waits for its ack and a broker round trip before it gets the next (10-16 ms a task under load, measured
# on the drafting bench). 2 keeps one more message waiting in the worker, handed to whichever process
# frees first (the prefork pool's fair scheduling), so no task sits behind a long one in the same process;
# the cost is at most one message per process held back from other workers. A waiting message is unacked
# like a running one: a worker that dies leaves both to be delivered again.
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_PREFETCH_MULTIPLIER", default=2)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="agencyops")
# Celery's Django fixup closes the database connection before and after every task unless told to reuse
# it: a new PostgreSQL connection (a server process started, authenticated, its catalog caches filled)
# for each task. A `celery worker` process reuses its connection for this many tasks and drops one that
# broke (agencyops.celery); workers started inside another process (tests) close it after each task.
CELERY_DB_REUSE_MAX = env.int("WORKER_DB_REUSE_MAX", default=500)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "agencyops.tasks.heartbeat", "schedule": crontab(minute="*/5")},
    # The agencies' data versions (agencyops/data_version.py) stay a short count.
    "agency-changes-fold": {"task": "agencyops.tasks.fold_agency_changes", "schedule": crontab(minute="*/5")},
    # The project pages' versions (projects/page_versions.py) likewise.
    "project-changes-fold": {
        "task": "projects.tasks.fold_project_changes",
        "schedule": crontab(minute="*/5"),
    },
    "approval-reminders": {
        "task": "approvals.tasks.send_approval_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "risk-scan": {"task": "projects.tasks.scan_all_agencies", "schedule": crontab(minute="*/15")},
    "escalation-digest": {
        "task": "projects.tasks.send_escalation_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "retainer-work": {
        "task": "projects.tasks.generate_retainer_work",
        "schedule": crontab(hour=2, minute=15),
    },
    "library-purge": {
        "task": "brandkit.library.tasks.purge_deleted_items",
        "schedule": crontab(hour=3, minute=40),
    },
    "pdf-pages": {"task": "approvals.tasks.render_pending_pages", "schedule": crontab(minute="*/15")},
    "weekly-reports": {"task": "reporting.tasks.send_weekly_reports", "schedule": crontab(minute="*/15")},
}

# --- Logging -----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        # WeasyPrint narrates every step of a PDF at INFO ("Step 1 - Fetching…"); keep its warnings only.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Inbound mail and chat (agencyops/inbound) ----------------------------------------------
# Client mail forwarded or replied to <token>@INBOUND_EMAIL_DOMAIN is filed as captured feedback.
INBOUND_EMAIL_DOMAIN = env.str("INBOUND_EMAIL_DOMAIN", default="inbound.agencyops.local").lower()
# Shared secret of the mail provider's inbound webhook (POST /inbound/email/); empty turns it off.
INBOUND_EMAIL_SECRET = env.str("INBOUND_EMAIL_SECRET", default="")
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=15 * 1024 * 1024)
INBOUND_ATTACHMENT_MAX_BYTES = env.int("INBOUND_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
INBOUND_CHAT_MAX_BYTES = env.int("INBOUND_CHAT_MAX_BYTES", default=64 * 1024)
# The development SMTP listener `make run` starts for inbound mail.
INBOUND_SMTP_HOST = env.str("INBOUND_SMTP_HOST", default="127.0.0.1")
INBOUND_SMTP_PORT = env.int("INBOUND_SMTP_PORT", default=2525)

# --- Notifications and mail (agencyops/mail.py, agencyops/notifications/) ----------------------------
# Mail is sent by a Celery worker. MAIL_SEND_IN_PROCESS=1 runs that same task in the web process after
# commit instead (development without a worker; the test suite, except tests that start a real worker).
MAIL_SEND_IN_PROCESS = env.bool("MAIL_SEND_IN_PROCESS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
CELERY_BEAT_SCHEDULE["notification-digest"] = {
    "task": "agencyops.notifications.send_daily_digests",
    "schedule": crontab(hour=7, minute=0),
}
# --- Reporting imports ---------------------------------------------------------------------
# Largest export accepted (CSV or .xlsx), and the currency assumed for money a file does not label
# (GA4 revenue); an uploader can choose another per import.
REPORTING_IMPORT_MAX_BYTES = env.int("REPORTING_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
REPORTING_DEFAULT_CURRENCY = env.str("REPORTING_DEFAULT_CURRENCY", default="USD")
# Longest range the metrics API aggregates in one request, in days.
REPORTING_METRICS_MAX_DAYS = env.int("REPORTING_METRICS_MAX_DAYS", default=731)
# --- AI drafting (brandkit.drafting) -------------------------------------------------------
# The instance-wide model provider: any OpenAI-compatible endpoint. Empty AI_BASE_URL or AI_MODEL: the
# offline drafter, unless an agency sets its own provider in its drafting settings.
AI_BASE_URL = env.str("AI_BASE_URL", default="")
AI_MODEL = env.str("AI_MODEL", default="")
AI_API_KEY = env.str("AI_API_KEY", default="")
AI_TIMEOUT_SECONDS = env.float("AI_TIMEOUT_SECONDS", default=60.0)
AI_MAX_ATTEMPTS = env.int("AI_MAX_ATTEMPTS", default=4)
AI_MAX_OUTPUT_TOKENS = env.int("AI_MAX_OUTPUT_TOKENS", default=1500)
AI_MONTHLY_TOKEN_BUDGET = env.int("AI_MONTHLY_TOKEN_BUDGET", default=2_000_000)
AI_PRICE_INPUT_PER_MILLION = env.float("AI_PRICE_INPUT_PER_MILLION", default=0.0)
AI_PRICE_OUTPUT_PER_MILLION = env.float("AI_PRICE_OUTPUT_PER_MILLION", default=0.0)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "DraftingJobKindEnum": "brandkit.drafting.models.JobKind",
        "DraftingJobStateEnum": "brandkit.drafting.models.JobState",
    }
)

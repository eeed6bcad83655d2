"""Gonghui settings, read from the environment.

Variables: DATABASE_URL (default: SQLite file db.sqlite3), SECRET_KEY, DEBUG, ALLOWED_HOSTS
(comma-separated), GONGHUI_DATA_KEY (base64 of 32 random bytes: encrypts personal data and keys its
blind index; kept apart from SECRET_KEY), GONGHUI_PROFILE (``development`` or ``production``),
EMAIL_URL-style e-mail settings are left to Django's EMAIL_* variables.

A local ``.env`` file (written by ``scripts/run.py`` on first run, never committed) is read first;
real environment variables win over it.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def _read_dotenv(path: Path) -> None:
    if not path.exists():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip())


_read_dotenv(BASE_DIR / ".env")


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PROFILE = os.environ.get("GONGHUI_PROFILE", "development")
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set in production")
    SECRET_KEY = "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# Personal data key: base64 of 32 bytes. Tests and the demo get one from scripts/run.py / conftest.
GONGHUI_DATA_KEY = os.environ.get("GONGHUI_DATA_KEY", "")
# During a key rotation (manage.py rotate_data_key): the retiring key(s), comma-separated, still
# read (and searched) until every value is rewritten under GONGHUI_DATA_KEY; then removed.
GONGHUI_DATA_KEYS_OLD = [k.strip() for k in os.environ.get("GONGHUI_DATA_KEYS_OLD", "").split(",") if k.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Gonghui apps, from the kernel outward (imports only point up this list).
    "core",
    "orgs",
    "accounts",
    "members",
    "activities",
    "appeals",
    "cadres",
    "funds",
    "assistance",
    "surveys",
    "reform",
    "assessment",
    "programmes",
    "portal",
    "dashboard",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # /healthz and /readyz before anything that reads the session (a database outage), core/middleware.py.
    "core.middleware.ProbeMiddleware",
    # A body over GONGHUI_MAX_REQUEST_BYTES is refused before anything reads it (nginx refuses it first).
    "core.middleware.RequestSizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # One JSON line per request (request id, user, status, duration, queries), core/logs.py.
    "core.logs.RequestLogMiddleware",
    "core.replica.ReplicaStickinessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    # Axes must be last: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

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
                "gonghui.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the task worker and the web process share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not :memory:, so the live server's threads (browser tests) open their own
    # connections instead of sharing the test thread's one; one file per test process, so that two
    # runs in one checkout do not delete each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}
# A streaming read replica for the heavy reads (lists, workbench, rates), core/replica.py.
GONGHUI_READ_REPLICA = ""
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests point the alias at the standby themselves
    GONGHUI_READ_REPLICA = "replica"
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# After a user writes, their reads stay on the primary this long (read-your-writes over replica lag).
GONGHUI_REPLICA_STICKY_SECONDS = float(os.environ.get("GONGHUI_REPLICA_STICKY_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "core.passwords.CharacterClassValidator"},
    {"NAME": "core.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login lockout (等保三级): 5 failures lock the account and, separately, the address for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
# The client's address, for the per-address lockout and the audit trail (core.audit.client_ip). Behind
# the TLS proxy set GONGHUI_TRUSTED_PROXY_COUNT to the number of proxies in front of the application
# (1 for one nginx) and GONGHUI_TRUSTED_PROXIES to the addresses they connect from; each proxy must
# append to X-Forwarded-For (nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for).
# axes calls ours instead of django-ipware (which django-structlog brings, unused: core.logs uses ours).
GONGHUI_TRUSTED_PROXY_COUNT = int(os.environ.get("GONGHUI_TRUSTED_PROXY_COUNT", "0"))
GONGHUI_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("GONGHUI_TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if p.strip()
]
GONGHUI_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
AXES_CLIENT_IP_CALLABLE = "core.audit.client_ip"

# Sessions end after 30 idle minutes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer probes the application directly over plain HTTP (core.health).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if not GONGHUI_DATA_KEY:
        raise RuntimeError("GONGHUI_DATA_KEY must be set in production")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["gonghui.formats"]  # amounts with thousands separators in Chinese too
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
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
if not PRODUCTION:  # development serves from the finders; STATIC_ROOT exists only after collectstatic
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
# Upload limits (docs/operations.md, "Upload limits"). One number bounds a whole request body: the
# largest a form accepts (the member import's 60 MB file; nine 5 MB event photos; five 10 MB
# attachments) plus its other fields and the multipart framing. nginx's client_max_body_size is the
# same number (deploy/nginx/gonghui.conf; core/tests/test_deploy_files.py holds them together), and
# core.middleware.RequestSizeMiddleware refuses a larger declared body in Chinese where no nginx stands
# in front. DATA_UPLOAD_MAX_MEMORY_SIZE bounds the non-file part of a request; a file over
# FILE_UPLOAD_MAX_MEMORY_SIZE is streamed to a temporary file instead of memory.
GONGHUI_MAX_REQUEST_BYTES = 64 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024 + 512 * 1024

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# /readyz fails when a due background task has waited longer than this (a dead or stuck worker).
GONGHUI_READYZ_MAX_QUEUE_AGE = int(os.environ.get("GONGHUI_READYZ_MAX_QUEUE_AGE", "600"))

# API tokens expire this long after they were issued (then a new one is obtained with the password).
API_TOKEN_LIFETIME = timedelta(days=float(os.environ.get("API_TOKEN_LIFETIME_DAYS", "7")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.SessionAuthentication",
        "api.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gonghui 工会 API",
    "DESCRIPTION": "顺义区总工会工作平台接口：组织、会员、诉求、资金。所有数据按调用者的组织范围过滤。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # three models name their state machine "state": each enum gets its own name in the schema
    "ENUM_NAME_OVERRIDES": {
        "AppealStateEnum": "appeals.models.Appeal.State",
        "ReferralStateEnum": "appeals.models.Referral.State",
        "CycleStateEnum": "funds.models.Cycle.State",
        "PaymentStatusEnum": "funds.models.Payment.Status",
        "PayeeAccountStatusEnum": "funds.models.PayeeAccount.Status",
        "PayeeAccountSourceEnum": "funds.models.PayeeAccount.Source",
        "BankBatchStateEnum": "funds.models.BankBatch.State",
        "BankResultEnum": "funds.models.BatchLine.Result",
        # Each app's choice sets named once: the same set on several fields (a step's from/to state),
        # or a field name ("state", "kind", "role", "channel") that several apps use for different sets.
        "HardshipFileStateEnum": "assistance.models.files.HardshipFile.State",
        "HardshipExitReasonEnum": "assistance.models.files.HardshipFile.ExitReason",
        "InnovationKindEnum": "activities.innovation.InnovationItem.Kind",
        "HonourLevelEnum": "members.models.Honour.Level",
        "ApplicationStateEnum": "assistance.models.applications.ApplicationState",
        "ApplicationStepKindEnum": "assistance.models.applications.StepKind",
        "HardshipCauseEnum": "assistance.models.files.Cause",
        "HealthEnum": "assistance.models.files.HardshipFile.Health",
        "OccupationEnum": "assistance.models.files.HouseholdMember.Occupation",
        "MedicalInsuranceEnum": "assistance.models.files.HouseholdMember.Insurance",
        "FileStepKindEnum": "assistance.models.files.FileStep.Kind",
        "VerificationKindEnum": "assistance.models.files.Verification.Kind",
        "ActivityStateEnum": "activities.models.Activity.State",
        "ActivityKindEnum": "activities.models.Activity.Kind",
        "RegistrationChannelEnum": "activities.models.Registration.Channel",
        "AppealChannelEnum": "appeals.models.Appeal.Channel",
        "ReferralRoleEnum": "appeals.models.Referral.Role",
        "PostRoleEnum": "cadres.models.Post.Role",
        "UserRoleEnum": "orgs.roles.Role",
        "RecruitmentStateEnum": "cadres.models.Recruitment.State",
        "OrganisationKindEnum": "orgs.models.Organisation.Kind",
        "SurveyStateEnum": "surveys.models.Survey.State",
        "QuestionKindEnum": "surveys.models.Question.Kind",
        "PlanKindEnum": "reform.models.Plan.Kind",
        "TaskStateEnum": "reform.models.Task.State",
        "AssessmentStateEnum": "assessment.models.Assessment.State",
        "AssessmentEventKindEnum": "assessment.models.AssessmentEvent.Kind",
    },
}

FILTERS_EMPTY_CHOICE_LABEL = "全部"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
DJANGO_TABLES2_PAGE_RANGE = 8

GONGHUI_EMAIL_NOTIFICATIONS = env_bool("GONGHUI_EMAIL_NOTIFICATIONS", False)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gonghui@localhost")

# Structured logs (core/logs.py): every line is one JSON object on stderr, for journald or a
# log shipper; GONGHUI_LOG_FORMAT=console prints key=value lines for a person at a terminal.
import structlog  # noqa: E402 — configured here, with the logging it feeds

_LOG_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
structlog.configure(
    processors=[
        *_LOG_PROCESSORS,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.dev.ConsoleRenderer(colors=False)
                if os.environ.get("GONGHUI_LOG_FORMAT") == "console"
                else structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
            "foreign_pre_chain": _LOG_PROCESSORS,
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("LOG_LEVEL", "INFO" if not DEBUG else "WARNING"),
    },
    "loggers": {
        "axes": {"level": "WARNING"},
        # the request lines come from django_structlog; Django's own server lines would repeat them
        "django.server": {"level": "WARNING"},
    },
}
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False  # core.logs binds core.audit.client_ip (the trusted-proxy rule)
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = env_bool("GONGHUI_TRUST_REQUEST_ID", False)
SILENCED_SYSTEM_CHECKS: list[str] = []

"""Warden settings: one module, every deployment choice read from the environment.

Unset variables give the embedded default: SQLite and media under `var/`, a generated
secret key kept in `var/`, and a file-system Celery broker that needs no server."""

from pathlib import Path

import dj_database_url

from config.env import env_bool, env_int, env_list, env_pairs, env_secret, env_str
from config.operations.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(
    env_str(
        "WARDEN_VAR_DIR",
        str(BASE_DIR / "var"),
        doc="where the embedded defaults live (database, media, broker folders, keys)",
        shown="`var/`",
    )
)

DEBUG = env_bool("DEBUG", False, doc="Django's debug pages; never in production")
SECRET_KEY = env_secret(
    "SECRET_KEY",
    keep_in=VAR_DIR / "secret_key",
    doc="set it in production",
    shown="generated once, kept in `var/secret_key` (0600)",
)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost"], doc="comma-separated host names Warden answers to"
)
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS",
    [],
    doc=(
        "comma-separated origins (`https://warden.example.org`) whose form posts are accepted, "
        "behind a proxy that changes the host or scheme"
    ),
)

INSTALLED_APPS = [
    # First, so its createsuperuser and changepassword commands replace django.contrib.auth's
    # (the earliest app of a command's name wins), which would write accounts off the trail.
    "governance",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "audits.apps.AuditsConfig",
    "reports",
]

MIDDLEWARE = [
    "config.operations.metrics.MetricsMiddleware",  # first: its time covers the rest
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "axes.middleware.AxesMiddleware",
    "governance.middleware.RequestIdMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "governance.page_plumbing.viewer_roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str(
            "DATABASE_URL",
            f"sqlite:///{VAR_DIR / 'warden.sqlite3'}",
            doc="e.g. `postgres://warden_app:pass@host:5432/warden`; the owner's URL only for "
            "`migrate` and `db_roles`",
            shown="`sqlite:///var/warden.sqlite3`",
        ),
        conn_max_age=env_int(
            "DATABASE_CONN_MAX_AGE",
            0,
            doc="seconds a database connection is kept between requests (0: closed after each)",
        ),
    )
}
# On PostgreSQL, migrations run as the tables' owner and then `manage.py db_roles --apply`
# grants this application role what it needs, and no more (it cannot rewrite the trail);
# DATABASE_URL of web, worker and beat names this role. SQLite has one user: no such promise.
WARDEN_DATABASE_APP_ROLE = env_str(
    "WARDEN_DATABASE_APP_ROLE",
    "warden_app",
    doc="PostgreSQL: the application's role, which `manage.py db_roles` creates and grants",
)
WARDEN_DATABASE_APP_PASSWORD = env_str(
    "WARDEN_DATABASE_APP_PASSWORD",
    "",
    doc="PostgreSQL: the password `manage.py db_roles --apply` gives the application's role",
    shown="(none)",
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of
    # failing with "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}

# A shared cache (throttle counters, API tokens across processes) when CACHE_URL names Redis.
# It fails soft (config/cache.py): Redis down or slow past the timeouts is a miss, never a 500.
CACHE_URL = env_str(
    "CACHE_URL",
    doc=(
        "`redis://host:6379/1`: throttle counters and API tokens shared by every process; while it"
        " is down, requests carry on without it"
    ),
    shown="per-process memory",
)
CACHES = {
    "default": (
        {
            "BACKEND": "config.cache.FailSoftRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# API tokens -> users are cached this long (0: not cached). Revoking a token or changing a user
# deletes the entry at once, but only a cache all web processes share sees that, so the default
# caches only when CACHE_URL names one; the expiry bounds writes that bypass signals (update()).
WARDEN_TOKEN_CACHE_SECONDS = env_int(
    "WARDEN_TOKEN_CACHE_SECONDS",
    60 if CACHE_URL else 0,
    doc=(
        "how long an API token's user and roles stay cached; revoking the token or changing the "
        "user or their roles clears the entry at once"
    ),
    shown="60 with `CACHE_URL`, else 0 (off)",
)

# Single sign-on (OpenID Connect, mozilla-django-oidc). Unset WARDEN_OIDC_ISSUER leaves it off and
# local passwords on; set, local passwords are off unless WARDEN_LOCAL_LOGIN=true (break-glass).
WARDEN_OIDC_ISSUER = env_str(
    "WARDEN_OIDC_ISSUER",
    doc="the OpenID provider's issuer (`iss` of its ID tokens); set, single sign-on is on",
)
SSO_ENABLED = bool(WARDEN_OIDC_ISSUER)
WARDEN_OIDC_PROVIDER_NAME = env_str(
    "WARDEN_OIDC_PROVIDER_NAME", "your identity provider", doc="the provider's name on the pages"
)
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str(
    "WARDEN_OIDC_AUTHORIZATION_ENDPOINT", doc="the provider's authorization endpoint"
)
OIDC_OP_TOKEN_ENDPOINT = env_str("WARDEN_OIDC_TOKEN_ENDPOINT", doc="its token endpoint")
OIDC_OP_USER_ENDPOINT = env_str("WARDEN_OIDC_USERINFO_ENDPOINT", doc="its userinfo endpoint")
OIDC_OP_JWKS_ENDPOINT = env_str("WARDEN_OIDC_JWKS_ENDPOINT", doc="its JWKS (signing keys) endpoint")
OIDC_RP_CLIENT_ID = env_str("WARDEN_OIDC_CLIENT_ID", doc="Warden's client id at the provider")
OIDC_RP_CLIENT_SECRET = env_str(
    "WARDEN_OIDC_CLIENT_SECRET", doc="Warden's client secret at the provider"
)
OIDC_RP_SIGN_ALGO = env_str(
    "WARDEN_OIDC_SIGN_ALGO", "RS256", doc="the algorithm the provider signs ID tokens with"
)
OIDC_RP_SCOPES = env_str(
    "WARDEN_OIDC_SCOPES", "openid profile email groups", doc="the scopes Warden asks for"
)
OIDC_USE_NONCE = True
OIDC_CREATE_USER = True
OIDC_STORE_ID_TOKEN = False
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=refused"
WARDEN_OIDC_USERNAME_CLAIM = env_str(
    "WARDEN_OIDC_USERNAME_CLAIM",
    "preferred_username",
    doc="the claim that names a provisioned account",
)
WARDEN_OIDC_GROUPS_CLAIM = env_str(
    "WARDEN_OIDC_GROUPS_CLAIM", "groups", doc="the claim listing the user's groups"
)
WARDEN_OIDC_ROLE_MAP = env_pairs(
    "WARDEN_OIDC_ROLE_MAP",
    doc=(
        "provider group -> Warden role (`engineer`, `risk_officer`, `auditor`, `admin`), "
        "`group=role,...`; engineer and risk officer together refuse the login"
    ),
)
WARDEN_OIDC_TEAM_MAP = env_pairs(
    "WARDEN_OIDC_TEAM_MAP", doc="provider group -> Warden team slug, `group=team,...`"
)
WARDEN_LOCAL_LOGIN = env_bool(
    "WARDEN_LOCAL_LOGIN",
    not SSO_ENABLED,
    doc="password logins (pages, admin, API token); off by default once single sign-on is on",
    shown="`true`, `false` with `WARDEN_OIDC_ISSUER`",
)
WARDEN_REAUTHENTICATION_SECONDS = env_int(
    "WARDEN_REAUTHENTICATION_SECONDS",
    300,
    doc="how fresh a single sign-on re-authentication must be to sign (its `auth_time`)",
)

AUTH_USER_MODEL = "governance.User"
# django-axes locks a username out after repeated failed logins (pages and the token endpoint).
# With single sign-on on and WARDEN_LOCAL_LOGIN off, no password logs anyone in anywhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    *(["django.contrib.auth.backends.ModelBackend"] if WARDEN_LOCAL_LOGIN else []),
    *(["governance.sso.WardenOIDCBackend"] if SSO_ENABLED else []),
]
AXES_ENABLED = env_bool("AXES_ENABLED", True, doc="the login lockout (django-axes)")
AXES_FAILURE_LIMIT = env_int(
    "AXES_FAILURE_LIMIT", 5, doc="failed logins of one username from one address that lock them out"
)
AXES_COOLOFF_TIME = (
    env_int("AXES_COOLOFF_MINUTES", 15, doc="how long such a lockout lasts") / 60
)  # hours
# A username is locked from the address that failed, never for everyone behind that address
# (a shared proxy) nor from everywhere (anyone could lock a colleague out). Spraying many
# usernames from one address meets the token endpoint's throttle.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "governance.api.throttles.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every manage.py command
# Reverse proxies in front of Warden whose X-Forwarded-For is believed: the client address is
# the one the outermost of them saw. 0: REMOTE_ADDR only, so a forged header changes nothing.
WARDEN_TRUSTED_PROXIES = env_int(
    "WARDEN_TRUSTED_PROXIES",
    0,
    doc=(
        "reverse proxies in front of Warden whose `X-Forwarded-For` is believed: lockouts and "
        "throttles count the address the outermost of them saw; 0: `REMOTE_ADDR` only"
    ),
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The pages' own stylesheet and script (no third-party front-end code).
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(
    env_str(
        "STATIC_ROOT",
        str(VAR_DIR / "static"),
        doc="where `collectstatic` writes the files WhiteNoise serves",
        shown="`var/static`",
    )
)
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.staticfiles.QuickCompressedManifestStaticFilesStorage"},
}
# With a bucket, every stored file (artifacts, originals, Parquet copies, signed documents,
# checkpoints) lives in S3-compatible object storage, so workers on many hosts share no disk.
WARDEN_S3_BUCKET = env_str(
    "WARDEN_S3_BUCKET",
    doc="the S3-compatible bucket every stored file goes in (django-storages, boto3); unset: "
    "the media folder",
)
WARDEN_S3_ENDPOINT_URL = env_str(
    "WARDEN_S3_ENDPOINT_URL",
    doc="the object store's URL, e.g. `http://object-store:9000` (unset: AWS)",
)
WARDEN_S3_REGION = env_str("WARDEN_S3_REGION", "us-east-1", doc="the bucket's region")
WARDEN_S3_ACCESS_KEY = env_str(
    "WARDEN_S3_ACCESS_KEY", doc="the access key id (unset: boto3's own chain, e.g. an IAM role)"
)
# A secret never generated (env_secret would invent one no store knows): set it, or leave both
# key variables unset for boto3's credential chain.
WARDEN_S3_SECRET_KEY = env_str("WARDEN_S3_SECRET_KEY", doc="the secret access key")
if WARDEN_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": WARDEN_S3_BUCKET,
            "endpoint_url": WARDEN_S3_ENDPOINT_URL or None,
            "region_name": WARDEN_S3_REGION,
            "access_key": WARDEN_S3_ACCESS_KEY or None,
            "secret_key": WARDEN_S3_SECRET_KEY or None,
            # a name taken gets a suffix, as on disk: a stored file is never replaced
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
MEDIA_URL = "media/"
MEDIA_ROOT = Path(
    env_str(
        "MEDIA_ROOT",
        str(VAR_DIR / "media"),
        doc="uploaded artifacts and evaluation sets",
        shown="`var/media`",
    )
)
# Uploads bigger than this stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WARDEN_MAX_ARTIFACT_BYTES = env_int(
    "WARDEN_MAX_ARTIFACT_BYTES", 512 * 1024 * 1024, doc="model artifact upload cap", shown="512 MiB"
)
# A skops artifact (a ZIP) may unpack to this many bytes in this many members, at most.
WARDEN_MAX_SKOPS_UNPACKED_BYTES = env_int(
    "WARDEN_MAX_SKOPS_UNPACKED_BYTES",
    1024**3,
    doc="how far a skops artifact (a ZIP) may unpack, checked before loading",
    shown="1 GiB",
)
WARDEN_MAX_SKOPS_MEMBERS = env_int(
    "WARDEN_MAX_SKOPS_MEMBERS", 10_000, doc="the most files a skops artifact may hold"
)
# Evaluation-set uploads: the streamed cap; how far a Parquet file may expand once decoded
# (counted exactly, dictionary-encoded text included: no more than a CSV at the cap holds);
# and the most columns a file and characters a cell (or column name) may have.
WARDEN_MAX_UPLOAD_BYTES = env_int(
    "WARDEN_MAX_UPLOAD_BYTES",
    2 * 1024**3,
    doc="evaluation-set upload cap, enforced while the body streams",
    shown="2 GiB",
)
# A finding's remediation evidence (any file, kept with its sha256) may be this large.
WARDEN_MAX_EVIDENCE_BYTES = env_int(
    "WARDEN_MAX_EVIDENCE_BYTES",
    50 * 1024**2,
    doc="the largest evidence file a finding's remediation may attach",
    shown="50 MiB",
)
WARDEN_MAX_PARQUET_EXPANDED_BYTES = env_int(
    "WARDEN_MAX_PARQUET_EXPANDED_BYTES",
    2 * 1024**3,
    doc="how many bytes a Parquet upload may decode to, counted exactly before it is read",
    shown="2 GiB",
)
WARDEN_MAX_COLUMNS = env_int(
    "WARDEN_MAX_COLUMNS", 2_000, doc="the most columns an evaluation set may have"
)
WARDEN_MAX_CELL_CHARS = env_int(
    "WARDEN_MAX_CELL_CHARS",
    100_000,
    doc="the most characters a cell or column name of an evaluation set may have",
)
# LLM versions (issue #16): the hosts an endpoint descriptor's base_url may name (the workers
# call them; checked at upload and again before probing), and the cap on a transcript file.
WARDEN_LLM_ENDPOINT_ALLOWLIST = env_list(
    "WARDEN_LLM_ENDPOINT_ALLOWLIST",
    [],
    doc="comma-separated host names an LLM endpoint descriptor may call (none by default)",
    shown="(none)",
)
# Batch monitors (issue #18): the sources a monitor may pull its batches from, each a prefix
# ending in "/": "storage:<folder>/" (Django storage) or "https://host/path/" (or http).
WARDEN_MONITOR_PULL_ALLOWLIST = env_list(
    "WARDEN_MONITOR_PULL_ALLOWLIST",
    [],
    doc="comma-separated prefixes (storage:inbox/, https://host/path/) monitors may pull from",
    shown="(none)",
)
WARDEN_MONITOR_PULL_TIMEOUT_SECONDS = env_int(
    "WARDEN_MONITOR_PULL_TIMEOUT_SECONDS", 60, doc="how long one pull of a batch URL may take"
)
WARDEN_MAX_TRANSCRIPT_BYTES = env_int(
    "WARDEN_MAX_TRANSCRIPT_BYTES",
    256 * 1024**2,
    doc="the largest transcript (JSONL) evaluation set, read whole to validate and score",
    shown="256 MiB",
)
# Image / tensor sets (a ZIP or NPZ with manifest.csv): the battery's TensorLimits as JSON, the
# same on upload and on the workers. The archive itself is capped by WARDEN_MAX_UPLOAD_BYTES.
WARDEN_ARCHIVE_LIMITS = {
    "archive_bytes": WARDEN_MAX_UPLOAD_BYTES,
    "members": env_int(
        "WARDEN_MAX_ARCHIVE_MEMBERS", 200_000, doc="the most files an image / tensor set may hold"
    ),
    "member_bytes": env_int(
        "WARDEN_MAX_ARCHIVE_MEMBER_BYTES",
        256 * 1024**2,
        doc="how far one file of an image / tensor set may unpack",
        shown="256 MiB",
    ),
    "ratio": env_int(
        "WARDEN_MAX_ARCHIVE_RATIO",
        100,
        doc="the highest compression ratio of a file (past 1 MiB) in an image / tensor set",
    ),
    "pixels": env_int(
        "WARDEN_MAX_IMAGE_PIXELS",
        40_000_000,
        doc="the most pixels an image of a set may have, checked on its header before decoding",
    ),
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.api.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "governance.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "governance.api.errors.exception_handler",
    "NUM_PROXIES": WARDEN_TRUSTED_PROXIES,  # who the throttles count, see client_address
    # Scoped throttles: the token endpoint and uploads (per user, or per address when anonymous).
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_str(
            "WARDEN_THROTTLE_AUTH", "20/min", doc="rate of `POST /api/auth/token/` per address"
        ),
        "uploads": env_str(
            "WARDEN_THROTTLE_UPLOADS",
            "120/hour",
            doc="rate of uploads (artifacts, evaluation sets) per user",
        ),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Warden API",
    "DESCRIPTION": "Model governance registry: models, versions, audits, approvals, the trail.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "VersionStatusEnum": "governance.models.registry.VersionStatus",
        "RunStatusEnum": "audits.models.RunStatus",
        "IncidentStatusEnum": "governance.models.incidents.IncidentStatus",
        "IncidentSeverityEnum": "governance.models.incidents.Severity",
        "FindingSeverityEnum": "governance.models.findings.FindingSeverity",
        "SignatureMeaningEnum": "governance.models.decisions.SignatureMeaning",
        "DecisionMeaningEnum": "governance.models.decisions.DECISION_MEANINGS",
        "IncidentCategoryEnum": "governance.models.incidents.IncidentCategory",
        "AttackSeverityEnum": "governance.models.red_team.AttackSeverity",
        "AttackCategoryEnum": "governance.models.red_team.AttackCategory",
        "RuleStatusEnum": "governance.models.rulebooks.RuleStatus",
        "FieldKindEnum": "governance.models.inventory.FieldKind",
        "PointKindEnum": "audits.models.PointKind",
        "ReportKindEnum": "reports.models.ReportKind",
        "JobKindEnum": "reports.models.JobKind",
    },
}

# Celery. The embedded default is kombu's file-system transport: a real worker process,
# no broker server. Production sets CELERY_BROKER_URL=redis://... (or amqp://...).
CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL",
    "filesystem://",
    doc="`redis://host:6379/0` or `amqp://…` in production",
    shown="`filesystem://` (folders under `var/broker/`)",
)
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, str | bool] = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
for _key in ("data_folder_in", "control_folder"):
    _folder = CELERY_BROKER_TRANSPORT_OPTIONS.get(_key)
    if isinstance(_folder, str) and _folder:  # the file-system transport needs its folders
        Path(_folder).mkdir(parents=True, exist_ok=True)  # before a worker or client starts
# The queue tasks go to and workers read (one Redis can serve several Warden instances).
CELERY_TASK_DEFAULT_QUEUE = env_str(
    "CELERY_TASK_DEFAULT_QUEUE",
    "celery",
    doc="the queue tasks go to and workers read (one Redis can serve several Warden instances)",
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Fail fast when the broker is down, so a request answers 503 instead of hanging.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Every task marked `periodic=True` must be named here (tests/config/test_celery.py).
CELERY_BEAT_SCHEDULE = {
    "recover-audit-runs": {
        "task": "audits.tasks.audit_runs_recover",
        "schedule": float(
            env_int(
                "WARDEN_AUDIT_RECOVER_SECONDS",
                30,
                doc="how often beat looks for audit runs whose worker went quiet",
            )
        ),
    },
    "monitoring-audits": {"task": "audits.tasks.monitors_run_due", "schedule": 300.0},
    # Signed checkpoints of the trail head, kept in storage (governance.checkpoints).
    "trail-checkpoint": {
        "task": "governance.tasks.trail_checkpoint_write",
        "schedule": float(
            env_int(
                "WARDEN_TRAIL_CHECKPOINT_SECONDS",
                3600,
                doc="how often beat signs a checkpoint of the trail head into storage",
            )
        ),
    },
    "revalidation-reminders": {
        "task": "governance.tasks.revalidation_reminders_send",
        "schedule": 3600.0,
    },
    "staging-sweep": {"task": "audits.tasks.staging_sweep", "schedule": 3600.0},
    "deliveries-sweep": {"task": "governance.tasks.deliveries_sweep", "schedule": 60.0},
    "incident-deadline-reminders": {
        "task": "governance.tasks.incident_deadline_reminders_send",
        "schedule": 3600.0,
    },
    "mlflow-sync": {
        "task": "governance.tasks.mlflow_registry_sync",
        "schedule": float(
            env_int(
                "WARDEN_MLFLOW_SYNC_SECONDS",
                900,
                doc="how often beat syncs the MLflow registry (if a tracking URI is set)",
            )
        ),
    },
    "finding-overdue-reminders": {
        "task": "governance.tasks.finding_overdue_reminders_send",
        "schedule": 3600.0,
    },
}
# A web upload whose mapping step was abandoned is removed after this many hours.
WARDEN_CONTROLS_DIR = env_str(
    "WARDEN_CONTROLS_DIR",
    "",
    doc="a directory of the organisation's own control catalogue files (`*.json`), loaded "
    "with the shipped ones",
    shown="none",
)
WARDEN_STAGING_HOURS = env_int(
    "WARDEN_STAGING_HOURS", 24, doc="hours before an abandoned web upload's staged file is removed"
)
# Audit runs: rows per chunk task, and how long a silent run waits before its work is resent.
WARDEN_AUDIT_CHUNK_ROWS = env_int("WARDEN_AUDIT_CHUNK_ROWS", 262_144, doc="rows per chunk task")
# Row-group size of the Parquet copy of each upload: the finest split audit chunks can use.
WARDEN_PARQUET_ROW_GROUP_ROWS = env_int(
    "WARDEN_PARQUET_ROW_GROUP_ROWS",
    65_536,
    doc="row groups of the Parquet copy: the finest split of an audit",
)
WARDEN_AUDIT_ORPHAN_SECONDS = env_int(
    "WARDEN_AUDIT_ORPHAN_SECONDS", 120, doc="a running audit silent this long has its work resent"
)
# Workers yield the cores to the web tier: a niceness above gunicorn's (0) and bounded native
# thread pools, so the gate stays fast while audits run (config.worker_priority).
WARDEN_WORKER_NICE = env_int(
    "WARDEN_WORKER_NICE", 10, doc="the niceness Celery workers run at (the web tier runs at 0)"
)
WARDEN_WORKER_THREADS = env_int(
    "WARDEN_WORKER_THREADS", 2, doc="threads per worker process in Arrow and BLAS / OpenMP pools"
)
# The model checks measure on a seeded sample of this many rows; the black-box attack, the
# slowest (about half a second a row on a 100-tree forest), on this many of them.
WARDEN_MODEL_CHECK_OPTIONS = {
    "model_rows": env_int(
        "WARDEN_MODEL_CHECK_ROWS", 10_000, doc="sampled rows the model checks query the model on"
    ),
    "black_box_rows": env_int(
        "WARDEN_BLACK_BOX_ROWS", 20, doc="rows the black-box attack (HopSkipJump) runs on"
    ),
}
# Owners are reminded this many days before a version's approval expires.
WARDEN_REVALIDATION_NOTICE_DAYS = env_int(
    "WARDEN_REVALIDATION_NOTICE_DAYS",
    30,
    doc='reminders and the "due" list start this many days before an approval expires',
)
# The compliance report's long tables are laid out this many rows at a time, each section its
# own WeasyPrint render joined into one PDF, so memory stays flat however big the portfolio.
WARDEN_COMPLIANCE_SECTION_ROWS = env_int(
    "WARDEN_COMPLIANCE_SECTION_ROWS",
    1000,
    doc="the compliance PDF is laid out in sections of at most this many table rows, one "
    "WeasyPrint render each; a worker's memory grows with it",
)
# Signing (an e-signature re-checks the password): this many wrong passwords within the window
# lock the signer out of signing for the window.
WARDEN_SIGNATURE_MAX_FAILURES = env_int(
    "WARDEN_SIGNATURE_MAX_FAILURES",
    5,
    doc=(
        "wrong passwords at signing, within the lockout window, that lock the signer out of signing"
    ),
)
WARDEN_SIGNATURE_LOCKOUT_MINUTES = env_int(
    "WARDEN_SIGNATURE_LOCKOUT_MINUTES",
    15,
    doc="that window, and how long signing then stays locked",
)


def months_by_tier(name: str, default: list[str], doc: str) -> dict[int, int]:
    """A variable of three month counts, for tiers 1, 2 and 3."""
    return dict(zip((1, 2, 3), map(int, env_list(name, default, doc=doc)), strict=True))


# How long an approval lasts, in months, for tiers 1, 2 and 3 (DESIGN §4): only the seed of the
# first policy version's review months; after that the policy version in force decides.
WARDEN_REVALIDATION_MONTHS = months_by_tier(
    "WARDEN_REVALIDATION_MONTHS",
    ["12", "24", "36"],
    "the first policy version's approval lifetime in months for tiers 1, 2, 3 (later policy "
    "versions carry their own)",
)

# Periodic attestation (governance.attestations): months between the owner's attestations for
# tiers 1, 2 and 3, and what the deployment gate does about an overdue one ("warn": allow with
# a warning; "block": refuse), validated against governance's OverdueAttestation at start-up.
WARDEN_ATTESTATION_MONTHS = months_by_tier(
    "WARDEN_ATTESTATION_MONTHS",
    ["3", "6", "12"],
    "months between an owner's attestations for tiers 1, 2, 3",
)
WARDEN_ATTESTATION_OVERDUE = env_str(
    "WARDEN_ATTESTATION_OVERDUE",
    "warn",
    doc='what the gate does about an overdue attestation: "warn" (allow, with a warning) or '
    '"block" (refuse)',
)

# Reports (reports/): the organisation's signing key for model cards and compliance reports, a
# PKCS#12 or PEM file (key + certificate chain) and its password. Unset: a self-signed
# development key is made once under var/signing/ and every document says so.
WARDEN_SIGNING_KEY = env_str(
    "WARDEN_SIGNING_KEY",
    "",
    doc=(
        "the organisation's key for model cards and reports: a PKCS#12 or PEM file (key + "
        "certificate chain)"
    ),
    shown="unset: a self-signed development key, named so on every document",
)
WARDEN_SIGNING_PASSWORD = env_str("WARDEN_SIGNING_PASSWORD", "", doc="the signing key's password")
WARDEN_SIGNING_DEV_DIR = Path(
    env_str(
        "WARDEN_SIGNING_DEV_DIR",
        str(VAR_DIR / "signing"),
        doc="where the development signing key is made when no key is set",
        shown="`var/signing`",
    )
)
# The largest PDF /api/reports/verify/ accepts.
WARDEN_MAX_VERIFY_BYTES = env_int(
    "WARDEN_MAX_VERIFY_BYTES",
    50 * 1024 * 1024,
    doc="the largest PDF `POST /api/reports/verify/` accepts",
    shown="50 MiB",
)

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
    doc="Django e-mail backend for notifications",
    shown="console",
)
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "warden@localhost", doc="the sender of notifications"
)

# The outbox (governance.outbox, governance.delivery): webhooks and e-mail announcing events.
WARDEN_WEBHOOK_ALLOWED_HOSTS = env_list(
    "WARDEN_WEBHOOK_ALLOWED_HOSTS",
    [],
    doc=(
        "comma-separated host names webhooks may be sent to (`.example.org` allows its "
        "subdomains); none by default, so no endpoint can be added until an operator names one"
    ),
)
WARDEN_WEBHOOK_TIMEOUT_SECONDS = env_int(
    "WARDEN_WEBHOOK_TIMEOUT_SECONDS", 10, doc="how long one webhook attempt waits for an answer"
)
WARDEN_DELIVERY_MAX_ATTEMPTS = env_int(
    "WARDEN_DELIVERY_MAX_ATTEMPTS",
    8,
    doc="attempts of one delivery before it is dead-lettered (redeliver it from its page)",
)
WARDEN_DELIVERY_BACKOFF_SECONDS = env_int(
    "WARDEN_DELIVERY_BACKOFF_SECONDS",
    30,
    doc="wait before the first retry of a delivery; it doubles after every failed attempt",
)

# The MLflow registry sync (governance.mlflow_sync): read-only, REST only.
WARDEN_MLFLOW_TRACKING_URI = env_str(
    "WARDEN_MLFLOW_TRACKING_URI",
    "",
    doc="the MLflow tracking server whose model registry is synced (unset: no sync)",
    shown="(unset)",
)
WARDEN_MLFLOW_TOKEN = env_str(
    "WARDEN_MLFLOW_TOKEN", "", doc="bearer token sent to the MLflow server, if it asks for one"
)
WARDEN_MLFLOW_SYNC_USER = env_str(
    "WARDEN_MLFLOW_SYNC_USER",
    "",
    doc="username the sync acts as on the trail (an engineer of the mapped teams, or an admin)",
)
WARDEN_MLFLOW_OWNERS = env_str(
    "WARDEN_MLFLOW_OWNERS",
    "[]",
    doc=(
        'JSON list of `{"match": glob, "owner": username, "team": slug}`: the first rule whose '
        "glob matches an MLflow model's name gives its owner and team"
    ),
)
WARDEN_MLFLOW_PAGE_SIZE = env_int(
    "WARDEN_MLFLOW_PAGE_SIZE", 100, doc="models or versions asked of MLflow per page"
)
WARDEN_MLFLOW_WEBHOOK_SECRET = env_str(
    "WARDEN_MLFLOW_WEBHOOK_SECRET",
    "",
    doc="the secret given to MLflow's webhook; unset refuses every delivery",
    shown="(unset)",
)
WARDEN_MLFLOW_WEBHOOK_MAX_AGE_SECONDS = env_int(
    "WARDEN_MLFLOW_WEBHOOK_MAX_AGE_SECONDS",
    300,
    doc="how far an MLflow delivery's timestamp may be from now before it is refused as stale",
)

# Production hardening. WARDEN_HTTPS=true (production) turns on the HTTPS-only switches;
# the embedded default serves plain HTTP on 127.0.0.1 and leaves them off.
HTTPS = env_bool(
    "WARDEN_HTTPS", False, doc="`true` behind TLS: secure cookies, HSTS, HTTPS redirect"
)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Operating it (config/operations): structured logs, and who may read /metrics.
LOGGING = logging_config(
    env_str(
        "WARDEN_LOG_FORMAT",
        "text",
        doc="`json`: one JSON object a line carrying the request id (web) or the task and audit "
        "run ids (workers); `text`: lines for people",
    ),
    env_str("LOG_LEVEL", "INFO", doc="the root log level"),
)
WARDEN_METRICS_TOKEN = env_str(
    "WARDEN_METRICS_TOKEN",
    "",
    doc="the bearer token Prometheus sends to `/metrics`; unset, only a direct loopback caller "
    "may read it",
    shown="unset (loopback only)",
)

"""The one settings file. Everything that differs between machines comes from the environment.

DJANGO_ENV=production switches off debug, demands SECRET_KEY and ALLOWED_HOSTS and turns on
HTTPS-only cookies and HSTS. Nothing else reads the environment.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = ENV == "production"
DEBUG = not PRODUCTION and os.environ.get("DJANGO_DEBUG", "1") == "1"


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production")
    return value


if PRODUCTION:
    SECRET_KEY = _required("SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
else:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
    ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "ninja",
    "accounts",
    "audit",
    "suppliers",
    "procurement",
    "pki",
    "bids",
    "awards",
    "contracts",
    "transparency",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "config.middleware.ApiErrorShapeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.NulInPathMiddleware",  # after auth: the 404 page shows who is logged in
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "suppliers.middleware.OrganisationTimezoneMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "suppliers.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL,
        # Persistent connections on PostgreSQL: a new backend per request costs more of the
        # database's CPU than the request itself (bench/bid_submit.py: 12 ms against 4 ms per
        # bid). Checked before reuse, so a restarted database costs one failed check, not a
        # failed request. DB_CONN_MAX_AGE=0 closes them after each request (behind PgBouncer).
        conn_max_age=int(
            os.environ.get("DB_CONN_MAX_AGE", "0" if _DATABASE_URL.startswith("sqlite") else "60")
        ),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes SQLite's write lock when a transaction starts, so two writers
        # serialise instead of failing on lock upgrade; recursive_triggers makes
        # INSERT OR REPLACE fire the delete guards of append-only tables.
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA recursive_triggers=ON; PRAGMA foreign_keys=ON;",
        "timeout": 20,
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("SQLITE_TEST_NAME")
elif os.environ.get("DB_PREPARED_STATEMENTS", "1") == "1":
    # Lets the audit recorder keep its append statement prepared (half the database's CPU per
    # event). Django's queries use client-side binding and are not prepared either way. Set
    # DB_PREPARED_STATEMENTS=0 behind a transaction-pooling PgBouncer older than 1.21.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend plus the audit log's durability barrier (audit/durability.py).
    DATABASES["default"]["ENGINE"] = "config.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
INVITATION_VALID_DAYS = 14

# --- Internationalisation and time --------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("kk", _("Kazakh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Stored in UTC always; this is the zone pages show when the viewer's agency names none.
TIME_ZONE = "Asia/Almaty"
DISPLAY_TIME_ZONE = os.environ.get("DISPLAY_TIME_ZONE", "Asia/Almaty")

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
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
# Tender documents: the largest upload, and the kinds accepted (told from a file's first
# bytes, never from its name or the Content-Type the client sends).
TENDER_DOCUMENT_MAX_BYTES = int(os.environ.get("TENDER_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))
TENDER_DOCUMENT_TYPES = [
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/zip",
    "image/png",
    "image/jpeg",
]
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [
        o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
    ]

# --- Platform ---------------------------------------------------------------------------------
PLATFORM_NAME = os.environ.get("PLATFORM_NAME", "Open Tender Platform")
PLATFORM_ORIGIN = os.environ.get("PLATFORM_ORIGIN", "http://127.0.0.1:8000")
# Login throttling (accounts/throttle.py): failures per e-mail and per client address allowed
# within the window before further attempts are refused.
LOGIN_THROTTLE_LIMIT = int(os.environ.get("LOGIN_THROTTLE_LIMIT", "5"))
LOGIN_THROTTLE_IP_LIMIT = int(os.environ.get("LOGIN_THROTTLE_IP_LIMIT", "50"))
LOGIN_THROTTLE_WINDOW = int(os.environ.get("LOGIN_THROTTLE_WINDOW", "900"))
# Behind a reverse proxy: the META key of the header it sets to the client's address.
CLIENT_ADDRESS_HEADER = os.environ.get("CLIENT_ADDRESS_HEADER", "")
# Times shown to people (the agencies' zone); stored times are UTC.
TIME_ZONE_DISPLAY = os.environ.get("TIME_ZONE_DISPLAY", "Asia/Almaty")
OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX", "ocds-otp001")
OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", "Open Tender Platform")
# Platform-native red flags (transparency/flags/native.py).
RED_FLAG_BID_SECONDS = int(os.environ.get("RED_FLAG_BID_SECONDS", "30"))
RED_FLAG_PRICE_RISE_PERCENT = os.environ.get("RED_FLAG_PRICE_RISE_PERCENT", "5")
# Cardinal's settings file (INI) for its indicators over the platform's data; empty: defaults.
RED_FLAGS_SETTINGS = os.environ.get("RED_FLAGS_SETTINGS", "")
# The clock recomputes red flags after new releases, at most this often (a full recompute).
RED_FLAGS_MIN_INTERVAL_SECONDS = int(os.environ.get("RED_FLAGS_MIN_INTERVAL_SECONDS", "300"))
# Jobs the clock runs on every pass besides its own, as dotted paths: apps above procurement
# plug in here, so the clock imports none of them.
CLOCK_JOBS = [
    job for job in os.environ.get("CLOCK_JOBS", "transparency.jobs.run").split(",") if job
]
DEMO_DIR = Path(os.environ.get("DEMO_DIR", VAR_DIR / "demo"))

# --- Signing certificates (pki) ---------------------------------------------------------------
# PEM files; roots and intermediates colon-separated, CRL sources (paths or file:// URLs)
# comma-separated because URLs hold colons. Outside production they default to the demo CA.
_DEMO_PKI = DEMO_DIR / "pki"


def _env_list(name: str, separator: str, default: list) -> list:
    raw = os.environ.get(name)
    if raw is None:
        return [] if PRODUCTION else default
    return [item.strip() for item in raw.split(separator) if item.strip()]


PKI_TRUST_ROOTS = _env_list("PKI_TRUST_ROOTS", ":", [_DEMO_PKI / "root.pem"])
PKI_INTERMEDIATES = _env_list("PKI_INTERMEDIATES", ":", [_DEMO_PKI / "intermediate.pem"])
PKI_CRL_SOURCES = _env_list(
    "PKI_CRL_SOURCES", ",", [_DEMO_PKI / "crl.pem", _DEMO_PKI / "root-crl.pem"]
)
# A CRL past its nextUpdate, or last fetched longer ago than this, no longer vouches for
# anything: signatures are refused until a fresh one is fetched (fail closed).
PKI_CRL_MAX_AGE_SECONDS = int(os.environ.get("PKI_CRL_MAX_AGE_SECONDS", "86400"))
PKI_CRL_REFRESH_SECONDS = int(os.environ.get("PKI_CRL_REFRESH_SECONDS", "3600"))

# Sealed bids (bids/). Receipts are signed with their own Ed25519 key, so a leaked receipt
# key cannot forge checkpoints and the other way round.
BID_RECEIPT_KEY = Path(os.environ.get("BID_RECEIPT_KEY", VAR_DIR / "keys" / "receipt-ed25519.pem"))
# Deadlines are judged by PostgreSQL's clock, so every app server agrees (tests that move
# time with time-machine turn this off; tests/bids has one that keeps it on).
TRUST_DATABASE_CLOCK = os.environ.get("TRUST_DATABASE_CLOCK", "1") == "1"
BID_NONCE_TTL_SECONDS = int(os.environ.get("BID_NONCE_TTL_SECONDS", "900"))
# Receipts name a checkpoint covering their bid (bids/receipts.py). With 0 (the default, for
# sync workers, one per core) a receipt signs one at once unless one covers its bid already.
# Above 0 one is signed at most this often and the bids accepted meanwhile share it, each
# receipt waiting up to this long: for threaded workers, which serve others while one waits.
BID_RECEIPT_CHECKPOINT_SPACING_MS = int(os.environ.get("BID_RECEIPT_CHECKPOINT_SPACING_MS", "0"))
BID_STATEMENT_MAX_BYTES = int(os.environ.get("BID_STATEMENT_MAX_BYTES", str(16 * 1024)))
BID_SIGNATURE_MAX_BYTES = int(os.environ.get("BID_SIGNATURE_MAX_BYTES", str(64 * 1024)))
BID_SEALED_MAX_BYTES = int(os.environ.get("BID_SEALED_MAX_BYTES", str(30 * 1024 * 1024)))
API_PAGE_SIZE = 50

# --- Audit log --------------------------------------------------------------------------------
# The origin line of every checkpoint: names this log, so a checkpoint cannot be replayed
# against another deployment's log.
AUDIT_LOG_ORIGIN = os.environ.get("AUDIT_LOG_ORIGIN", "tenders.example.kz/audit-log")
AUDIT_CHECKPOINT_KEY = Path(
    os.environ.get("AUDIT_CHECKPOINT_KEY", VAR_DIR / "keys" / "checkpoint-ed25519.pem")
)
AUDIT_CHECKPOINT_KEY_NAME = os.environ.get("AUDIT_CHECKPOINT_KEY_NAME", AUDIT_LOG_ORIGIN)
# The off-database copy: one file per checkpoint that operators ship off the machine.
# Hand the log's head to the next writer before the commit's WAL flush, and answer the
# writer only after it (audit/durability.py); 0 keeps the head through the flush.
AUDIT_EARLY_LOCK_RELEASE = os.environ.get("AUDIT_EARLY_LOCK_RELEASE", "1") == "1"
AUDIT_CHECKPOINT_DIR = Path(os.environ.get("AUDIT_CHECKPOINT_DIR", VAR_DIR / "checkpoints"))
# Outside production a missing checkpoint key is generated on first use; production must
# be given one, so a lost key is noticed instead of silently replaced.
AUDIT_GENERATE_MISSING_KEY = not PRODUCTION
# The clock signs a checkpoint at least this often (seconds) while the log grows.
AUDIT_CHECKPOINT_INTERVAL = int(os.environ.get("AUDIT_CHECKPOINT_INTERVAL", "60"))

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

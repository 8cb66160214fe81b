"""Settings shared by every mode. Each mode (dev, test, prod) imports this and adjusts.

Everything that differs between machines comes from environment variables (settings/env.py).
"""

import ipaddress
from pathlib import Path

from csp.constants import SELF
from django.core.exceptions import ImproperlyConfigured

from maillage.settings.env import env_bool, env_database, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("MAILLAGE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

MAILLAGE_ENV = "base"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Demo accounts (seed_demo) may log in only where this is true: never in production.
MAILLAGE_DEMO_ACCOUNTS_ALLOWED = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "maillage.core",
    "maillage.ui",
    "maillage.directory",
    "maillage.people",
    "maillage.casework",
    "maillage.register",
    "maillage.volunteers",
    "maillage.referrals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "maillage.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "maillage.core.middleware.InactivityTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "maillage.core.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "maillage.core.middleware.CurrentOrganisationMiddleware",
    "maillage.core.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
    # A form sent twice (double click) is handled once (core.idempotency).
    "maillage.core.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "maillage.urls"
WSGI_APPLICATION = "maillage.wsgi.application"

# The design system (maillage.ui.themes, decisions.md item 35): « neutral » (default) for any
# deploying organisation, wearing its own identity (ui.SiteIdentity, technical administration);
# « dsfr » only for a State service, named in MAILLAGE_STATE_SERVICE (checked at start-up).
MAILLAGE_THEME = env_str("MAILLAGE_THEME", "neutral")
MAILLAGE_STATE_SERVICE = env_str("MAILLAGE_STATE_SERVICE", "")

# Both themes' form templates (django-dsfr's and maillage/ui's), through one renderer per process:
# django-dsfr's forms otherwise build a renderer, hence a template engine with an empty cache, for
# every form, and read and parse each widget template from disk at every page (8 ms of the
# directory search page).
FORM_RENDERER = "dsfr.forms.DsfrDjangoTemplates"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "maillage" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maillage.core.context_processors.shell",
                "maillage.ui.context_processors.ui",
            ],
        },
    }
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'maillage.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication (CNIL deliberation 2022-100; ANSSI recommendations on authentication) -------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "maillage.core.auth_backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "maillage.core.validators.CnilPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:login"

# Lockout after repeated failures (django-axes, counted by maillage.core.lockout.LockoutHandler):
# 5 failures for one e-mail (whatever its capitals or spaces, from any address), or 20 failures
# from one client address (over any e-mails), lock that e-mail or that address for 30 minutes.
AXES_FAILURE_LIMIT = env_int("MAILLAGE_LOGIN_FAILURE_LIMIT", 5)
MAILLAGE_LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("MAILLAGE_LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each its own count, in this order
AXES_HANDLER = "maillage.core.lockout.LockoutHandler"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "maillage.core.lockout.lockout_username"
# One reading of the client's address (maillage.core.clientip), behind the trusted proxies only.
AXES_CLIENT_IP_CALLABLE = "maillage.core.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "maillage.core.views.auth.lockout_response"
AXES_VERBOSE = False

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated); none by
# default: the connection's address is the client's.
MAILLAGE_TRUSTED_PROXIES = env_list("MAILLAGE_TRUSTED_PROXIES", [])
for _proxy in MAILLAGE_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"La variable d'environnement MAILLAGE_TRUSTED_PROXIES contient « {_proxy} » : attendu des adresses "
            "IP ou des réseaux (10.0.0.0/8) séparés par des virgules."
        ) from None

# Second factor (django-otp). Every role handles personal data, so every member needs TOTP.
OTP_TOTP_ISSUER = "Maillage"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
MAILLAGE_RECOVERY_CODES_COUNT = 10

# Accounts (decisions.md, item 22). An invitation of an existing account is answered within 14 days.
# Invitations and welcome e-mails: at most 20 an hour per administrator, 100 a day per organisation.
# Password-reset requests: at most 3 an hour per e-mail and 20 an hour per client address.
MAILLAGE_INVITATION_VALIDITY_DAYS = 14
MAILLAGE_INVITATION_LIMIT_PER_ADMIN_PER_HOUR = env_int("MAILLAGE_INVITATION_LIMIT_PER_ADMIN_PER_HOUR", 20)
MAILLAGE_INVITATION_LIMIT_PER_ORGANISATION_PER_DAY = env_int("MAILLAGE_INVITATION_LIMIT_PER_ORGANISATION_PER_DAY", 100)
MAILLAGE_PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR = env_int("MAILLAGE_PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR", 3)
MAILLAGE_PASSWORD_RESET_LIMIT_PER_ADDRESS_PER_HOUR = env_int("MAILLAGE_PASSWORD_RESET_LIMIT_PER_ADDRESS_PER_HOUR", 20)

# Sessions: closed after inactivity (ANSSI), cookie bound to the browser session.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MAILLAGE_INACTIVITY_TIMEOUT = env_int("MAILLAGE_INACTIVITY_TIMEOUT_MINUTES", 30) * 60
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
CSRF_FAILURE_VIEW = "maillage.core.views.errors.csrf_failure"

# --- Audit (django-auditlog writes into core.AuditLogEntry) --------------------------------------
AUDITLOG_LOGENTRY_MODEL = "core.AuditLogEntry"
# auditlog's own migrations would create its (swapped out, unused) auditlog_logentry table, whose
# foreign key to content types breaks flushing on PostgreSQL. Without them no such table exists.
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_CID_HEADER = None
AUDITLOG_STORE_JSON_CHANGES = True

# --- Background tasks (Django's task API, django-tasks backport, database backend) ---------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- E-mail --------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Maillage <ne-pas-repondre@maillage.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = VAR_DIR / "media"
# The neutral theme's files from npm packages (package-lock.json), one by one: maillage.ui.finders.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "maillage.ui.finders.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security headers -----------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],  # no inline script anywhere
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("MAILLAGE_LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}

MAILLAGE_SITE_NAME = "Maillage"

# The site's public address, for the absolute links of e-mails sent outside any request (reminders,
# digests): set it in production (https://maillage.example.fr), without a trailing slash.
MAILLAGE_BASE_URL = env_str("MAILLAGE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

if not MAILLAGE_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"La variable d'environnement MAILLAGE_BASE_URL vaut « {MAILLAGE_BASE_URL} » : attendu l'adresse "
        "du site, par exemple https://maillage.example.fr."
    )

# The directory's search pages answer from an in-memory index (maillage.directory.search.index):
# « background » builds it in a thread when it is out of date (SQL answers meanwhile), « sync » in
# the search that needs it, « off » never.
# A merge of two persons' files can be undone for this many days (people.services.person_merge_undo).
MAILLAGE_MERGE_UNDO_DAYS = env_int("MAILLAGE_MERGE_UNDO_DAYS", 7)
# A form sent twice within this many seconds is handled once (core.idempotency).
MAILLAGE_FORM_TOKEN_SECONDS = env_int("MAILLAGE_FORM_TOKEN_SECONDS", 600)
# A referral sent or received with no answer after this many days is « en retard » (issue 14).
REFERRALS_REMINDER_DAYS = env_int("MAILLAGE_REFERRALS_REMINDER_DAYS", 5)
# The link e-mailed to a partner without an account expires after this many days (decision « nolink »).
REFERRALS_LINK_DAYS = env_int("MAILLAGE_REFERRALS_LINK_DAYS", 14)
# A list transmitted to the register (register.importing) is refused above this size, before it is read
# (a list of 20,000 persons is about 2 MB of CSV). Larger uploads still reach Django, which streams a file
# above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file: set the web server's body limit above this one.
REGISTER_IMPORT_MAX_BYTES = env_int("REGISTER_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# The preview and the import run in the request (2,000 rows: 20 s to preview, 50 s to import on SQLite, on a
# loaded machine): past this many rows a list is to be split.
REGISTER_IMPORT_MAX_ROWS = env_int("REGISTER_IMPORT_MAX_ROWS", 1000)
# An import's file waits this long between its preview and its confirmation (in the cache), then is gone.
REGISTER_IMPORT_PREVIEW_SECONDS = 60 * 60
MAILLAGE_DIRECTORY_SEARCH_INDEX = env_str("MAILLAGE_DIRECTORY_SEARCH_INDEX", "background")
if MAILLAGE_DIRECTORY_SEARCH_INDEX not in ("background", "sync", "off"):
    raise ImproperlyConfigured("MAILLAGE_DIRECTORY_SEARCH_INDEX : « background », « sync » ou « off ».")

# One cache shared by every web process (the per-address limits of directory e-mails count there):
# a table of the database, created by `manage.py createcachetable` (make run; Django's test
# databases create it themselves).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "maillage_cache",
    }
}

# Register of vulnerable persons (issue 13): a call not reached is tried again after these delays
# (minutes, growing), up to REGISTER_MAX_ATTEMPTS tries; then it is « injoignable » and escalates.
REGISTER_MAX_ATTEMPTS = 3
REGISTER_RETRY_DELAYS_MINUTES = (60, 180)
# What follows a call (register.services.orientation, guide VISA « Orienter les personnes »): follow-up
# calls are due at this hour (local time) on their day, so that they appear on the callers' lists the
# next morning; level 1 gets a regular contact every REGISTER_REGULAR_CONTACT_DAYS, levels 2 and 3 a
# friendly call every REGISTER_FRIENDLY_EVERY_DAYS and, while a crisis is in progress, a watch call
# every REGISTER_WATCH_EVERY_DAYS[kind of crisis] days.
REGISTER_FOLLOW_UP_HOUR = 9
REGISTER_REGULAR_CONTACT_DAYS = 30
REGISTER_FRIENDLY_EVERY_DAYS = 7
REGISTER_WATCH_EVERY_DAYS = {"heatwave": 1, "cold": 1, "flood": 1, "epidemic": 2, "other": 1}

"""Development: the `make run` mode. SQLite by default, demo accounts allowed; e-mails never leave the
machine: each is written to var/mails/ (one .eml file) and printed by the task worker that sends it."""

from maillage.settings.base import *  # noqa: F403
from maillage.settings.env import env_bool, env_str

MAILLAGE_ENV = "dev"
DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
MAILLAGE_DEMO_ACCOUNTS_ALLOWED = True
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "maillage.core.mail_backends.DevEmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mails"))  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

"""Development: the `make run` mode. SQLite by default, demo accounts allowed, e-mails on the console."""

from maillage.settings.base import *  # noqa: F403
from maillage.settings.env import env_bool, env_str

MAILLAGE_ENV = "dev"
DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
MAILLAGE_DEMO_ACCOUNTS_ALLOWED = True
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

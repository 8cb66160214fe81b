"""Tests: the database comes from DATABASE_URL (SQLite by default), e-mails stay in memory."""

from maillage.settings.base import *  # noqa: F403
from maillage.settings.base import TEMPLATES
from maillage.settings.env import env_str

MAILLAGE_ENV = "test"
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
DEBUG = False
MAILLAGE_DEMO_ACCOUNTS_ALLOWED = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": env_str("MAILLAGE_TEST_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# An undefined variable in a template is a bug: make it loud.
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "INVALID_TEMPLATE_VARIABLE[%s]"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The directory's search index (directory.search.index) is built by the search that needs it, so
# that tests exercise it; « background » (the default) would answer those searches in SQL.
MAILLAGE_DIRECTORY_SEARCH_INDEX = "sync"

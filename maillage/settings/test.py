"""Tests: the database comes from DATABASE_URL (SQLite by default), e-mails stay in memory."""

from pathlib import Path

from maillage.settings.base import *  # noqa: F403
from maillage.settings.base import DATABASES, TEMPLATES
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

# SQLite: the test database is a file next to the one DATABASE_URL names (test_<name>, and
# test_<name>_gw0… under pytest-xdist), never Django's shared in-memory database. With the latter,
# the browser tests' live server hands the test thread's one connection to its request threads: a
# task the test runs (`run_task_worker`) while the page polls it, or the flush after a test while a
# request is still being answered, then interleave statements on one connection, and SQLite answers
# « database table is locked » (no busy timeout applies to that). With a file each thread has its own
# connection, in WAL mode; a writer waits for the other (BEGIN IMMEDIATE, up to `timeout` seconds).
_default = DATABASES["default"]
if _default["ENGINE"] == "django.db.backends.sqlite3" and _default["NAME"] not in ("", ":memory:"):
    _name = Path(_default["NAME"])
    _default["TEST"] = {**_default.get("TEST", {}), "NAME": str(_name.with_name(f"test_{_name.name}"))}
    _default["OPTIONS"] = {**_default.get("OPTIONS", {}), "timeout": 20}

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from maillage.core.checks import check_no_demo_accounts
from maillage.settings import env
from tests.core.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "value", "reader", "message"),
    [
        ("X_BOOL", "peut-être", lambda: env.env_bool("X_BOOL"), "attendu un booléen"),
        ("X_INT", "trente", lambda: env.env_int("X_INT", 1), "attendu un nombre entier"),
        ("X_DB", "pas-une-url", lambda: env.env_database("X_DB", "sqlite:///x"), "attendu une URL de base de données"),
        ("X_DB", "mysql://root@localhost/x", lambda: env.env_database("X_DB", "sqlite:///x"), "SQLite ou PostgreSQL"),
    ],
)
def test_malformed_environment_variable_names_itself(monkeypatch, name, value, reader, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured) as exc:
        reader()
    assert name in str(exc.value)
    assert message in str(exc.value)


def test_env_readers_accept_french_booleans_and_lists(monkeypatch):
    monkeypatch.setenv("X_BOOL", "oui")
    monkeypatch.setenv("X_LIST", "a.fr, b.fr,,")
    assert env.env_bool("X_BOOL") is True
    assert env.env_list("X_LIST") == ["a.fr", "b.fr"]


def _start_production(**extra):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    environment.update({"DJANGO_SETTINGS_MODULE": "maillage.settings.prod", **extra})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


GOOD_KEY = "k" * 30 + "Zq8#vX2!mP9@rT5$wY7^uI3&oL1*aS6("


def test_production_refuses_to_start_without_a_strong_secret_key():
    result = _start_production()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY est absente ou trop faible" in result.stderr


def test_production_refuses_debug():
    result = _start_production(DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_DEBUG="1")
    assert result.returncode != 0
    assert "refuse de démarrer en mode débogage" in result.stderr


def test_production_starts_with_a_proper_configuration():
    result = _start_production(DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS="maillage.example.fr")
    assert result.returncode == 0, result.stderr


def test_production_settings_are_secure():
    result = _start_production(DJANGO_SECRET_KEY=GOOD_KEY)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
        "s.MAILLAGE_DEMO_ACCOUNTS_ALLOWED, s.LANGUAGE_CODE, s.TIME_ZONE)"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update({"DJANGO_SETTINGS_MODULE": "maillage.settings.prod", "DJANGO_SECRET_KEY": GOOD_KEY})
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode == 0
    assert out.stdout.split() == ["True", "True", "31536000", "True", "False", "fr", "Europe/Paris"]


@pytest.mark.django_db
def test_deploy_check_refuses_active_demo_accounts(settings):
    settings.MAILLAGE_DEMO_ACCOUNTS_ALLOWED = False
    assert check_no_demo_accounts() == []
    UserFactory(is_demo=True)
    errors = check_no_demo_accounts()
    assert [e.id for e in errors] == ["maillage.E001"]
    assert "compte(s) de démonstration" in errors[0].msg


def test_content_security_policy_header_is_sent(client, db):
    response = client.get("/connexion/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy or policy.endswith("script-src 'self'")
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "key",
    [
        "a" * 50,
        "ab" * 40,
        "abcdefghijklmnop" * 4,  # 16 distinct characters, evenly: a pattern, not a random draw
        "0123456789" * 6,
        "k" * 45 + "Zq8#vX2!mP",
    ],
)
def test_production_refuses_a_long_but_low_entropy_key(key):
    result = _start_production(DJANGO_SECRET_KEY=key)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY est absente ou trop faible" in result.stderr


def test_generated_keys_pass_the_entropy_check():
    import secrets

    from django.core.management.utils import get_random_secret_key

    from maillage.core.validators import secret_key_weakness

    for _ in range(300):
        assert secret_key_weakness(get_random_secret_key()) == ""
        assert secret_key_weakness(secrets.token_hex(32)) == ""
        assert secret_key_weakness(secrets.token_urlsafe(50)) == ""
    assert secret_key_weakness(GOOD_KEY) == ""
    assert "caractères différents" in secret_key_weakness("ab" * 40)


def test_a_postgresql_pool_is_asked_by_its_size_and_replaces_persistent_connections(monkeypatch):
    url = "postgres://maillage@127.0.0.1:5432/maillage"
    assert "pool" not in env.env_database("X_DB", url).get("OPTIONS", {})  # by default: persistent connections
    monkeypatch.setenv("DATABASE_POOL_SIZE", "20")
    config = env.env_database("X_DB", url)
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 20, "timeout": 10}
    assert config["CONN_MAX_AGE"] == 0
    assert "pool" not in env.env_database("X_DB", "sqlite:///x").get("OPTIONS", {})  # SQLite: no pool
    monkeypatch.setenv("DATABASE_POOL_SIZE", "-1")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_POOL_SIZE"):
        env.env_database("X_DB", url)

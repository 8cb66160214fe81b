"""Read settings from environment variables, failing at start-up with a French message that names
the variable and the reason when a value is malformed."""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on", "oui", "vrai"}
_FALSE = {"0", "false", "no", "off", "non", "faux", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"La variable d'environnement {name} vaut « {raw} » : attendu un booléen (1/0, true/false, oui/non)."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"La variable d'environnement {name} vaut « {raw} » : attendu un nombre entier."
        ) from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    if "://" not in raw:
        raise ImproperlyConfigured(
            f"La variable d'environnement {name} vaut « {raw} » : attendu une URL de base de données, "
            "par exemple postgres://utilisateur@127.0.0.1:5432/maillage ou sqlite:///chemin/db.sqlite3."
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except (ValueError, dj_database_url.ParseError, dj_database_url.UnknownSchemeError) as exc:
        raise ImproperlyConfigured(
            f"La variable d'environnement {name} vaut « {raw} » : URL de base de données illisible ({exc})."
        ) from None
    if config["ENGINE"] not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        raise ImproperlyConfigured(
            f"La variable d'environnement {name} désigne le moteur {config['ENGINE']} : "
            "Maillage fonctionne avec SQLite ou PostgreSQL."
        )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
        return config
    pool_size = env_int("DATABASE_POOL_SIZE", 0)
    if pool_size < 0:
        raise ImproperlyConfigured(
            f"La variable d'environnement DATABASE_POOL_SIZE vaut « {pool_size} » : attendu 0 (pas de pool) "
            "ou le nombre de connexions que chaque processus partage entre ses fils."
        )
    if pool_size:
        # A pool shared by the threads of one process (gunicorn --threads, ASGI): each request takes
        # a connection and gives it back at its end; Django refuses persistent connections with it.
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "pool": {"min_size": min(2, pool_size), "max_size": pool_size, "timeout": 10},
        }
    return config

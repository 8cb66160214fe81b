"""Production: reads only environment variables and refuses to start on an unsafe configuration."""

from django.core.exceptions import ImproperlyConfigured

from maillage.core.validators import secret_key_weakness
from maillage.settings.base import *  # noqa: F403
from maillage.settings.base import DEBUG, SECRET_KEY
from maillage.settings.env import env_bool, env_int

MAILLAGE_ENV = "prod"
MAILLAGE_DEMO_ACCOUNTS_ALLOWED = False

_INSECURE_KEY_MARKERS = ("insecure", "dev-only", "test-only", "changeme", "secret")
_key_weakness = secret_key_weakness(SECRET_KEY or "")
if any(m in (SECRET_KEY or "").lower() for m in _INSECURE_KEY_MARKERS):
    _key_weakness = "elle contient un mot de clé d'exemple"
if not SECRET_KEY or _key_weakness:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY est absente ou trop faible"
        + (f" ({_key_weakness})" if SECRET_KEY else "")
        + " : la production exige une clé aléatoire d'au moins 50 caractères "
        '(python -c "from django.core.management.utils import get_random_secret_key as g; print(g())").'
    )
if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG est activé : la production refuse de démarrer en mode débogage.")

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

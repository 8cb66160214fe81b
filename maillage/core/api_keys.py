"""Personal API keys (decision 60): made, revoked, and checked at each request of the partner
API. Only the SHA-256 digest of a key is stored: the secret (« mlg_ » + 43 characters, 256 random
bits — a slow hash adds nothing to such a secret) is shown once, at creation. Creation and
revocation go to the audit trail (`core.audit`: the model is registered, its digest excluded)."""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import access
from maillage.core.access.referrals import REFERRAL_INBOX_ROLES
from maillage.core.exceptions import ApplicationError
from maillage.core.models import ApiKey, ApiKeyScope, Membership, Organisation, User

TOKEN_PREFIX = "mlg_"  # noqa: S105 — the public start of every key, not a secret
PREFIX_LENGTH = 12  # « mlg_ » and 8 random characters: shown in the lists, never enough to use
DEFAULT_DAYS = 90
MAX_DAYS = 366
VALIDITY_CHOICES = ((30, "30 jours"), (90, "90 jours"), (180, "6 mois"), (365, "1 an"))
LAST_USED_PRECISION = datetime.timedelta(minutes=1)  # one write per key and minute at most


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    secret: str  # shown once, never stored


@transaction.atomic
def api_key_create(*, actor: User, organisation: Organisation, name: str, days: int = DEFAULT_DAYS) -> CreatedKey:
    """A key for `actor`, for `organisation`, valid `days` days (a year at most): only a member in a
    role that receives referrals makes one, for themselves."""
    if not access.can_create_api_key(actor, organisation):
        raise ApplicationError("Votre rôle dans cette structure ne permet pas de créer une clé d'API.")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": "Choisissez une durée de validité d'un an au plus."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    key = ApiKey(
        user=actor,
        organisation=organisation,
        name=(name or "").strip(),
        scope=ApiKeyScope.REFERRALS,
        prefix=secret[:PREFIX_LENGTH],
        secret_hash=digest(secret),
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    key.full_clean()
    key.save()
    return CreatedKey(key=key, secret=secret)


@transaction.atomic
def api_key_revoke(*, actor: User, organisation: Organisation, key: ApiKey) -> ApiKey:
    """Revoke a key at once: its holder revokes their own, the administrator any of the
    organisation's. A revoked key stays listed (who made it, when, who revoked it)."""
    if (
        key.organisation_id != getattr(organisation, "pk", None)
        or not access.api_keys_visible_to(actor, organisation).filter(pk=key.pk).exists()
    ):
        raise ApplicationError("Vous ne pouvez pas révoquer cette clé.")
    if key.revoked_at is not None:
        raise ApplicationError("Cette clé est déjà révoquée.")
    key.revoked_at = timezone.now()
    key.revoked_by = actor
    key.save(update_fields=["revoked_at", "revoked_by"])
    return key


class KeyRefused(Exception):
    """Why a request's key opens nothing: `status` 401 (no key, or unknown, revoked or expired —
    one message, so keys cannot be probed) or 403 (the key is right but its holder no longer
    receives the organisation's referrals)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


NO_KEY = "Clé d'API absente : envoyez l'en-tête « Authorization: Bearer <clé> »."
BAD_KEY = "Clé d'API inconnue, révoquée ou expirée."
ENDED = (
    "La personne titulaire de cette clé ne reçoit plus les orientations de cette structure (compte, appartenance "
    "ou rôle) : la clé n'ouvre plus rien."
)


def bearer_token(authorization: str) -> str:
    scheme, _, token = (authorization or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def authenticate(authorization: str, *, scope: str = ApiKeyScope.REFERRALS) -> tuple[ApiKey, Membership]:
    """The key of an `Authorization: Bearer …` header and its holder's membership, re-checked at
    each request: the key in force and of this scope, the account active, the membership active
    in an active organisation with a role that receives referrals. Raises `KeyRefused`."""
    token = bearer_token(authorization)
    if not token:
        raise KeyRefused(401, NO_KEY)
    wanted = digest(token)
    now = timezone.now()
    key = next(
        (
            k
            for k in ApiKey.objects.filter(prefix=token[:PREFIX_LENGTH]).select_related("user", "organisation")
            if hmac.compare_digest(k.secret_hash, wanted)
        ),
        None,
    )
    if key is None or not key.is_in_force(now) or key.scope != scope or not key.user.is_active:
        raise KeyRefused(401, BAD_KEY)
    membership = (
        Membership.objects.active()
        .filter(user=key.user, organisation=key.organisation, role__in=list(REFERRAL_INBOX_ROLES))
        .select_related("organisation")
        .first()
    )
    if membership is None:
        raise KeyRefused(403, ENDED)
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        # An update, not a save: no audit line per request, and no race with a revocation.
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key, membership

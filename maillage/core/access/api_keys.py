"""Personal API keys (decision 60): who makes, sees and revokes them.

- A member working for an organisation in a role that receives referrals (`REFERRAL_INBOX_ROLES`:
  partner professional, reception, coordination, direction), past the second factor, makes keys for
  themselves and for that organisation, lists and revokes their own.
- The organisation's administrator sees the organisation's keys (name, holder, dates, last use —
  never a secret) and revokes any of them; they make none (not a role that receives referrals).
- Nobody else sees a key; another organisation's key is absent (404) for everyone.
"""

from django.http import Http404

from maillage.core.access.base import role_in
from maillage.core.access.referrals import REFERRAL_INBOX_ROLES
from maillage.core.enums import Role
from maillage.core.models import ApiKey, Organisation, User

__all__ = [
    "api_keys_visible_to",
    "can_create_api_key",
    "can_oversee_api_keys",
    "can_use_api_keys_page",
    "get_api_key_for",
]


def can_create_api_key(user: User, organisation: Organisation | None) -> bool:
    """A member in a role that receives referrals makes keys for themselves, for this organisation."""
    return role_in(user, organisation) in REFERRAL_INBOX_ROLES


def can_oversee_api_keys(user: User, organisation: Organisation | None) -> bool:
    """The organisation's administrator sees and revokes every key made for it."""
    return role_in(user, organisation) == Role.ADMIN


def can_use_api_keys_page(user: User, organisation: Organisation | None) -> bool:
    return can_create_api_key(user, organisation) or can_oversee_api_keys(user, organisation)


def api_keys_visible_to(user: User, organisation: Organisation | None):
    """The administrator: every key of the organisation; a member who receives referrals: their own
    keys for it; anyone else: none."""
    keys = ApiKey.objects.filter(organisation=organisation).select_related("user", "revoked_by")
    if can_oversee_api_keys(user, organisation):
        return keys
    if can_create_api_key(user, organisation):
        return keys.filter(user=user)
    return ApiKey.objects.none()


def get_api_key_for(user: User, organisation: Organisation | None, pk) -> ApiKey:
    """One key the user may see (and so revoke); 404 for an absent key and another's alike."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("Clé introuvable.") from None
    key = api_keys_visible_to(user, organisation).filter(pk=pk).first()
    if key is None:
        raise Http404("Clé introuvable.")
    return key

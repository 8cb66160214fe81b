"""The API keys pages' rows of the access matrix (tests/core/test_access_matrix.py).

The role under test is the newest membership of the own organisation when the row's kwargs run: a
role that receives referrals revokes its own key; the administrator revokes a colleague's; every
other role gets 404, and everyone on the other organisation's key."""

from maillage.core.access.referrals import REFERRAL_INBOX_ROLES
from maillage.core.enums import Role
from maillage.core.models import Membership
from tests.core.factories import api_key_for

KEYS_PAGE = frozenset(REFERRAL_INBOX_ROLES) | {Role.ADMIN}


def _own_key(w):
    newest = Membership.objects.filter(organisation=w.own).latest("pk")
    holder = newest.user if newest.role in REFERRAL_INBOX_ROLES else w.own_colleague.user
    key, _secret = api_key_for(holder, w.own)
    return {"pk": key.pk}


def _other_key(w):
    holder = Membership.objects.filter(organisation=w.other).first().user
    key, _secret = api_key_for(holder, w.other)
    return {"pk": key.pk}


def api_key_cases(Case):  # noqa: N803 — the matrix's Case class, passed in to avoid an import cycle
    return [
        Case("core:api_key_list", allowed=KEYS_PAGE),
        Case(
            "core:api_key_list",
            allowed=frozenset(REFERRAL_INBOX_ROLES),
            method="post",
            data={"name": "Logiciel de suivi", "days": "90"},
            allowed_status=(201,),
        ),
        Case(
            "core:api_key_revoke",
            kwargs=_own_key,
            other_kwargs=_other_key,
            allowed=KEYS_PAGE,
            method="post",
            allowed_status=(302,),
        ),
    ]

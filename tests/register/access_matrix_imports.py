"""The import of transmitted lists in the access matrix (tests/core/test_access_matrix.py): the register
manager of the organisation only; another organisation's import is absent for everyone."""

from maillage.core.enums import Role
from maillage.core.models import Membership
from maillage.register.views.imports import store_pending
from tests.register.import_factories import ImportedEntryFactory, csv_bytes, row

MANAGER = frozenset({Role.REGISTER_MANAGER})


def _batch(organisation_attr, batch):
    def make(world):
        entry = ImportedEntryFactory(person__organisation=getattr(world, organisation_attr), source="caf_list")
        type(entry).objects.filter(pk=entry.pk).update(import_batch=batch)
        return {"batch": batch}

    return make


def _own_token(world):
    # A preview belongs to the user who uploaded the file: the matrix's user is the membership just
    # created for the test (test_role_on_own_organisation creates it, then asks for these arguments).
    membership = Membership.objects.filter(organisation=world.own).latest("pk")
    content = csv_bytes([row()])
    return {
        "token": store_pending(
            user=membership.user, organisation=world.own, source="caf_list", name="l.csv", content=content
        )
    }


def _other_token(world):
    user = world.other_member.user
    content = csv_bytes([row()])
    return {
        "token": store_pending(user=user, organisation=world.other, source="caf_list", name="l.csv", content=content)
    }


def import_cases(Case):  # noqa: N803 (the matrix's class, passed in)
    return [
        Case("register_import:upload", allowed=MANAGER),
        Case("register_import:template", kwargs=lambda w: {"fmt": "csv"}, allowed=MANAGER),
        Case(
            "register_import:batch",
            kwargs=_batch("own", "lot-alpha"),
            other_kwargs=_batch("other", "lot-omega"),
            allowed=MANAGER,
        ),
        Case("register_import:preview", kwargs=_own_token, other_kwargs=_other_token, allowed=MANAGER),
        Case(
            "register_import:abandon",
            kwargs=_own_token,
            other_kwargs=_other_token,
            allowed=MANAGER,
            method="post",
            allowed_status=(302,),
        ),
    ]

"""The people app's rows of the access matrix (tests/core/test_access_matrix.py)."""

from maillage.core.enums import Role
from tests.people.factories import ConsentFactory, PersonFactory

READERS = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER, Role.DIRECTOR, Role.DPO})
EDITORS = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER})
EXPORTERS = frozenset({Role.COORDINATOR, Role.DPO})
BREAKERS = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER, Role.DIRECTOR})


def _person(organisation_attr):
    def make(world):
        return {"pk": PersonFactory(organisation=getattr(world, organisation_attr), last_name="Matrice").pk}

    return make


def _consent(organisation_attr):
    def make(world):
        consent = ConsentFactory(person__organisation=getattr(world, organisation_attr))
        return {"pk": consent.person_id, "consent_pk": consent.pk}

    return make


def _export(organisation_attr):
    def make(world):
        return {**_person(organisation_attr)(world), "fmt": "json"}

    return make


def people_cases(Case):  # noqa: N803 — the matrix's Case class, passed in to avoid an import cycle
    own, other = _person("own"), _person("other")
    cases = [
        Case("people:list", allowed=READERS),
        Case("people:create", allowed=EDITORS),
        Case("people:break_glass", allowed=BREAKERS),
        Case("people:detail", kwargs=own, other_kwargs=other, allowed=READERS),
        Case("people:consent_withdraw", kwargs=_consent("own"), other_kwargs=_consent("other"), allowed=EDITORS),
        Case("people:export", kwargs=_export("own"), other_kwargs=_export("other"), allowed=EXPORTERS),
    ]
    for name in ("edit", "address_set", "phone_add", "relation_create", "consent_create", "merge"):
        cases.append(Case(f"people:{name}", kwargs=own, other_kwargs=other, allowed=EDITORS))
    return cases

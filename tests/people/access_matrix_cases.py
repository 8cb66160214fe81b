"""The people app's rows of the access matrix (tests/core/test_access_matrix.py)."""

from maillage.core.enums import Role
from tests.people.factories import ConsentFactory, PersonFactory

READERS = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER, Role.DIRECTOR, Role.DPO})
EDITORS = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER})
EXPORTERS = frozenset({Role.COORDINATOR, Role.DPO})
BREAKERS = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER, Role.DIRECTOR})
# Merging two files (and undoing a merge): not the reception agent (decisions.md, issue 10).
MERGERS = frozenset({Role.COORDINATOR, Role.REGISTER_MANAGER})


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


def _pair(organisation_attr):
    def make(world):
        organisation = getattr(world, organisation_attr)
        kept = PersonFactory(organisation=organisation, last_name="Matrice")
        duplicate = PersonFactory(organisation=organisation, last_name="Matrice")
        return {"pk": kept.pk, "duplicate_pk": duplicate.pk}

    return make


def _merged(organisation_attr):
    def make(world):
        from maillage.core.enums import Role
        from maillage.people import services
        from tests.core.factories import MembershipFactory

        organisation = getattr(world, organisation_attr)
        merger = MembershipFactory(organisation=organisation, role=Role.COORDINATOR)
        kept = PersonFactory(organisation=organisation, last_name="Matrice")
        duplicate = PersonFactory(organisation=organisation, last_name="Matrice")
        services.person_merge(actor=merger.user, organisation=organisation, kept=kept, duplicate=duplicate)
        return {"pk": kept.pk, "tombstone_pk": duplicate.pk}

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
    for name in ("edit", "address_set", "phone_add", "relation_create", "consent_create", "consent_partners"):
        cases.append(Case(f"people:{name}", kwargs=own, other_kwargs=other, allowed=EDITORS))
    cases += [
        Case("people:merge", kwargs=own, other_kwargs=other, allowed=MERGERS),
        Case("people:merge_compare", kwargs=_pair("own"), other_kwargs=_pair("other"), allowed=MERGERS),
        Case(
            "people:merge_undo",
            kwargs=_merged("own"),
            other_kwargs=_merged("other"),
            allowed=MERGERS,
            method="post",
            allowed_status=(302,),
        ),
    ]
    return cases

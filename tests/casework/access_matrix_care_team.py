"""The care team's rows of the access matrix (tests/core/test_access_matrix.py)."""

from maillage.casework.models import CareTeamMember
from maillage.core.enums import Role
from tests.people.factories import PersonFactory

READERS = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER, Role.DIRECTOR, Role.DPO})
EDITORS = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER})


def _person(attr):
    return lambda world: {"pk": PersonFactory(organisation=getattr(world, attr)).pk}


def _member(attr):
    def make(world):
        person = PersonFactory(organisation=getattr(world, attr))
        member = CareTeamMember.objects.create(person=person, name="Dr Matrice", role="Médecin")
        return {"pk": person.pk, "member_pk": member.pk}

    return make


def care_team_cases(Case):  # noqa: N803 — the matrix's Case class, passed in to avoid an import cycle
    return [
        Case("casework:care_team", kwargs=_person("own"), other_kwargs=_person("other"), allowed=READERS),
        Case("casework:contact_create", kwargs=_person("own"), other_kwargs=_person("other"), allowed=EDITORS),
        Case(
            "casework:care_team_remove",
            kwargs=_member("own"),
            other_kwargs=_member("other"),
            allowed=EDITORS,
            method="post",
            allowed_status=(302,),
            data={"confirm": "on"},
        ),
        Case(  # the confirmation page before taking someone out of the team
            "casework:care_team_remove",
            kwargs=_member("own"),
            other_kwargs=_member("other"),
            allowed=EDITORS,
        ),
    ]

"""Randomised: random organisations, users, memberships (some ended), care teams (some removed),
consents (some withdrawn) and break-glass accesses (some expired, some for the whole file). For
every user, every organisation they may work for, every person and every page of a person's file,
the page opens exactly when the grant function says, for the part it shows."""

import datetime
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import BreakGlassAccess, CareTeamMember
from maillage.core import access
from maillage.core.access import Part
from maillage.core.enums import Role
from maillage.core.middleware import SESSION_ORGANISATION_KEY
from maillage.people.enums import ConsentScope
from tests.casework.factories_assessments import CarePlanFactory
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.people.factories import ConsentFactory, PersonFactory

PAGES = {
    "people:detail": lambda g: g.allows(Part.IDENTITY),
    "casework:timeline": lambda g: g.allows(Part.TIMELINE),
    "casework:care_team": lambda g: g.allows(Part.CARE_TEAM),
    "casework:assessment_list": lambda g: g.allows(Part.ASSESSMENTS),
    "casework:plan_list": lambda g: g.allows(Part.PLANS),
    "casework:note_list": lambda g: g.allows(Part.NOTES),
    "casework:document_list": lambda g: g.allows(Part.DOCUMENTS),
    "casework:contact_create": lambda g: (
        g.allows(Part.CONTACTS) and access.can_log_contact(g.user, g.organisation, g.person)
    ),
    "people:edit": lambda g: access.can_change_person(g.user, g.organisation, g.person),
    "people:export": lambda g: g.may_export(),
}


def _world(rng: random.Random):
    organisations = [OrganisationFactory(name=f"Structure {i}") for i in range(3)]
    users = [UserFactory() for _ in range(6)]
    memberships = []
    for user in users:
        for organisation in rng.sample(organisations, rng.choice([1, 1, 2])):
            memberships.append(
                MembershipFactory(
                    user=user,
                    organisation=organisation,
                    role=rng.choice(list(Role)),
                    is_active=rng.random() > 0.15,
                )
            )
    persons = [PersonFactory(organisation=rng.choice(organisations)) for _ in range(4)]
    for person in persons:
        CarePlanFactory(person=person)
        for organisation in organisations:
            if organisation != person.organisation and rng.random() < 0.5:
                ConsentFactory(
                    person=person,
                    scope=ConsentScope.SHARING,
                    partner=organisation,
                    withdrawn_at=timezone.now() if rng.random() < 0.3 else None,
                )
        for membership in rng.sample(memberships, 3):
            if not person.care_team.filter(user=membership.user, removed_at__isnull=True).exists():
                CareTeamMember.objects.create(
                    person=person,
                    user=membership.user,
                    organisation=membership.organisation,
                    role="Professionnel",
                    removed_at=timezone.now() if rng.random() < 0.25 else None,
                )
        for membership in rng.sample(memberships, 2):
            now = timezone.now()
            expired = rng.random() < 0.3
            BreakGlassAccess.objects.create(
                person=person,
                user=membership.user,
                organisation=membership.organisation,
                reason="Motif d'urgence suffisamment long pour être accepté, et même pour le dossier complet.",
                scope=rng.choice(["minimal", "full"]),
                expires_at=now - datetime.timedelta(minutes=1) if expired else now + datetime.timedelta(hours=2),
            )
    return memberships, persons


@pytest.mark.parametrize("seed", [1, 2])
def test_every_person_page_answers_as_the_grant_says(client, db, seed):
    rng = random.Random(seed)
    memberships, persons = _world(rng)
    mismatches, opened = [], 0
    for membership in memberships:
        user = membership.user
        login_verified(client, user)
        session = client.session
        session[SESSION_ORGANISATION_KEY] = membership.organisation_id
        session.save()
        # The organisation the user really works for (an ended membership: another one, or none).
        working_for = next(
            (
                m.organisation
                for m in access.active_memberships(user)
                if m.organisation_id == membership.organisation_id
            ),
            None,
        ) or next((m.organisation for m in access.active_memberships(user).order_by("organisation__name")), None)
        # The lists (search, reception, caseload) read `persons_visible_to`: the same persons.
        listed = set(access.persons_visible_to(user, working_for).filter(pk__in=[p.pk for p in persons]))
        granted = {p for p in persons if access.person_grant(user, working_for, p) is not None}
        if listed != granted:
            mismatches.append(f"{user.email} ({working_for}) liste {sorted(p.pk for p in listed)} ≠ {granted}")
        for person in persons:
            grant = access.person_grant(user, working_for, person)
            for name, opens in PAGES.items():
                kwargs = {"pk": person.pk, **({"fmt": "json"} if name == "people:export" else {})}
                expected = 200 if grant is not None and opens(grant) else 404
                status = client.get(reverse(name, kwargs=kwargs)).status_code
                opened += status == 200
                if status != expected:
                    mismatches.append(
                        f"{user.email} ({working_for}) {name} personne {person.pk}: {status} ≠ {expected}"
                    )
    assert not mismatches, "\n".join(mismatches[:20])
    assert opened, "le tirage n'a ouvert aucune page : il ne prouve rien"

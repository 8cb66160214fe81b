"""The side doors of issue 10, each written as the attack (the grant matrix, tests/core/
test_grant_matrix.py, covers the paths page by page; these are the findings that need more than a
page opening)."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import BreakGlassAccess, CareTeamMember, Note
from maillage.casework.services.care_team import care_team_add
from maillage.core import access
from maillage.core.enums import Role
from maillage.core.middleware import SESSION_ORGANISATION_KEY
from maillage.core.models import AuditLogEntry
from tests.casework.factories import RequestFactory, care_team_place, share_with
from tests.casework.factories_assessments import CarePlanFactory, NoteFactory
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.people.factories import PersonFactory

BIRTH = datetime.date(1931, 3, 14)

pytestmark = pytest.mark.django_db


def test_a_password_without_second_factor_reaches_no_file_even_without_membership(client):
    """A user with no active membership used to skip the second factor, then open the files of a
    care team they were still in."""
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory()
    care_team_place(person, coordinator)
    coordinator.is_active = False
    coordinator.save()
    client.force_login(coordinator.user, backend="maillage.core.auth_backends.EmailBackend")
    response = client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:otp_setup"))
    assert access.requires_second_factor(UserFactory())


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.PARTNER, Role.ADMIN, Role.DPO])
def test_a_role_that_does_not_accompany_persons_cannot_join_a_care_team(role):
    owner = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=owner.organisation)
    outsider = MembershipFactory(role=role)
    share_with(person, outsider.organisation)
    with pytest.raises(Exception, match="aucun rôle qui accompagne des personnes"):
        care_team_add(
            actor=owner.user,
            organisation=owner.organisation,
            person=person,
            role="Bénévole",
            email=outsider.user.email,
        )
    assert not CareTeamMember.objects.filter(user=outsider.user).exists()


def test_care_team_place_is_taken_in_the_organisation_that_has_the_consent():
    owner = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=owner.organisation)
    user = UserFactory()
    MembershipFactory(user=user, role=Role.COORDINATOR, organisation=OrganisationFactory(name="Sans accord"))
    consented = MembershipFactory(user=user, role=Role.COORDINATOR, organisation=OrganisationFactory(name="Accord"))
    share_with(person, consented.organisation)
    member = care_team_add(
        actor=owner.user, organisation=owner.organisation, person=person, role="Infirmière", email=user.email
    )
    assert member.organisation == consented.organisation


def test_a_care_team_member_working_for_another_organisation_writes_nothing_there(client):
    nurse = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory()
    care_team_place(person, nurse)
    volunteer = MembershipFactory(user=nurse.user, role=Role.VOLUNTEER)
    login_verified(client, nurse.user)
    session = client.session
    session[SESSION_ORGANISATION_KEY] = volunteer.organisation_id
    session.save()
    response = client.post(reverse("casework:note_list", args=[person.pk]), {"body": "x", "visibility": "care_team"})
    assert response.status_code == 404
    assert not Note.objects.filter(organisation=volunteer.organisation).exists()


def test_the_right_of_access_export_does_not_read_a_colleagues_private_note(client):
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    colleague = MembershipFactory(role=Role.COORDINATOR, organisation=coordinator.organisation)
    person = PersonFactory(organisation=coordinator.organisation)
    NoteFactory(person=person, author=colleague.user, visibility="author", body="Confidence de la collègue")
    NoteFactory(person=person, author=coordinator.user, visibility="organisation", body="Note de service")
    login_verified(client, coordinator.user)
    data = json.loads(client.get(reverse("people:export", args=[person.pk, "json"])).content)
    notes = next(s for s in data["sections"] if s["titre"] == "Notes de suivi")["lignes"]
    text = json.dumps(notes, ensure_ascii=False)
    assert "Confidence de la collègue" not in text
    assert "Note de service" in text
    assert "1 note réservée à leur auteur·rice ne figure pas ici" in text


def test_the_export_lists_every_opening_of_the_file(client):
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=coordinator.organisation)
    plan = CarePlanFactory(person=person)
    login_verified(client, coordinator.user)
    client.get(reverse("casework:plan_detail", args=[person.pk, plan.pk]))
    client.get(reverse("casework:assessment_list", args=[person.pk]))
    client.get(reverse("casework:document_list", args=[person.pk]))
    data = json.loads(client.get(reverse("people:export", args=[person.pk, "json"])).content)
    rows = next(s for s in data["sections"] if s["titre"] == "Consultations et modifications du dossier")["lignes"]
    sentences = [row["Ce qui a été fait"] for row in rows]
    for what in ("plan d'aide", "évaluations", "documents", "export du droit d'accès (JSON)"):
        assert any(f" : {what}, au titre de la structure responsable du dossier." in s for s in sentences), what
    name = coordinator.user.get_full_name()
    openings = [s for s in sentences if s.startswith("Consultation")]
    assert len(openings) == 4
    assert all(s.startswith(f"Consultation par {name} ({coordinator.organisation.name}) le ") for s in openings)


def test_a_request_page_is_an_opening_logged_with_its_path(client):
    agent = MembershipFactory(role=Role.RECEPTION_AGENT)
    request = RequestFactory(organisation=agent.organisation, person=PersonFactory(organisation=agent.organisation))
    login_verified(client, agent.user)
    assert client.get(reverse("casework:request_detail", args=[request.pk])).status_code == 200
    line = AuditLogEntry.objects.get(action=AuditLogEntry.Action.ACCESS, changes_text="Demande")
    assert line.subject_person_id == request.person_id
    assert line.access_path == "organisation"


# --- Break-glass ------------------------------------------------------------------------------------


@pytest.fixture
def breaker(client):
    membership = MembershipFactory(role=Role.RECEPTION_AGENT)
    login_verified(client, membership.user)
    return membership


def _search(client, last_name, birth=BIRTH):
    return client.get(reverse("people:break_glass"), {"last_name": last_name, "birth_date": birth.isoformat()})


def test_break_glass_finds_the_right_person_among_many_born_the_same_day(client, breaker):
    """The search used to cut its candidates to 50 before matching the name."""
    elsewhere = OrganisationFactory()
    for i in range(60):
        PersonFactory(organisation=elsewhere, birth_date=BIRTH, last_name=f"Durand{i:02d}")
    wanted = PersonFactory(organisation=elsewhere, birth_date=BIRTH, last_name="Zélie-Vasseur")
    body = _search(client, "zelie vasseur").content.decode()
    assert f'value="{wanted.pk}"' in body


def test_break_glass_search_does_not_match_a_first_name_and_is_capped(client, breaker):
    elsewhere = OrganisationFactory()
    for _ in range(15):
        PersonFactory(organisation=elsewhere, birth_date=BIRTH, last_name="Martin", first_names="Odette")
    assert 'name="person"' not in _search(client, "Odette").content.decode()
    assert _search(client, "martin").content.decode().count('name="person"') == 10


def test_every_break_glass_search_is_in_the_trail_without_what_was_typed(client, breaker):
    PersonFactory(birth_date=BIRTH, last_name="Lefebvre")
    _search(client, "Lefebvre")
    line = AuditLogEntry.objects.get(changes_text__startswith="Recherche d'accès exceptionnel")
    assert line.changes_text == "Recherche d'accès exceptionnel : 1 personne trouvée"
    assert line.organisation == breaker.organisation
    assert line.access_path == "break_glass"
    assert "Lefebvre" not in f"{line.path} {line.object_repr} {line.changes_text}"


def test_only_a_coordinator_opens_the_whole_file_with_a_longer_reason(client):
    owner = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=owner.organisation, last_name="Urgence", birth_date=BIRTH)
    url = reverse("people:break_glass") + f"?last_name=urgence&birth_date={BIRTH.isoformat()}"
    reason = "Chute signalée par la voisine, la famille ne répond pas."
    agent = MembershipFactory(role=Role.RECEPTION_AGENT)
    login_verified(client, agent.user)
    assert 'name="scope"' not in client.get(url).content.decode()
    client.post(url, {"person": person.pk, "reason": reason, "scope": "full"})
    assert BreakGlassAccess.objects.get(user=agent.user).scope == "minimal"

    coordinator = MembershipFactory(role=Role.COORDINATOR)
    login_verified(client, coordinator.user)
    short = client.post(url, {"person": person.pk, "reason": reason, "scope": "full"})
    assert "60 caractères au moins" in short.content.decode()
    longer = reason + " Le SAMU demande le traitement en cours et les antécédents."
    assert client.post(url, {"person": person.pk, "reason": longer, "scope": "full"}).status_code == 302
    assert BreakGlassAccess.objects.get(user=coordinator.user).scope == "full"
    assert client.get(reverse("casework:note_list", args=[person.pk])).status_code == 200


def test_the_dpo_sees_a_break_glass_search_opening_and_pages_together(client):
    owner = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=owner.organisation, last_name="Urgence", birth_date=BIRTH)
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    dpo = MembershipFactory(role=Role.DPO, organisation=coordinator.organisation)
    login_verified(client, coordinator.user)
    url = reverse("people:break_glass") + f"?last_name=urgence&birth_date={BIRTH.isoformat()}"
    client.get(url)
    reason = "Chute signalée par la voisine, la famille ne répond pas. Le SAMU demande le traitement en cours."
    client.post(url, {"person": person.pk, "reason": reason, "scope": "full"})
    client.get(reverse("people:detail", args=[person.pk]))
    client.get(reverse("casework:plan_list", args=[person.pk]))
    login_verified(client, dpo.user)
    page = client.get(reverse("core:audit_log"), {"access_path": "break_glass"}).content.decode()
    for what in ("Recherche d&#x27;accès exceptionnel", "Accès exceptionnel accordé", "Fiche de la personne"):
        assert what in page
    assert "Plans d&#x27;aide" in page
    assert page.count("Accès exceptionnel</span>") >= 4
    assert AuditLogEntry.objects.filter(access_path="break_glass", reason=reason).count() >= 3
    # The person's own DPO sees the openings too (not the search: it named nobody of theirs).
    owners_dpo = MembershipFactory(role=Role.DPO, organisation=owner.organisation)
    login_verified(client, owners_dpo.user)
    page = client.get(reverse("core:audit_log"), {"access_path": "break_glass"}).content.decode()
    assert "Fiche de la personne" in page and "Recherche d&#x27;accès exceptionnel" not in page


def test_an_expired_break_glass_ends_at_once(client):
    person = PersonFactory()
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    opened = BreakGlassAccess.objects.create(
        person=person,
        user=coordinator.user,
        organisation=coordinator.organisation,
        reason="Chute signalée par la voisine, la famille ne répond pas.",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    login_verified(client, coordinator.user)
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 200
    BreakGlassAccess.objects.filter(pk=opened.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 404


def test_a_list_of_persons_is_an_opening_logged_without_what_was_typed(client):
    agent = MembershipFactory(role=Role.RECEPTION_AGENT)
    PersonFactory(organisation=agent.organisation, last_name="Kerouanton")
    login_verified(client, agent.user)
    client.get(reverse("people:list"), {"q": "kerouanton"})
    line = AuditLogEntry.objects.get(changes_text__startswith="Recherche de personnes")
    assert line.changes_text == "Recherche de personnes : 1 fiche affichée"
    assert "kerouanton" not in f"{line.path} {line.object_repr} {line.changes_text}".lower()
    assert line.organisation == agent.organisation


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "aucune fiche affichée"), (1, "1 fiche affichée"), (2, "2 fiches affichées"), (15, "15 fiches affichées")],
)
def test_shown_counts_agree_in_number_and_gender(count, text):
    from maillage.core.audit import shown_count

    assert shown_count(count) == text

"""The dashboard as the first screen of a working day (issue 11, point 9): per role, what appears
and what must not; every list through the grant's rules, and logged."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from maillage.casework.services.care_team import care_team_add
from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry
from tests.casework.factories import CareTeamMemberFactory, care_team_place, share_with
from tests.casework.factories_assessments import CarePlanFactory, FollowUpTaskFactory
from tests.conftest import login_verified, run_task_worker
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


@pytest.fixture
def ccas():
    return OrganisationFactory(name="CCAS de Rennes")


@pytest.fixture
def clic():
    return OrganisationFactory(name="CLIC Haute-Bretagne")


@pytest.fixture
def coordinator(ccas):
    return MembershipFactory(role=Role.COORDINATOR, organisation=ccas, user__first_name="Claire")


def _dashboard(client, user):
    login_verified(client, user)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _person(organisation, last_name, first_names="Jeanne"):
    return PersonFactory(organisation=organisation, last_name=last_name, first_names=first_names)


# --- The coordinator's morning ------------------------------------------------------------------


def test_coordinator_sees_tasks_overdue_first_then_today_then_the_week(client, coordinator, ccas):
    user = coordinator.user
    for last_name, due, title in [
        ("Semaine", _days(3), "Envoyer le dossier APA"),
        ("Retard", _days(-2), "Rappeler la fille"),
        ("Jour", _days(0), "Visite à domicile"),
    ]:
        FollowUpTaskFactory(person=_person(ccas, last_name), assignee=user, organisation=ccas, due_on=due, title=title)
    FollowUpTaskFactory(person=_person(ccas, "Tardive"), assignee=user, organisation=ccas, due_on=_days(12))
    FollowUpTaskFactory(
        person=_person(ccas, "Faite"), assignee=user, organisation=ccas, due_on=_days(-1), done_at=timezone.now()
    )
    colleague = MembershipFactory(role=Role.COORDINATOR, organisation=ccas).user
    FollowUpTaskFactory(person=_person(ccas, "Collegue"), assignee=colleague, organisation=ccas, due_on=_days(0))
    page = _dashboard(client, user)
    tasks = page[page.index('id="taches-a-faire"') : page.index('id="plans-a-reviser"')]
    positions = [tasks.index(name) for name in ("RETARD", "JOUR", "SEMAINE")]
    assert positions == sorted(positions)
    assert "En retard (1)" in tasks and "Aujourd'hui (1)" in tasks and "Dans les 7 prochains jours (1)" in tasks
    assert "Rappeler la fille" in tasks
    for absent in ("TARDIVE", "FAITE", "COLLEGUE"):
        assert absent not in page


def test_coordinator_sees_plans_whose_review_is_passed_or_within_14_days(client, coordinator, ccas):
    user = coordinator.user
    CarePlanFactory(person=_person(ccas, "Depassee"), coordinator=user, title="Plan A", next_review_on=_days(-3))
    CarePlanFactory(person=_person(ccas, "Proche"), coordinator=user, title="Plan B", next_review_on=_days(14))
    CarePlanFactory(person=_person(ccas, "Lointaine"), coordinator=user, title="Plan C", next_review_on=_days(15))
    CarePlanFactory(
        person=_person(ccas, "Close"), coordinator=user, title="Plan D", next_review_on=_days(1), status="closed"
    )
    CarePlanFactory(person=_person(ccas, "Autrui"), title="Plan E", next_review_on=_days(1))  # another coordinator
    page = _dashboard(client, user)
    plans = page[page.index('id="plans-a-reviser"') : page.index('id="mes-suivis"')]
    assert plans.index("DEPASSEE") < plans.index("PROCHE")
    assert "Révision dépassée" in plans
    for absent in ("LOINTAINE", "CLOSE", "AUTRUI"):
        assert absent not in page


def test_coordinator_sees_their_caseload_and_a_link_to_all_of_it(client, coordinator, ccas):
    user = coordinator.user
    followed = _person(ccas, "Suivie")
    care_team_place(followed, coordinator, is_referent=True)
    _person(ccas, "Pasmienne")
    page = _dashboard(client, user)
    caseload = page[page.index('id="mes-suivis"') :]
    assert "SUIVIE" in caseload and reverse("casework:note_list", args=[followed.pk]) in caseload
    assert reverse("casework:caseload") in caseload
    assert "PASMIENNE" not in page


def test_coordinator_dashboard_is_logged_with_the_count_never_the_names(client, coordinator, ccas):
    user = coordinator.user
    person = _person(ccas, "Tracee")
    care_team_place(person, coordinator, is_referent=True)
    FollowUpTaskFactory(person=person, assignee=user, organisation=ccas, due_on=_days(0))
    CarePlanFactory(person=_person(ccas, "Revue"), coordinator=user, next_review_on=_days(2))
    _dashboard(client, user)
    line = AuditLogEntry.objects.get(actor=user, changes_text__startswith="Tableau de bord, coordination")
    assert line.changes_text == "Tableau de bord, coordination : 2 fiches affichées"  # distinct persons
    assert "TRACEE" not in line.changes_text.upper() and line.organisation == ccas


def test_an_empty_morning_writes_no_line(client, coordinator):
    page = _dashboard(client, coordinator.user)
    assert "Aucune tâche en retard" in page and "Aucun plan à réviser" in page
    assert not AuditLogEntry.objects.filter(changes_text__startswith="Tableau de bord").exists()


def test_tasks_on_a_file_the_coordinator_no_longer_opens_are_not_listed(client, coordinator, ccas, clic):
    """A task set while the place opened the file: once the consent is withdrawn it is not shown."""
    user = coordinator.user
    other = _person(clic, "Retiree")
    care_team_place(other, coordinator)
    FollowUpTaskFactory(person=other, assignee=user, organisation=ccas, due_on=_days(0))
    assert "RETIREE" in _dashboard(client, user)
    other.consents.update(withdrawn_at=timezone.now())
    assert "RETIREE" not in _dashboard(client, user)


# --- Files shared with me (care team, through the grant) ------------------------------------------


def test_coordinator_sees_files_of_other_organisations_shared_with_them(client, coordinator, ccas, clic):
    shared = _person(clic, "Partagee")
    care_team_place(shared, coordinator, role="Coordinatrice CCAS")
    ended = _person(clic, "Terminee")
    place = care_team_place(ended, coordinator)
    place.removed_at = timezone.now()
    place.save()
    withdrawn = _person(clic, "Retrait")
    care_team_place(withdrawn, coordinator)
    withdrawn.consents.update(withdrawn_at=timezone.now())
    no_consent = _person(clic, "Sansaccord")
    CareTeamMemberFactory(person=no_consent, user=coordinator.user, organisation=ccas)
    _person(clic, "Etrangere")  # another organisation's person, no place
    page = _dashboard(client, coordinator.user)
    shared_panel = page[page.index("Dossiers partagés avec moi") :]
    assert "PARTAGEE" in shared_panel and reverse("people:detail", args=[shared.pk]) in shared_panel
    assert "CLIC Haute-Bretagne" in shared_panel and "Coordinatrice CCAS" in shared_panel
    for absent in ("TERMINEE", "RETRAIT", "SANSACCORD", "ETRANGERE"):
        assert absent not in page
    # What the panel links to opens: the same rules as the file.
    assert client.get(reverse("people:detail", args=[shared.pk])).status_code == 200
    assert client.get(reverse("people:detail", args=[withdrawn.pk])).status_code == 404


def test_every_professional_placed_in_a_care_team_sees_shared_files(client, ccas, clic):
    agent = MembershipFactory(role=Role.RECEPTION_AGENT, organisation=ccas)
    shared = _person(clic, "Accueillie")
    care_team_place(shared, agent)
    page = _dashboard(client, agent.user)
    assert "Dossiers partagés avec moi" in page and "ACCUEILLIE" in page
    assert "Tâches à faire" not in page  # the coordinator's panel is the coordinator's
    line = AuditLogEntry.objects.get(actor=agent.user, changes_text__startswith="Tableau de bord, dossiers partagés")
    assert line.changes_text.endswith("1 fiche affichée") and line.access_path == "care_team"


def test_a_professional_without_shared_file_sees_no_shared_panel(client, ccas):
    agent = MembershipFactory(role=Role.RECEPTION_AGENT, organisation=ccas)
    assert "Dossiers partagés avec moi" not in _dashboard(client, agent.user)


def test_shared_files_of_another_of_my_organisations_are_counted_not_named(client, coordinator, ccas, clic):
    """A place for the CLIC opens the file while working for the CLIC only: from the CCAS, a count."""
    at_clic = MembershipFactory(role=Role.COORDINATOR, organisation=clic, user=coordinator.user)
    other = OrganisationFactory(name="SSIAD du Pays de Vitré")
    person = _person(other, "Ailleurs")
    place = care_team_place(person, at_clic)
    page = _dashboard(client, coordinator.user)  # works for the CCAS (first by name)
    assert "Un dossier vous est partagé au titre d'une autre de vos structures" in page
    assert "AILLEURS" not in page
    person.consents.update(withdrawn_at=timezone.now())  # the same rule as the file: no longer counted
    assert "au titre d'une autre de vos structures" not in _dashboard(client, coordinator.user)
    person.consents.update(withdrawn_at=None)
    place.removed_at = timezone.now()
    place.save()
    assert "Dossiers partagés avec moi" not in _dashboard(client, coordinator.user)


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.PARTNER, Role.ADMIN, Role.DPO])
def test_roles_that_follow_no_one_see_no_person_even_with_a_place(client, ccas, clic, role):
    """A place left over from a former role (the coordinator became a volunteer) opens nothing."""
    membership = MembershipFactory(role=role, organisation=ccas)
    person = _person(clic, "Cachee")
    share_with(person, ccas)
    CareTeamMemberFactory(person=person, user=membership.user, organisation=ccas)
    FollowUpTaskFactory(person=_person(ccas, "Tachee"), assignee=membership.user, organisation=ccas, due_on=_days(0))
    CarePlanFactory(person=_person(ccas, "Planifiee"), coordinator=membership.user, next_review_on=_days(0))
    page = _dashboard(client, membership.user)
    for absent in ("CACHEE", "TACHEE", "PLANIFIEE", "Dossiers partagés", "Tâches à faire", "La structure en chiffres"):
        assert absent not in page
    assert not AuditLogEntry.objects.filter(changes_text__startswith="Tableau de bord").exists()


def test_ended_membership_ends_the_shared_panel(client, coordinator, clic):
    person = _person(clic, "Finie")
    care_team_place(person, coordinator)
    coordinator.is_active = False
    coordinator.save()
    page = _dashboard(client, coordinator.user)
    assert "FINIE" not in page and "aucune structure" in page


# --- The director's counts ----------------------------------------------------------------------


def test_director_sees_counts_of_their_organisation_only(client, ccas, clic):
    from tests.casework.factories import RequestFactory

    director = MembershipFactory(role=Role.DIRECTOR, organisation=ccas)
    mine = [_person(ccas, f"Nombre{i}") for i in range(3)]
    _person(clic, "Autrestructure")
    RequestFactory(organisation=ccas, person=mine[0])
    RequestFactory(organisation=clic)
    CarePlanFactory(person=mine[0], next_review_on=_days(3))
    CarePlanFactory(person=mine[1], next_review_on=_days(60))
    FollowUpTaskFactory(person=mine[2], organisation=ccas, due_on=_days(-1))
    FollowUpTaskFactory(person=_person(clic, "Tacheautre"), organisation=clic, due_on=_days(-1))
    page = _dashboard(client, director.user)
    counts = page[page.index("La structure en chiffres") :]

    def value(key):
        match = re.search(re.escape(key) + r".*?<dd[^>]*>\s*(\d+)", counts, re.S)
        return int(match.group(1))

    assert value("Personnes accompagnées") == 3
    assert value("Demandes reçues ce mois-ci") == 1
    assert value("Plans d'aide en cours") == 2
    assert value("Plans à réviser") == 1
    assert value("Tâches de suivi en retard") == 1
    for person in mine:
        assert person.last_name.upper() not in page


# --- The role texts say what the product does now -----------------------------------------------


@pytest.mark.parametrize(
    ("role", "promise"),
    [
        (Role.REGISTER_MANAGER, "lancer et suivre les campagnes d"),
        (Role.VOLUNTEER, "appels qui vous sont confiés"),
        (Role.PARTNER, "vous recevez les orientations"),
        (Role.DIRECTOR, "rapport d&#x27;activité annuel, analyse"),
        (Role.COORDINATOR, "pré-instruire"),
    ],
)
def test_role_text_promises_nothing_unbuilt(client, ccas, role, promise):
    page = _dashboard(client, MembershipFactory(role=role, organisation=ccas).user)
    role_text = page[page.index('id="mon-role"') :]
    assert promise not in role_text
    assert "<p>" in role_text


# --- The e-mail to a professional added to a care team ------------------------------------------


def test_professional_added_to_a_care_team_gets_an_email_without_the_persons_data(settings, coordinator, ccas, clic):
    person = _person(ccas, "Confidentielle", first_names="Odette")
    nurse = MembershipFactory(
        role=Role.COORDINATOR, organisation=clic, user__email="infirmiere@clic.fr", user__first_name="Inès"
    )
    share_with(person, clic)
    care_team_add(
        actor=coordinator.user, organisation=ccas, person=person, role="Infirmière à domicile", email=nurse.user.email
    )
    assert mail.outbox == []  # queued with the place, sent by the worker
    run_task_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["infirmiere@clic.fr"]
    assert message.subject == "[Maillage] Vous avez été ajouté·e à une équipe de suivi"
    assert "Bonjour Inès" in message.body
    assert "Vous avez été ajouté·e à l'équipe de suivi d'une personne accompagnée par CCAS de Rennes" in message.body
    assert coordinator.user.get_full_name() in message.body
    assert "quand vous travaillez pour CLIC Haute-Bretagne" in message.body
    assert f"{settings.MAILLAGE_BASE_URL}{reverse('core:dashboard')}\n" in message.body
    for secret in ("Confidentielle", "CONFIDENTIELLE", "Odette", "Infirmière à domicile", f"/{person.pk}/"):
        assert secret not in message.subject
        assert secret not in message.body


def test_no_email_for_an_outside_professional_or_oneself(coordinator, ccas):
    person = _person(ccas, "Sansmail")
    care_team_add(actor=coordinator.user, organisation=ccas, person=person, role="Kinésithérapeute", name="M. Roux")
    care_team_add(
        actor=coordinator.user, organisation=ccas, person=person, role="Référente", email=coordinator.user.email
    )
    run_task_worker()
    assert mail.outbox == []


def test_no_place_without_the_email(coordinator, ccas, clic, monkeypatch):
    """The e-mail is queued in the place's transaction: no e-mail queued, no place, a French error."""
    from types import SimpleNamespace

    from maillage.casework.models import CareTeamMember
    from maillage.core import emails
    from maillage.core.exceptions import ApplicationError

    person = _person(ccas, "Atomique")
    nurse = MembershipFactory(role=Role.COORDINATOR, organisation=clic)
    share_with(person, clic)

    def broken(**kwargs):
        raise RuntimeError("file d'envoi indisponible")

    monkeypatch.setattr(emails, "send_email", SimpleNamespace(enqueue=broken))
    with pytest.raises(ApplicationError, match="mis en file d'envoi"):
        care_team_add(
            actor=coordinator.user, organisation=ccas, person=person, role="Infirmière", email=nurse.user.email
        )
    assert not CareTeamMember.objects.filter(person=person).exists()


def test_dashboard_queries_do_not_grow_with_the_lists(client, coordinator, ccas, clic):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = coordinator.user
    login_verified(client, user)

    def add(n):
        for i in range(n):
            person = _person(ccas, f"Charge{i}")
            care_team_place(person, coordinator, is_referent=True)
            FollowUpTaskFactory(person=person, assignee=user, organisation=ccas, due_on=_days(i % 5 - 2))
            CarePlanFactory(person=person, coordinator=user, next_review_on=_days(i))
            care_team_place(_person(clic, f"Partage{i}"), coordinator)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("core:dashboard")).status_code == 200
        return len(queries)

    add(2)
    count()  # the first page fills the process's caches (content types)
    few = count()
    add(6)
    assert count() == few

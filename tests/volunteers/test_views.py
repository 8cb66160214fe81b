import pytest
from django.urls import reverse

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry
from maillage.volunteers import charter
from maillage.volunteers.forms import ACCEPT_LABEL
from maillage.volunteers.models import CallerProfile
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.volunteers.factories import AvailabilitySlotFactory, make_caller

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_unsigned_volunteer_sees_the_charter_on_the_dashboard_then_signs_it(member_client):
    client, membership = member_client(role=Role.VOLUNTEER)
    dashboard = _text(client.get(reverse("core:dashboard")))
    assert "Signez la charte avant tout appel" in dashboard
    assert reverse("volunteers:charter") in dashboard
    page = _text(client.get(reverse("volunteers:charter")))
    assert charter.TITLE in page and "En cas d'urgence" in page and ACCEPT_LABEL in page
    assert membership.organisation.name in page  # the contact section
    response = client.post(reverse("volunteers:charter"), {"version": charter.VERSION})
    assert response.status_code == 200
    assert "« J'ai lu la charte et je m'engage à la respecter » : cochez la case" in _text(response)
    assert not CallerProfile.objects.exists()
    response = client.post(reverse("volunteers:charter"), {"version": charter.VERSION, "accepted": "on"})
    assert response.status_code == 302
    profile = CallerProfile.objects.get(user=membership.user, organisation=membership.organisation)
    assert profile.has_signed_current_charter
    page = _text(client.get(reverse("volunteers:charter")))
    assert "Vous avez signé cette charte" in page and "Signer la charte" not in page
    dashboard = _text(client.get(reverse("core:dashboard")))
    assert "Signez la charte avant tout appel" not in dashboard
    assert "Aucun créneau indiqué : disponible à tout moment" in dashboard
    assert AuditLogEntry.objects.filter(
        object_pk=str(profile.pk), actor=membership.user, organisation=membership.organisation
    ).exists()


def test_charter_of_a_former_version_asks_to_sign_again(client):
    profile = make_caller(signed=False, signed_old=True)
    login_verified(client, profile.user)
    assert "La charte de confidentialité des appelant·es a changé" in _text(client.get(reverse("core:dashboard")))
    page = _text(client.get(reverse("volunteers:charter")))
    assert "La charte a changé" in page and "Signer la charte" in page


def test_agent_not_on_the_list_reads_the_charter_but_is_told_who_adds_them(member_client):
    client, _ = member_client(role=Role.RECEPTION_AGENT)
    page = _text(client.get(reverse("volunteers:charter")))
    assert "Vous n'êtes pas sur la liste des appelant·es" in page and "Signer la charte" not in page
    assert "Appels du registre" not in _text(client.get(reverse("core:dashboard")))


def test_volunteer_adds_a_slot_sees_field_errors_and_removes_it(client):
    profile = make_caller()
    login_verified(client, profile.user)
    url = reverse("volunteers:availability")
    response = client.post(url, {"weekday": "1", "start": "14:00", "end": "12:00"})
    assert response.status_code == 200
    assert "« Fin » : l'heure de fin doit venir après l'heure de début (14 h)." in _text(response)
    response = client.post(url, {"weekday": "", "start": "9h", "end": ""})
    body = _text(response)
    assert "« Jour » : choisissez un jour de la semaine." in body
    assert "« Début » : heure attendue au format 09:30." in body
    assert "« Fin » : indiquez une heure." in body
    assert client.post(url, {"weekday": "1", "start": "09:00", "end": "12:00"}).status_code == 302
    response = client.post(url, {"weekday": "1", "start": "11:00", "end": "13:00"})
    assert "« Début » : ce créneau chevauche celui du mardi de 9 h à 12 h." in _text(response)
    page = _text(client.get(url))
    assert "Mardi de 9 h à 12 h" in page
    slot = profile.slots.get()
    assert client.post(reverse("volunteers:slot_delete", args=[slot.pk])).status_code == 302
    assert not profile.slots.exists()


def test_volunteer_saves_languages_and_an_unknown_one_is_refused(client):
    profile = make_caller(languages=[])
    login_verified(client, profile.user)
    url = reverse("volunteers:languages")
    assert client.post(url, {"languages": ["ar", "br"]}).status_code == 302
    profile.refresh_from_db()
    assert profile.languages == ["ar", "br"]
    response = client.post(url, {"languages": ["xx"]})
    assert response.status_code == 200
    assert "« Langues parlées » : cette langue n'est pas dans la liste." in _text(response)


def test_register_manager_lists_adds_and_deactivates_callers(client):
    manager = MembershipFactory(role=Role.REGISTER_MANAGER)
    organisation = manager.organisation
    signed = make_caller(organisation=organisation, languages=["ar"])
    AvailabilitySlotFactory(profile=signed, weekday=0)
    agent = MembershipFactory(role=Role.COORDINATOR, organisation=organisation)
    MembershipFactory(role=Role.PARTNER, organisation=organisation)
    login_verified(client, manager.user)
    page = _text(client.get(reverse("volunteers:caller_list")))
    assert signed.user.get_full_name() in page and "Bénévole" in page
    assert "Français, arabe" in page and "Lundi de 9 h à 12 h" in page and "Signée" in page
    assert agent.user.get_full_name() in page  # in the add form's choices
    response = client.post(reverse("volunteers:caller_list"), {"membership": agent.pk})
    assert response.status_code == 302
    added = CallerProfile.objects.get(user=agent.user)
    page = _text(client.get(reverse("volunteers:caller_list")))
    assert "Pas encore signée" in page
    response = client.post(reverse("volunteers:caller_deactivate", args=[added.pk]))
    assert response.status_code == 302
    added.refresh_from_db()
    assert not added.is_active
    assert "Retiré·e" in _text(client.get(reverse("volunteers:caller_list")))


def test_register_manager_add_without_choice_names_the_field(client):
    manager = MembershipFactory(role=Role.REGISTER_MANAGER)
    login_verified(client, manager.user)
    response = client.post(reverse("volunteers:caller_list"), {"membership": ""})
    assert "« Membre » : choisissez la personne à ajouter." in _text(response)


@pytest.mark.parametrize(
    ("role", "labels", "absent"),
    [
        (Role.VOLUNTEER, ["Ma charte", "Mes disponibilités"], ["Appelant·es"]),
        (Role.REGISTER_MANAGER, ["Appelant·es"], ["Ma charte"]),
        (Role.COORDINATOR, [], ["Ma charte", "Appelant·es"]),
    ],
)
def test_menu_entries(member_client, role, labels, absent):
    client, _ = member_client(role=role)
    response = client.get(reverse("core:dashboard"))
    texts = [item["label"] for item in response.context["shell_nav"]]
    body = _text(response)
    for label in labels:
        assert label in body
        assert label in texts
    for label in absent:
        assert label not in texts


def test_register_manager_dashboard_counts_callers_and_those_who_must_sign(client):
    manager = MembershipFactory(role=Role.REGISTER_MANAGER)
    make_caller(organisation=manager.organisation)
    make_caller(organisation=manager.organisation, signed=False)
    make_caller(organisation=manager.organisation, signed=False, signed_old=True)
    make_caller(organisation=manager.organisation, is_active=False)
    make_caller()  # another organisation's
    login_verified(client, manager.user)
    body = _text(client.get(reverse("core:dashboard")))
    assert "3 appelant·es" in body
    assert "2 appelant·es ne peuvent pas encore prendre d'appel" in body
    assert reverse("volunteers:caller_list") in body


def test_no_callers_panel_for_other_roles(member_client):
    client, _ = member_client(role=Role.DIRECTOR)
    body = _text(client.get(reverse("core:dashboard")))
    assert "Appels du registre" not in body and "Voir la liste des appelant·es" not in body

"""The caller's screen: « Mes appels », the next call, one call's minimal sheet and its outcome.
Attack tests first: a caller reaches only the calls assigned to them, while they are open."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditLogEntry
from maillage.register.enums import CallPurpose, CallStatus, EntryStatus, Outcome
from maillage.register.models import Call, CallAttempt, Escalation
from maillage.register.services import campaigns
from tests.conftest import login_verified
from tests.register.campaign_factories import manager_of, open_campaign, registered_person, volunteer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    manager = manager_of()
    organisation = manager.organisation
    volunteer = volunteer_of(organisation)
    campaign = open_campaign(manager.user, [volunteer.user], persons=1)
    call = campaign.calls.get()
    return manager, volunteer, campaign, call


def _client(user):
    return login_verified(Client(), user)


def _form_token(html: str) -> str:
    return re.search(r'name="_form_token" value="([^"]+)"', html).group(1)


def _post_outcome(client, call, outcome, token=None, **extra):
    data = {"outcome": outcome, "version": Call.objects.get(pk=call.pk).version, **extra}
    if token:
        data["_form_token"] = token
    return client.post(reverse("calls:detail", args=[call.pk]), data)


# --- Attacks ---------------------------------------------------------------------------------------


def test_volunteer_cannot_open_a_call_assigned_to_another_caller(setup):
    manager, volunteer, campaign, call = setup
    other = volunteer_of(manager.organisation)
    assert _client(other.user).get(reverse("calls:detail", args=[call.pk])).status_code == 404


def test_volunteer_cannot_open_a_call_of_another_organisation(setup):
    _, _, _, call = setup
    elsewhere = manager_of()
    stranger = volunteer_of(elsewhere.organisation)
    open_campaign(elsewhere.user, [stranger.user])
    assert _client(stranger.user).get(reverse("calls:detail", args=[call.pk])).status_code == 404


def test_volunteer_cannot_open_a_call_after_the_campaign_closes(setup):
    manager, volunteer, campaign, call = setup
    campaigns.campaign_close(actor=manager.user, campaign=campaign)
    client = _client(volunteer.user)
    assert client.get(reverse("calls:detail", args=[call.pk])).status_code == 404
    assert "Canicule" not in client.get(reverse("calls:mine")).content.decode()


def test_volunteer_with_an_ended_membership_reaches_nothing(setup):
    _, volunteer, _, call = setup
    volunteer.is_active = False
    volunteer.save()
    client = _client(volunteer.user)
    assert client.get(reverse("calls:detail", args=[call.pk])).status_code == 404
    assert client.get(reverse("calls:mine")).status_code == 404


def test_volunteer_without_the_charter_signed_is_asked_to_sign_it_first(setup):
    manager, _, campaign, _ = setup
    unsigned = volunteer_of(manager.organisation, signed=False)
    client = _client(unsigned.user)
    page = client.get(reverse("calls:mine")).content.decode()
    assert "signez la charte" in page and campaign.title not in page
    assert client.post(reverse("calls:next", args=[campaign.pk])).status_code == 404


def test_volunteer_without_second_factor_is_sent_to_it(setup):
    _, volunteer, _, call = setup
    client = Client()
    client.force_login(volunteer.user, backend="maillage.core.auth_backends.EmailBackend")
    response = client.get(reverse("calls:detail", args=[call.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("core:otp_setup"))


def test_volunteer_with_a_call_sees_no_person_file_nor_register(setup):
    _, volunteer, _, call = setup
    client = _client(volunteer.user)
    assert client.get(reverse("people:detail", args=[call.person_id])).status_code == 404
    assert client.get(reverse("campaigns:list")).status_code == 404
    assert client.get(reverse("campaigns:detail", args=[call.campaign_id])).status_code == 404


def test_caller_cannot_take_the_next_call_of_a_campaign_they_are_not_in(setup):
    manager, _, campaign, _ = setup
    outsider = volunteer_of(manager.organisation)
    response = _client(outsider.user).post(reverse("calls:next", args=[campaign.pk]))
    assert response.status_code == 404


# --- The screens -----------------------------------------------------------------------------------


def test_volunteer_sees_their_calls_and_the_minimal_sheet_with_tel_links(setup):
    _, volunteer, campaign, call = setup
    client = _client(volunteer.user)
    mine = client.get(reverse("calls:mine")).content.decode()
    assert campaign.title in mine and call.person.full_name in mine
    response = client.post(reverse("calls:next", args=[campaign.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("calls:detail", args=[call.pk])
    page = client.get(response["Location"]).content.decode()
    phone = call.person.phones.get().number
    assert f'href="tel:{phone}"' in page
    assert "Se présenter" not in page or "<details" in page
    assert "Repérage de la fragilité" in page
    # Nothing of the file beyond the minimum: no birth date, no link to the person's file.
    assert reverse("people:detail", args=[call.person_id]) not in page
    assert call.person.birth_date.strftime("%d/%m/%Y") not in page
    line = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS, subject_person_id=call.person_id).last()
    assert line is not None and line.path == reverse("calls:detail", args=[call.pk])
    assert line.access_path == "call_assignment" and line.get_access_path_display() == "appel attribué"
    assert call.person.last_name not in line.changes_text


def test_dashboard_shows_the_volunteer_their_calls_of_the_day(setup):
    _, volunteer, campaign, _ = setup
    page = _client(volunteer.user).get(reverse("core:dashboard")).content.decode()
    assert "Vos appels du jour" in page and campaign.title in page
    assert reverse("calls:next", args=[campaign.pk]) in page
    assert "Mes appels" in page  # the menu entry


def test_three_tries_not_reached_escalate_with_french_messages(setup):
    manager, volunteer, campaign, call = setup
    client = _client(volunteer.user)
    response = _post_outcome(client, call, Outcome.NOT_REACHED)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Pas de réponse : nouvel essai prévu" in page
    for _ in range(2):
        Call.objects.filter(pk=call.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
        response = _post_outcome(client, call, Outcome.NOT_REACHED)
    page = client.get(response["Location"]).content.decode()
    assert "Alerte transmise au gestionnaire du registre" in page
    call.refresh_from_db()
    assert call.status == CallStatus.DONE and call.outcome == Outcome.UNREACHABLE
    assert Escalation.objects.filter(call=call, handled_at__isnull=True).count() == 1


def test_an_outcome_tapped_twice_is_recorded_once(setup):
    _, volunteer, _, call = setup
    client = _client(volunteer.user)
    token = _form_token(client.get(reverse("calls:detail", args=[call.pk])).content.decode())
    version = call.version
    data = {"outcome": Outcome.NOT_REACHED, "version": version, "_form_token": token}
    first = client.post(reverse("calls:detail", args=[call.pk]), data)
    second = client.post(reverse("calls:detail", args=[call.pk]), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert CallAttempt.objects.filter(call=call).count() == 1
    # Without the token (a token expired), the old version is refused and changes nothing.
    third = client.post(reverse("calls:detail", args=[call.pk]), {"outcome": Outcome.NOT_REACHED, "version": version})
    assert third.status_code == 302
    assert "modifié entre-temps" in client.get(third["Location"]).content.decode()
    assert CallAttempt.objects.filter(call=call).count() == 1


def test_a_done_call_posted_again_says_so(setup):
    _, volunteer, _, call = setup
    client = _client(volunteer.user)
    _post_outcome(client, call, Outcome.REACHED_FINE)
    response = client.post(reverse("calls:detail", args=[call.pk]), {"outcome": Outcome.REFUSED, "version": 1})
    assert response.status_code == 302
    assert "déjà terminé" in client.get(response["Location"]).content.decode()
    assert CallAttempt.objects.filter(call=call).count() == 1


def test_needs_found_records_the_needs_and_without_any_says_which_field(setup):
    _, volunteer, _, call = setup
    client = _client(volunteer.user)
    response = _post_outcome(client, call, Outcome.NEEDS_FOUND)
    assert response.status_code == 200
    assert "Cochez au moins un des besoins repérés" in response.content.decode()
    response = _post_outcome(client, call, Outcome.NEEDS_FOUND, needs=["se-nourrir", "parler-avec-autrui"])
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.outcome == Outcome.NEEDS_FOUND and call.needs == ["se-nourrir", "parler-avec-autrui"]
    assert "2 besoins repérés" in client.get(response["Location"]).content.decode()


def test_a_partly_answered_grid_is_refused_field_by_field(setup):
    _, volunteer, _, call = setup
    response = _post_outcome(_client(volunteer.user), call, Outcome.REACHED_FINE, grille_vit_seul="oui")
    assert response.status_code == 200
    assert "Répondez à cette question, ou laissez toute la grille vide" in response.content.decode()
    assert not CallAttempt.objects.filter(call=call).exists()


def test_danger_escalates_at_once(setup):
    _, volunteer, _, call = setup
    client = _client(volunteer.user)
    response = _post_outcome(client, call, Outcome.REACHED_FINE, danger="on")
    assert Escalation.objects.filter(call=call, reason="danger").exists()
    assert "Alerte transmise au gestionnaire du registre" in client.get(response["Location"]).content.decode()


def test_a_confirmation_call_reached_confirms_the_entry():
    manager = manager_of()
    volunteer = volunteer_of(manager.organisation)
    entry = registered_person(manager.user)
    entry.confirmed_on = timezone.localdate() - datetime.timedelta(days=400)
    entry.save()
    recent = registered_person(manager.user)  # confirmed today: not called
    campaign = campaigns.campaign_create(
        actor=manager.user,
        organisation=manager.organisation,
        title="Confirmation annuelle",
        purpose=CallPurpose.CONFIRMATION,
        selection={"unconfirmed_months": 12},
        callers=[volunteer.user],
    )
    campaigns.campaign_open(actor=manager.user, campaign=campaign)
    assert list(campaign.calls.values_list("entry_id", flat=True)) == [entry.pk]
    call = campaign.calls.get()
    _post_outcome(_client(volunteer.user), call, Outcome.REACHED_FINE)
    entry.refresh_from_db()
    assert entry.confirmed_on == timezone.localdate() and entry.status == EntryStatus.ACTIVE
    assert recent.pk != entry.pk

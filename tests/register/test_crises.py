"""Crises: activation, end, the rule « one crisis in progress per kind and commune », the pages and
who reaches them (attacks first)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.register.enums import CallStatus, CampaignStatus
from maillage.register.models import Call, CallCampaign, Crisis
from maillage.register.services import crises as services
from tests.conftest import login_verified
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from tests.register.crisis_factories import CallFactory, CampaignFactory, EscalationFactory


@pytest.fixture
def town(db):
    organisation = OrganisationFactory(name="CCAS de Rennes")
    rennes = CommuneFactory(code="35238", name="Rennes", postal_codes=["35000"])
    cesson = CommuneFactory(code="35051", name="Cesson-Sévigné", postal_codes=["35510"])
    organisation.communes_served.set([rennes, cesson])
    manager = MembershipFactory(organisation=organisation, role=Role.REGISTER_MANAGER).user
    return organisation, manager, rennes, cesson


def _activate(town, **kwargs):
    organisation, manager, rennes, _ = town
    values = {"kind": "heatwave", "level": 3, "communes": [rennes]} | kwargs
    return services.crisis_activate(actor=manager, organisation=organisation, **values)


# --- Attacks first ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in Role if r != Role.REGISTER_MANAGER], ids=lambda r: r.value)
def test_other_roles_cannot_activate(town, role):
    organisation, _, rennes, _ = town
    user = MembershipFactory(organisation=organisation, role=role).user
    with pytest.raises(ApplicationError):
        services.crisis_activate(actor=user, organisation=organisation, kind="heatwave", level=3, communes=[rennes])
    assert not Crisis.objects.exists()


def test_another_organisations_manager_cannot_end_or_see(town, client):
    organisation, _, _, _ = town
    crisis = _activate(town)
    stranger = MembershipFactory(role=Role.REGISTER_MANAGER).user
    with pytest.raises(ApplicationError):
        services.crisis_end(actor=stranger, organisation=organisation, crisis=crisis)
    login_verified(client, stranger)
    for name in ("crises:detail", "crises:dashboard", "crises:end"):
        assert client.get(reverse(name, args=[crisis.pk])).status_code == 404
    assert client.post(reverse("crises:transmission", args=[crisis.pk]), {"file_format": "csv"}).status_code == 404


@pytest.mark.parametrize("role", [Role.RECEPTION_AGENT, Role.COORDINATOR, Role.VOLUNTEER, Role.DPO, Role.ADMIN])
def test_same_organisation_other_roles_get_404(town, client, role):
    crisis = _activate(town)
    login_verified(client, MembershipFactory(organisation=town[0], role=role).user)
    assert client.get(reverse("crises:list")).status_code == 404
    assert client.get(reverse("crises:detail", args=[crisis.pk])).status_code == 404
    assert client.get(reverse("crises:dashboard", args=[crisis.pk])).status_code == 404


def test_ended_membership_reaches_nothing(town, client):
    crisis = _activate(town)
    membership = MembershipFactory(organisation=town[0], role=Role.REGISTER_MANAGER)
    login_verified(client, membership.user)
    membership.is_active = False
    membership.save()
    assert client.get(reverse("crises:detail", args=[crisis.pk])).status_code in (302, 404)
    assert client.get(reverse("crises:dashboard", args=[crisis.pk])).status_code in (302, 404)


def test_password_without_second_factor_reaches_nothing(town, client):
    crisis = _activate(town)
    client.force_login(town[1], backend="maillage.core.auth_backends.EmailBackend")
    response = client.get(reverse("crises:dashboard", args=[crisis.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:otp_setup"))


def test_director_reads_the_dashboard_without_alerts_nor_actions(town, client):
    """Decision: the director follows the crisis (counts by commune and by caller), never the
    alerts (they name persons), the transmission or the end."""
    crisis = _activate(town)
    campaign = CampaignFactory(crisis=crisis)
    escalation = EscalationFactory(call=CallFactory(campaign=campaign, status=CallStatus.DONE, outcome="unreachable"))
    login_verified(client, MembershipFactory(organisation=town[0], role=Role.DIRECTOR).user)
    page = client.get(reverse("crises:dashboard", args=[crisis.pk]))
    assert page.status_code == 200
    assert escalation.entry.person.last_name.upper() not in page.content.decode()
    assert "Alertes à traiter" not in page.content.decode()
    detail = client.get(reverse("crises:detail", args=[crisis.pk])).content.decode()
    assert "Produire la transmission" not in detail and "Lever la crise" not in detail
    assert client.get(reverse("crises:end", args=[crisis.pk])).status_code == 404
    assert client.post(reverse("crises:transmission", args=[crisis.pk]), {"file_format": "csv"}).status_code == 404
    assert client.get(reverse("crises:escalation_handle", args=[escalation.pk])).status_code == 404


# --- Activation ----------------------------------------------------------------------------------


def test_manager_activates_a_heatwave(town):
    crisis = _activate(town, title="Canicule de juillet", planned_end_on=timezone.localdate() + datetime.timedelta(3))
    assert crisis.is_in_progress and crisis.activated_by == town[1]
    assert list(crisis.communes.all()) == [town[2]]
    assert str(crisis) == "Canicule de juillet"


def test_one_crisis_in_progress_per_kind_and_commune(town):
    _activate(town)
    with pytest.raises(ApplicationError, match="déjà en cours"):
        _activate(town, communes=[town[2], town[3]])
    # Another kind over the same commune, or the same kind over another commune: allowed.
    _activate(town, kind="flood")
    _activate(town, communes=[town[3]])
    assert Crisis.objects.in_progress().count() == 3


def test_a_crisis_ended_frees_its_communes(town):
    crisis = _activate(town)
    services.crisis_end(actor=town[1], organisation=town[0], crisis=crisis)
    assert _activate(town).is_in_progress


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "volcano"}, "kind"),
        ({"level": 7}, "level"),
        ({"communes": []}, "communes"),
        ({"planned_end_on": datetime.date(2000, 1, 1)}, "planned_end_on"),
    ],
)
def test_bad_activation_names_the_field(town, values, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        _activate(town, **values)
    assert field in caught.value.message_dict


def test_commune_not_served_is_refused(town):
    from django.core.exceptions import ValidationError

    elsewhere = CommuneFactory(code="21231", name="Dijon")
    with pytest.raises(ValidationError) as caught:
        _activate(town, communes=[elsewhere])
    assert "Dijon" in caught.value.message_dict["communes"][0]


# --- End ------------------------------------------------------------------------------------------


def test_ending_closes_campaigns_and_cancels_every_open_call(town):
    crisis = _activate(town)
    campaign = CampaignFactory(crisis=crisis)
    for status in (CallStatus.TO_DO, CallStatus.ASSIGNED, CallStatus.RETRY):
        CallFactory(campaign=campaign, status=status)
    done = CallFactory(campaign=campaign, status=CallStatus.DONE, outcome="reached_fine")
    escalation = EscalationFactory(call=CallFactory(campaign=campaign, status=CallStatus.DONE, outcome="unreachable"))

    services.crisis_end(actor=town[1], organisation=town[0], crisis=crisis)

    crisis.refresh_from_db()
    assert crisis.ended_at is not None and crisis.ended_by == town[1]
    assert not Call.objects.filter(campaign__crisis=crisis).open().exists()
    assert Call.objects.filter(campaign=campaign, status=CallStatus.CANCELLED).count() == 3
    done.refresh_from_db()
    assert done.status == CallStatus.DONE
    assert CallCampaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED
    escalation.refresh_from_db()
    assert escalation.handled_at is None  # alerts stay until handled
    with pytest.raises(ApplicationError):
        services.crisis_end(actor=town[1], organisation=town[0], crisis=crisis)


# --- Pages ----------------------------------------------------------------------------------------


def test_activation_page_then_detail_and_list(town, client):
    login_verified(client, town[1])
    page = client.get(reverse("crises:activate"))
    assert page.status_code == 200 and "Cesson-Sévigné (35510)" in page.content.decode()
    response = client.post(
        reverse("crises:activate"),
        {"kind": "heatwave", "level": "3", "communes": [town[2].pk], "title": "Canicule d'août"},
    )
    crisis = Crisis.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("crises:detail", args=[crisis.pk])
    listing = client.get(reverse("crises:list")).content.decode()
    assert "Canicule d&#x27;août" in listing or "Canicule d'août" in listing


def test_activation_form_errors_in_french(town, client):
    login_verified(client, town[1])
    response = client.post(reverse("crises:activate"), {"kind": "", "level": "3"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez l&#x27;événement." in body or "Choisissez l'événement." in body
    assert "Choisissez au moins une commune concernée." in body
    _activate(town)
    response = client.post(reverse("crises:activate"), {"kind": "heatwave", "level": "3", "communes": [town[2].pk]})
    assert "déjà en cours" in response.content.decode()


def test_end_page_needs_the_box_ticked(town, client):
    crisis = _activate(town)
    login_verified(client, town[1])
    assert client.get(reverse("crises:end", args=[crisis.pk])).status_code == 200
    response = client.post(reverse("crises:end", args=[crisis.pk]), {})
    assert response.status_code == 200
    crisis.refresh_from_db()
    assert crisis.is_in_progress
    response = client.post(reverse("crises:end", args=[crisis.pk]), {"confirm": "on"})
    assert response.status_code == 302
    crisis.refresh_from_db()
    assert not crisis.is_in_progress


def test_list_shows_crises_in_progress_first(town, client):
    old = _activate(town, title="Ancienne crise", kind="cold")
    services.crisis_end(actor=town[1], organisation=town[0], crisis=old)
    _activate(town, title="Crise du jour")
    login_verified(client, town[1])
    body = client.get(reverse("crises:list")).content.decode()
    assert body.index("Crise du jour") < body.index("Ancienne crise")

"""The register manager's campaign pages: build a campaign (with the count of persons), its guide
prefilled for the event, open, close, dispatch again. Attack tests first."""

import pytest
from django.test import Client
from django.urls import reverse

from maillage.core.enums import Role
from maillage.register.enums import CampaignStatus, CrisisKind
from maillage.register.models import CallCampaign, Crisis
from maillage.register.scripts import default_script
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.register.campaign_factories import manager_of, open_campaign, registered_person, volunteer_of

pytestmark = pytest.mark.django_db


def _client(user):
    return login_verified(Client(), user)


@pytest.fixture
def manager():
    return manager_of()


def test_reception_agent_of_the_same_organisation_sees_no_campaign(manager):
    campaign = open_campaign(manager.user, [])
    agent = MembershipFactory(organisation=manager.organisation, role=Role.RECEPTION_AGENT)
    client = _client(agent.user)
    for url in (
        reverse("campaigns:list"),
        reverse("campaigns:create"),
        reverse("campaigns:detail", args=[campaign.pk]),
    ):
        assert client.get(url).status_code == 404
    assert "Campagnes d'appels" not in client.get(reverse("core:dashboard")).content.decode()


def test_register_manager_of_another_organisation_cannot_open_the_campaign(manager):
    campaign = open_campaign(manager.user, [])
    other = manager_of()
    client = _client(other.user)
    for name in ("detail", "script", "callers", "close", "sheets"):
        assert client.get(reverse(f"campaigns:{name}", args=[campaign.pk])).status_code == 404, name
    assert client.post(reverse("campaigns:dispatch", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("campaigns:sheets_pdf", args=[campaign.pk, "sans-appelant"])).status_code == 404
    assert campaign.title not in client.get(reverse("campaigns:list")).content.decode()


def test_manager_builds_a_campaign_with_the_count_and_a_guide_for_the_heatwave(manager):
    organisation = manager.organisation
    organisation.phone = "02 99 00 00 00"
    organisation.save()
    volunteer = volunteer_of(organisation)
    registered_person(manager.user, priority=1)
    registered_person(manager.user)
    crisis = Crisis.objects.create(organisation=organisation, kind=CrisisKind.HEATWAVE, activated_by=manager.user)
    client = _client(manager.user)
    page = client.get(reverse("campaigns:create")).content.decode()
    assert "2 personnes inscrites seront appelées" in page
    count = client.get(reverse("campaigns:count"), {"priority": "1", "purpose": "evaluation"}, HTTP_HX_REQUEST="true")
    assert "1 personne inscrite sera appelée" in count.content.decode()
    response = client.post(
        reverse("campaigns:create"),
        {
            "title": "Canicule d'août",
            "purpose": "evaluation",
            "crisis": crisis.pk,
            "priority": "",
            "callers": [volunteer.user.pk],
            "max_attempts": 3,
            "retry_delays": "60, 180",
        },
    )
    campaign = CallCampaign.objects.get(title="Canicule d'août")
    assert response["Location"] == reverse("campaigns:script", args=[campaign.pk])
    assert campaign.calls.count() == 2 and campaign.retry_delays == [60, 180]
    assert "0 800 06 66 66" in campaign.script_advice and "114" in campaign.script_numbers
    assert "02 99 00 00 00" in campaign.script_numbers and "3977" in campaign.script_numbers
    guide = client.get(response["Location"]).content.decode()
    assert "Se présenter" in guide and "Numéros utiles et d&#x27;urgence" in guide
    data = {
        name: getattr(campaign, name)
        for name in default_script(purpose="evaluation", crisis_kind=None, organisation=organisation)
    }
    data["script_offer"] = "Portage de repas : appeler le CCAS."
    assert client.post(response["Location"], data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.script_offer == "Portage de repas : appeler le CCAS."
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "En préparation" in page and "Portage de repas" in page
    # Open (confirmation page, then the post): the calls go to the volunteer.
    assert "Avant de confirmer" in client.get(reverse("campaigns:open", args=[campaign.pk])).content.decode()
    response = client.post(reverse("campaigns:open", args=[campaign.pk]))
    assert "La campagne est ouverte : 2 appels attribués" in client.get(response["Location"]).content.decode()
    assert campaign.calls.filter(assigned_to=volunteer.user).count() == 2


def test_bad_input_names_the_field_in_french(manager):
    client = _client(manager.user)
    response = client.post(
        reverse("campaigns:create"),
        {"title": "", "purpose": "evaluation", "max_attempts": 0, "retry_delays": "une heure"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Écrivez des nombres entiers de minutes" in page
    assert not CallCampaign.objects.exists()


def test_manager_closes_a_campaign_after_confirmation_and_its_open_calls_are_cancelled(manager):
    volunteer = volunteer_of(manager.organisation)
    campaign = open_campaign(manager.user, [volunteer.user], persons=2)
    client = _client(manager.user)
    page = client.get(reverse("campaigns:close", args=[campaign.pk])).content.decode()
    assert "2 appels ne sont pas faits : ils seront annulés" in page
    client.post(reverse("campaigns:close", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert not campaign.calls.open().exists()


def test_manager_dispatches_again_after_adding_a_caller(manager):
    campaign = open_campaign(manager.user, [], persons=2)
    assert campaign.calls.filter(assigned_to__isnull=True).count() == 2
    volunteer = volunteer_of(manager.organisation)
    client = _client(manager.user)
    client.post(reverse("campaigns:callers", args=[campaign.pk]), {"callers": [volunteer.user.pk]})
    response = client.post(reverse("campaigns:dispatch", args=[campaign.pk]))
    assert "2 appels attribués" in client.get(response["Location"]).content.decode()
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert volunteer.user.get_full_name() in page


def test_confirmation_purpose_selects_entries_not_confirmed_for_a_year(manager):
    import datetime

    from django.utils import timezone

    old = registered_person(manager.user)
    old.confirmed_on = timezone.localdate() - datetime.timedelta(days=370)
    old.save()
    registered_person(manager.user)
    client = _client(manager.user)
    count = client.get(reverse("campaigns:count"), {"purpose": "confirmation"})
    assert "1 personne inscrite sera appelée" in count.content.decode()


def test_menu_shows_campaigns_to_the_register_manager(manager):
    page = _client(manager.user).get(reverse("core:dashboard")).content.decode()
    assert reverse("campaigns:list") in page


def test_the_count_fragment_is_the_one_the_full_page_renders(manager):
    registered_person(manager.user)
    client = _client(manager.user)
    page = client.get(reverse("campaigns:create")).content.decode()
    fragment = client.get(reverse("campaigns:count"), {"purpose": "evaluation"}, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().strip() in page

"""The demo shows a register and a past campaign (issue 13, « Done when »): seed_demo fills the
demo CCAS's register through the services, safe twice."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import FollowUpTask
from maillage.core.demo import DEMO_EMAIL_DOMAIN
from maillage.core.models import User
from maillage.register.enums import CallPurpose, CampaignStatus, EntrySource, EntryStatus, Outcome
from maillage.register.models import Call, CallCampaign, Crisis, Escalation, RegisterEntry, Sponsorship
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(capsys):
    call_command("seed_demo")
    capsys.readouterr()


def test_the_demo_register_past_campaign_follow_ups_and_sponsorship(demo, client):
    entries = RegisterEntry.objects.filter(organisation__name="CCAS de Rennes")
    assert 38 <= entries.count() <= 42
    statuses = dict.fromkeys(EntryStatus.values, 0)
    for status in entries.values_list("status", flat=True):
        statuses[status] += 1
    assert statuses[EntryStatus.PENDING_CONSENT] == 3
    assert statuses[EntryStatus.SUSPENDED] == 1 and statuses[EntryStatus.REMOVED] == 1
    assert statuses[EntryStatus.ACTIVE] >= 30
    assert entries.filter(source=EntrySource.DEPARTEMENT_LIST, status=EntryStatus.PENDING_CONSENT).count() == 2
    assert entries.filter(source=EntrySource.THIRD_PARTY, status=EntryStatus.PENDING_CONSENT).count() == 1
    for entry in entries:
        entry.full_clean()
        address = entry.person.addresses.filter(is_current=True).first()
        assert address is None or address.commune.departement.code == "35"

    crisis = Crisis.objects.get(organisation__name="CCAS de Rennes")
    today = timezone.localdate()
    assert timezone.localdate(crisis.ended_at) == today - datetime.timedelta(days=42)
    assert crisis.purge_due_on > today  # not yet destroyed by retention
    campaign = crisis.campaigns.get()
    assert campaign.status == CampaignStatus.CLOSED
    outcomes = set(campaign.calls.exclude(outcome="").values_list("outcome", flat=True))
    assert {Outcome.REACHED_FINE, Outcome.NEEDS_FOUND, Outcome.UNREACHABLE, Outcome.REFUSED} <= outcomes
    assert campaign.calls.filter(fragility_level=3).exists() and campaign.calls.filter(attempts__gt=1).exists()
    escalations = Escalation.objects.filter(entry__organisation__name="CCAS de Rennes")
    assert escalations.filter(handled_at__isnull=False).count() >= 2
    assert escalations.filter(handled_at__isnull=True).count() == 1
    assert FollowUpTask.objects.filter(title__startswith="Mise en relation avec le CLIC").exists()

    volunteer = User.objects.get(email=f"benevole@{DEMO_EMAIL_DOMAIN}")
    tomorrow = today + datetime.timedelta(days=1)
    due_tomorrow = [
        c
        for c in Call.objects.open().filter(assigned_to=volunteer, purpose=CallPurpose.FRIENDLY)
        if timezone.localdate(c.due_at) == tomorrow
    ]
    assert len(due_tomorrow) >= 2
    assert CallCampaign.objects.get(organisation__name="CCAS de Rennes", standing=True).status == CampaignStatus.OPEN
    sponsorship = Sponsorship.objects.get(volunteer=volunteer, ended_on__isnull=True)

    login_verified(client, volunteer)
    page = client.get(reverse("sponsorships:mine")).content.decode()
    assert sponsorship.entry.person.full_name in page and f"{tomorrow:%d/%m/%Y}" in page
    assert sponsorship.pending_every_days == 14  # tomorrow's call announces the spacing
    assert "À annoncer lors du prochain appel" in page
    client.logout()
    login_verified(client, User.objects.get(email=f"registre@{DEMO_EMAIL_DOMAIN}"))
    assert sponsorship.entry.person.full_name in client.get(reverse("sponsorships:list")).content.decode()


def test_the_demo_register_is_safe_twice(demo, capsys):
    counts = (RegisterEntry.objects.count(), Call.objects.count(), Sponsorship.objects.count())
    call_command("seed_demo")
    assert (RegisterEntry.objects.count(), Call.objects.count(), Sponsorship.objects.count()) == counts

"""Retention of crisis data (three months after the end, guide VISA) and of removed entries (CASF
R121-11), through the daily task (core.retention.apply_retention), logged by RetentionRun."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from maillage.core.models import RetentionRun
from maillage.core.retention import apply_retention
from maillage.people.models import Person
from maillage.register.enums import CallStatus, EntryStatus
from maillage.register.models import (
    Call,
    CallAttempt,
    CallCampaign,
    Crisis,
    Escalation,
    PrefectTransmission,
    RegisterEntry,
)
from maillage.register.retention import CRISIS_RULE, REMOVED_ENTRY_RULE
from tests.register.crisis_factories import (
    CallFactory,
    CampaignFactory,
    CrisisEntryFactory,
    CrisisFactory,
    EscalationFactory,
)

NOW = datetime.datetime(2027, 10, 15, 10, 0, tzinfo=timezone.get_default_timezone())


def _crisis_with_data(ended_at):
    crisis = CrisisFactory(started_at=NOW - relativedelta(months=6), ended_at=ended_at)
    campaign = CampaignFactory(crisis=crisis, selection={"communes": ["35238"]})
    call = CallFactory(campaign=campaign, status=CallStatus.DONE, outcome="unreachable", note="Voisin inquiet")
    CallAttempt.objects.create(call=call, outcome="not_reached", note="Pas de réponse")
    EscalationFactory(call=call, handling_note="Visite faite")
    CallFactory(campaign=campaign, status=CallStatus.DONE, outcome="reached_fine")
    PrefectTransmission.objects.create(crisis=crisis, entry_count=2, fields=["last_name"])
    return crisis


def _local(day, hour=12):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


TODAY = timezone.localdate(NOW)
CASES = [
    pytest.param(
        _local(TODAY - relativedelta(months=3) + datetime.timedelta(days=1)), False, id="3-mois-moins-1-jour"
    ),
    pytest.param(_local(TODAY - relativedelta(months=3), hour=23), True, id="3-mois-jour-pour-jour"),
    pytest.param(_local(TODAY - relativedelta(months=5)), True, id="5-mois"),
    pytest.param(None, False, id="en-cours"),
]


@pytest.mark.parametrize(("ended_at", "purged"), CASES)
def test_crisis_data_goes_three_months_after_the_end(db, ended_at, purged):
    crisis = _crisis_with_data(ended_at)
    entry_ids = set(Call.objects.filter(campaign__crisis=crisis).values_list("entry", flat=True))
    apply_retention(now=NOW)
    crisis.refresh_from_db()
    run = RetentionRun.objects.get(rule=CRISIS_RULE)
    assert run.count == (1 if purged else 0)
    assert (crisis.purged_at is not None) is purged
    assert Call.objects.filter(campaign__crisis=crisis).exists() is not purged
    assert CallAttempt.objects.filter(call__campaign__crisis=crisis).exists() is not purged
    assert Escalation.objects.exists() is not purged
    assert PrefectTransmission.objects.filter(crisis=crisis).exists() is not purged
    # The register and the persons' files stay: they are under their own rules.
    assert RegisterEntry.objects.filter(pk__in=entry_ids).count() == len(entry_ids)
    assert Person.objects.filter(register_entries__in=entry_ids).count() == len(entry_ids)
    campaign = CallCampaign.objects.get(crisis=crisis)
    if purged:
        assert campaign.selection == {
            "purged_counts": {"calls": 2, "done": 2, "cancelled": 0, "alerts": 1, "alerts_unreachable": 1, "tries": 1}
        }
        assert campaign.script_introduction == ""
    else:
        assert campaign.selection == {"communes": ["35238"]}


def test_a_purged_crisis_is_not_purged_again(db):
    _crisis_with_data(NOW - relativedelta(months=4))
    apply_retention(now=NOW)
    apply_retention(now=NOW + datetime.timedelta(days=1))
    assert list(RetentionRun.objects.filter(rule=CRISIS_RULE).values_list("count", flat=True).order_by("pk")) == [1, 0]


def test_dry_run_counts_without_deleting(db):
    crisis = _crisis_with_data(NOW - relativedelta(months=4))
    [run] = [r for r in apply_retention(now=NOW, dry_run=True) if r.rule == CRISIS_RULE]
    assert run.count == 1 and run.dry_run
    assert Call.objects.filter(campaign__crisis=crisis).exists()
    assert Crisis.objects.get(pk=crisis.pk).purged_at is None


@pytest.mark.parametrize(
    ("status", "removed_days_ago", "deleted"),
    [
        pytest.param(EntryStatus.REMOVED, 1, True, id="radiee-hier"),
        pytest.param(EntryStatus.REMOVED, 0, True, id="radiee-ce-matin"),
        pytest.param(EntryStatus.ACTIVE, None, False, id="inscrite"),
        pytest.param(EntryStatus.SUSPENDED, None, False, id="suspendue"),
    ],
)
def test_removed_entries_go_at_the_next_run(db, status, removed_days_ago, deleted):
    removed_at = NOW - datetime.timedelta(days=removed_days_ago, hours=1) if removed_days_ago is not None else None
    entry = CrisisEntryFactory(status=status, removed_at=removed_at)
    apply_retention(now=NOW)
    assert RegisterEntry.objects.filter(pk=entry.pk).exists() is not deleted
    assert Person.objects.filter(pk=entry.person_id).exists()  # the person's file stays
    assert RetentionRun.objects.get(rule=REMOVED_ENTRY_RULE).count == (1 if deleted else 0)


def test_removed_entries_delay_is_a_setting(db, settings):
    settings.MAILLAGE_RETENTION_REGISTER_REMOVED_DAYS = 30
    entry = CrisisEntryFactory(status=EntryStatus.REMOVED, removed_at=NOW - datetime.timedelta(days=10))
    apply_retention(now=NOW)
    assert RegisterEntry.objects.filter(pk=entry.pk).exists()


def test_a_quiet_file_stays_while_the_person_is_on_the_register(db):
    """CASF R121-11: the register's data is kept until death or removal, not until the file's
    two years without activity (people.person.inactive)."""
    entry = CrisisEntryFactory()
    quiet = CrisisEntryFactory(status=EntryStatus.SUSPENDED)
    Person.objects.filter(pk__in=[entry.person_id, quiet.person_id]).update(
        last_activity_at=NOW - relativedelta(years=3)
    )
    apply_retention(now=NOW)
    assert Person.objects.filter(pk__in=[entry.person_id, quiet.person_id]).count() == 2
    entry.status = EntryStatus.REMOVED
    entry.removed_at = NOW - datetime.timedelta(days=2)
    entry.save()
    apply_retention(now=NOW)  # the removed entry goes first …
    apply_retention(now=NOW)  # … then the quiet file, under its own rule
    assert not Person.objects.filter(pk=entry.person_id).exists()


def test_a_purged_crisis_page_shows_the_counts_kept_not_an_empty_crisis(db, client):
    """After the purge, the crisis's page says how many calls and alerts there were (the counts the
    retention kept), not « Aucun appel pour cette crise »."""
    from django.urls import reverse

    from maillage.core.enums import Role
    from tests.conftest import login_verified
    from tests.core.factories import MembershipFactory

    crisis = _crisis_with_data(timezone.now() - relativedelta(months=4))
    CallFactory(campaign=crisis.campaigns.get(), status=CallStatus.CANCELLED)
    manager = MembershipFactory(organisation=crisis.organisation, role=Role.REGISTER_MANAGER).user
    login_verified(client, manager)
    apply_retention()
    assert not Call.objects.filter(campaign__crisis=crisis).exists()
    page = client.get(reverse("crises:detail", args=[crisis.pk])).content.decode()
    assert "Aucun appel pour cette crise" not in page
    assert "3 appels, dont 2 terminés et 1 annulé à la levée ; 1 alerte." in page
    assert "seuls ces nombres restent" in page


def test_a_purged_crisis_without_calls_still_says_it_had_none(db, client):
    from django.urls import reverse

    from maillage.core.enums import Role
    from tests.conftest import login_verified
    from tests.core.factories import MembershipFactory

    crisis = CrisisFactory(
        started_at=timezone.now() - relativedelta(months=6), ended_at=timezone.now() - relativedelta(months=4)
    )
    CampaignFactory(crisis=crisis)
    login_verified(client, MembershipFactory(organisation=crisis.organisation, role=Role.REGISTER_MANAGER).user)
    apply_retention()
    crisis.refresh_from_db()
    assert crisis.purged_at is not None
    page = client.get(reverse("crises:detail", args=[crisis.pk])).content.decode()
    assert "Aucun appel pour cette crise." in page and "0 appel" not in page

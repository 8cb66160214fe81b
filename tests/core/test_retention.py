import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from maillage.core.models import AuditLogEntry, RetentionRun
from maillage.core.retention import RULES, apply_retention
from maillage.people.models import Consent, Person
from tests.people.factories import ConsentFactory, PersonFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()
YEAR = datetime.timedelta(days=365)


def test_every_personal_data_rule_is_declared():
    assert {
        "people.person.inactive",
        "people.consent.withdrawn",
        "casework.break_glass.expired",
        "casework.document.retain_until",
        "casework.request.free_text",
        "register.crisis.ended",
        "register.entry.removed",
    } <= set(RULES)
    for rule in RULES.values():
        assert rule.description and rule.action in ("delete", "anonymise")


# (last activity, kept?) — default: 2 years after the last activity.
PERSON_CASES = [
    (NOW - 2 * YEAR + datetime.timedelta(days=1), True),
    (NOW - 2 * YEAR - datetime.timedelta(days=1), False),
    (NOW - datetime.timedelta(days=3), True),
]


@pytest.mark.parametrize(
    ("last_activity", "kept"), PERSON_CASES, ids=["2-ans-moins-1-jour", "2-ans-plus-1-jour", "recent"]
)
def test_inactive_persons_are_deleted_after_two_years(last_activity, kept):
    person = PersonFactory(last_activity_at=last_activity)
    ConsentFactory(person=person)
    apply_retention(now=NOW)
    assert Person.objects.filter(pk=person.pk).exists() is kept
    assert Consent.objects.filter(person_id=person.pk).exists() is kept
    if not kept:
        # The erasure is recorded as a run, without copying the erased data into the audit trail.
        assert not AuditLogEntry.objects.filter(object_pk=str(person.pk), action=AuditLogEntry.Action.DELETE).exists()
        assert RetentionRun.objects.get(rule="people.person.inactive").count == 1


def test_duration_is_a_setting(settings):
    settings.MAILLAGE_RETENTION_PERSON_YEARS = 5
    person = PersonFactory(last_activity_at=NOW - 3 * YEAR)
    apply_retention(now=NOW)
    assert Person.objects.filter(pk=person.pk).exists()


def test_withdrawn_consent_is_kept_five_years_as_proof():
    recent = ConsentFactory(withdrawn_at=NOW - 4 * YEAR)
    old = ConsentFactory(withdrawn_at=NOW - 5 * YEAR - datetime.timedelta(days=2))
    apply_retention(now=NOW)
    assert Consent.objects.filter(pk=recent.pk).exists()
    assert not Consent.objects.filter(pk=old.pk).exists()


def test_simulation_counts_and_deletes_nothing_and_every_run_is_recorded(capsys):
    person = PersonFactory(last_activity_at=NOW - 3 * YEAR)
    call_command("apply_retention", simulation=True)
    assert Person.objects.filter(pk=person.pk).exists()
    assert "people.Person : 1 ligne(s) à traiter" in capsys.readouterr().out
    run = RetentionRun.objects.get(rule="people.person.inactive")
    assert run.dry_run and run.count == 1
    call_command("apply_retention")
    assert not Person.objects.filter(pk=person.pk).exists()
    assert RetentionRun.objects.filter(rule="people.person.inactive", dry_run=False, count=1).exists()


def test_documents_past_their_date_are_deleted_with_their_file(tmp_path, settings):
    from django.core.files.base import ContentFile

    from maillage.casework.models import Document
    from tests.core.factories import UserFactory

    settings.MEDIA_ROOT = tmp_path
    person = PersonFactory()
    user = UserFactory()
    kwargs = {
        "person": person,
        "organisation": person.organisation,
        "uploaded_by": user,
        "kind": "other",
        "title": "Avis d'imposition",
        "original_name": "avis.pdf",
        "content_type": "application/pdf",
        "size": 13,
        "retain_until": (NOW - datetime.timedelta(days=1)).date(),
    }
    document = Document(**kwargs)
    document.file.save("avis.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    document.save()
    path = Path(document.file.path)
    assert path.exists()
    apply_retention(now=NOW)
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not path.exists()


def test_old_requests_lose_their_free_text_but_stay_counted():
    from maillage.casework.models import Request
    from tests.casework.factories import RequestFactory

    old = RequestFactory(
        received_at=NOW - 2 * YEAR - datetime.timedelta(days=1), requester_name="Mme Voisine", notes="Détails"
    )
    recent = RequestFactory(received_at=NOW - YEAR, requester_name="M. Fils", notes="Détails")
    apply_retention(now=NOW)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.requester_name, old.notes) == ("", "")
    assert (recent.requester_name, recent.notes) == ("M. Fils", "Détails")
    assert Request.objects.count() == 2
    assert RetentionRun.objects.get(rule="casework.request.free_text").count == 1

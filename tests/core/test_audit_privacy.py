"""The audit trail keeps who did what to which record and when, never the persons' data
(decisions.md, item 15), and its own retention goes through a logged, privileged purge."""

import datetime
import json

import pytest
from auditlog.context import set_extra_data
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import Note
from maillage.core import audit
from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry, RetentionRun
from maillage.core.retention import AUDIT_TRAIL_RULE, apply_retention
from maillage.directory.models import Service
from maillage.people.models import Person
from tests.conftest import login_verified
from tests.core.factories import CommuneFactory, MembershipFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

# What the person's file holds, and what must never be found in the trail.
SECRETS = {
    "last_name": "Quintanilla",
    "new_last_name": "Brévannes",
    "first_names": "Philomène",
    "birth_date": "1937-08-19",
    "birth_date_fr": "19/08/1937",
    "birth_place": "Montbéliard",
    "phone_digits": "612893471",
    "address": "rue des Capucines",
    "note": "Hospitalisée pour une chute, refuse l'aide de sa fille",
}


def _trail_text() -> str:
    """Every text column of every line of the trail, as one string."""
    parts = []
    for entry in AuditLogEntry.objects.all():
        parts += [entry.object_repr, entry.changes_text, entry.path, entry.reason, entry.actor_email or ""]
        parts += [json.dumps(entry.changes, ensure_ascii=False), json.dumps(entry.serialized_data)]
        parts += [json.dumps(entry.additional_data, ensure_ascii=False)]
    return "\n".join(parts)


def _assert_nothing_personal(text: str):
    lowered = text.lower()
    for key, secret in SECRETS.items():
        assert secret.lower() not in lowered, f"{key} ({secret}) est dans le journal d'audit"


def _lines(model, pk, action):
    return AuditLogEntry.objects.filter(
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
        object_pk=str(pk),
        action=action,
    )


@pytest.fixture
def coordinator(client):
    membership = MembershipFactory(role=Role.COORDINATOR)
    login_verified(client, membership.user)
    CommuneFactory(code="21231", name="Dijon", postal_codes=["21000"])
    return client, membership


def _create_person(client) -> Person:
    response = client.post(
        reverse("people:create"),
        {
            "last_name": SECRETS["last_name"],
            "birth_name": "",
            "first_names": SECRETS["first_names"],
            "sex": "F",
            "birth_date": SECRETS["birth_date"],
            "lives_alone": "true",
            "languages": "",
            "address_line": f"12 {SECRETS['address']}",
            "postal_code": "21000",
            "commune": "21231",
            "housing": "unknown",
            "phone": "06 12 89 34 71",
            "email": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Person.objects.get(last_name=SECRETS["last_name"])


def _edit_person(client, person: Person):
    response = client.post(
        reverse("people:edit", args=[person.pk]),
        {
            "last_name": SECRETS["new_last_name"],
            "birth_name": SECRETS["last_name"],
            "first_names": SECRETS["first_names"],
            "sex": "F",
            "birth_date": SECRETS["birth_date"],
            "birth_place": SECRETS["birth_place"],
            "languages": "",
            "lives_alone": "false",
            "legal_protection": person.legal_protection,
            "social_security_scheme": person.social_security_scheme,
            "pension_funds": "",
            "gir": "",
            "gir_assessed_on": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_persons_life_in_the_trail_names_fields_and_actors_never_values(coordinator):
    client, membership = coordinator
    person = _create_person(client)
    _edit_person(client, person)
    client.get(reverse("people:detail", args=[person.pk]))
    response = client.post(
        reverse("casework:note_list", args=[person.pk]), {"body": SECRETS["note"], "visibility": "organisation"}
    )
    assert response.status_code == 302
    note = Note.objects.get(person=person)
    assert note.body == SECRETS["note"]  # the data itself is there, only the trail is blind to it

    # Who did what to which record, and which fields.
    created = _lines(Person, person.pk, AuditLogEntry.Action.CREATE).get()
    assert created.actor == membership.user and created.organisation == membership.organisation
    assert created.object_repr == f"Personne n° {person.pk}"
    assert {"last_name", "first_names", "birth_date"} <= set(created.changes)
    updated = _lines(Person, person.pk, AuditLogEntry.Action.UPDATE).get()
    assert updated.actor == membership.user
    assert {"last_name", "birth_name", "birth_place", "lives_alone"} <= set(updated.changes)
    assert "first_names" not in updated.changes  # unchanged fields are not listed
    assert updated.changes["last_name"] == [audit.MASK, audit.MASK]
    note_line = _lines(Note, note.pk, AuditLogEntry.Action.CREATE).get()
    assert note_line.actor == membership.user
    assert note_line.changes["body"] == [audit.MASK, audit.MASK]
    # References to the file and to the author keep their number: whose file, who wrote.
    assert note_line.changes["person"][1] == person.pk
    assert note_line.changes["author"][1] == membership.user.pk
    opened = _lines(Person, person.pk, AuditLogEntry.Action.ACCESS).get()
    assert opened.object_repr == f"Personne n° {person.pk}" and opened.changes_text == "Fiche de la personne"

    # Erased: by hand (every row writes a masked DELETE line), then nothing anywhere.
    person_pk = person.pk
    Person.objects.get(pk=person_pk).delete()
    assert _lines(Person, person_pk, AuditLogEntry.Action.DELETE).exists()
    assert _lines(Note, note.pk, AuditLogEntry.Action.DELETE).exists()
    assert AuditLogEntry.objects.filter(content_type__model="personphone", action=AuditLogEntry.Action.DELETE).exists()
    _assert_nothing_personal(_trail_text())


def test_retention_erasure_leaves_nothing_of_the_person_in_the_trail(coordinator):
    client, _membership = coordinator
    person = _create_person(client)
    _edit_person(client, person)
    Person.objects.filter(pk=person.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=3 * 365))
    apply_retention()
    assert not Person.objects.filter(pk=person.pk).exists()
    assert AuditLogEntry.objects.filter(object_pk=str(person.pk)).exists()  # the trail stays, blind
    _assert_nothing_personal(_trail_text())


def test_access_lines_lose_the_records_name_and_the_pages_query_string(client):
    owner = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(
        organisation=owner.organisation, last_name=SECRETS["last_name"], birth_date=datetime.date(1937, 8, 19)
    )
    outsider = MembershipFactory(role=Role.COORDINATOR)
    login_verified(client, outsider.user)
    reason = "Chute signalée par le voisin, la famille est injoignable."
    url = reverse("people:break_glass") + f"?last_name={SECRETS['last_name']}&birth_date={SECRETS['birth_date']}"
    response = client.post(url, {"person": person.pk, "reason": reason})
    assert response.status_code == 302
    granted = AuditLogEntry.objects.get(changes_text="Accès exceptionnel accordé (informations d'urgence)")
    assert granted.path == reverse("people:break_glass")
    assert granted.reason == reason  # the agent's justification, for the DPO (purged with the trail)
    _assert_nothing_personal(_trail_text())

    # A caller naming the record in `what` gets its reference instead.
    request = client.get(reverse("people:detail", args=[person.pk])).wsgi_request
    line = audit.record_access(request, person, what=f"Export de « {person} »")
    assert line.changes_text == f"Export de « Personne n° {person.pk} »"


def test_directory_services_keep_their_values(db):
    from tests.directory.factories import ServiceFactory

    service = ServiceFactory()
    service.name = "Portage de repas du Val"
    service.save()
    line = _lines(Service, service.pk, AuditLogEntry.Action.UPDATE).get()
    assert line.changes["name"][1] == "Portage de repas du Val"
    assert line.object_repr == str(service)


def test_a_written_line_cannot_smuggle_values_of_a_personal_record(db):
    """Whoever writes the line (auditlog, a view, a script), `AuditLogEntry.save` redacts it."""
    from django.contrib.contenttypes.models import ContentType

    person = PersonFactory(last_name=SECRETS["last_name"])
    line = AuditLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Person),
        object_pk=str(person.pk),
        object_repr=str(person),
        action=AuditLogEntry.Action.UPDATE,
        changes={"last_name": ["Ancien", SECRETS["last_name"]], "organisation": [1, person.organisation_id]},
        serialized_data={"fields": {"last_name": SECRETS["last_name"]}},
    )
    line.refresh_from_db()
    assert line.object_repr == f"Personne n° {person.pk}"
    assert line.changes == {"last_name": [audit.MASK, audit.MASK], "organisation": [1, person.organisation_id]}
    assert line.serialized_data is None


def test_dpo_page_shows_field_labels_not_values(client):
    owner = MembershipFactory(role=Role.COORDINATOR)
    dpo = MembershipFactory(role=Role.DPO, organisation=owner.organisation)
    login_verified(client, owner.user)
    CommuneFactory(code="21231", name="Dijon", postal_codes=["21000"])
    person = _create_person(client)
    _edit_person(client, person)
    with set_extra_data(context_data={"actor": owner.user, "organisation": owner.organisation}):
        owner.organisation.phone = "03 80 11 22 33"
        owner.organisation.save()
    with_org = AuditLogEntry.objects.filter(organisation=owner.organisation).count()
    assert with_org >= 3
    dpo_client = login_verified(client.__class__(), dpo.user)  # a session of their own (no flash messages)
    response = dpo_client.get(reverse("core:audit_log"))
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Personne n° {person.pk}" in body
    assert "Champs modifiés (valeurs non conservées)" in body
    assert "nom d&#x27;usage" in body and "lieu de naissance" in body
    _assert_nothing_personal(body)
    # Public or staff data keep their values on the same page.
    assert "03 80 11 22 33" in body
    assert "plus de 365 jours" in body


# --- The trail's own retention -------------------------------------------------------------------


def _backdate(entry: AuditLogEntry, when: datetime.datetime):
    """Test helper: lines are append-only, so the date is set through the privileged lifting."""
    from django.db import connection

    with transaction.atomic(), connection.cursor() as cursor:
        table, trigger = "core_auditlogentry", "core_auditlogentry_no_update"
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
            cursor.execute(f"UPDATE {table} SET timestamp = %s WHERE id = %s", [when, entry.pk])
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            from maillage.core.migrations import _audit_triggers

            cursor.execute(f"DROP TRIGGER {trigger}")
            cursor.execute(
                f"UPDATE {table} SET timestamp = %s WHERE id = %s",
                [connection.ops.adapt_datetimefield_value(when), entry.pk],
            )
            cursor.execute(_audit_triggers.SQLITE_CREATE[0])


def test_old_lines_are_purged_by_the_retention_rule_and_the_purge_is_logged(db):
    alpha = MembershipFactory(role=Role.DPO).organisation
    now = timezone.now()
    old = audit_line(alpha, "ancienne")
    older_no_org = audit_line(None, "ancienne sans structure")
    recent = audit_line(alpha, "récente")
    _backdate(old, now - datetime.timedelta(days=400))
    _backdate(older_no_org, now - datetime.timedelta(days=366))
    _backdate(recent, now - datetime.timedelta(days=300))

    simulated = [run for run in apply_retention(now=now, dry_run=True) if run.rule == AUDIT_TRAIL_RULE]
    assert simulated[0].count == 2 and AuditLogEntry.objects.filter(pk=old.pk).exists()

    apply_retention(now=now)
    assert not AuditLogEntry.objects.filter(pk__in=[old.pk, older_no_org.pk]).exists()
    assert AuditLogEntry.objects.filter(pk=recent.pk).exists()
    assert RetentionRun.objects.get(rule=AUDIT_TRAIL_RULE, dry_run=False).count == 2
    purge_lines = AuditLogEntry.objects.filter(object_repr="Journal d'audit", action=AuditLogEntry.Action.DELETE)
    assert {(line.organisation_id, line.changes_text.split(" ")[2]) for line in purge_lines} == {
        (alpha.pk, "1"),
        (None, "1"),
    }
    assert all(f"« {AUDIT_TRAIL_RULE} »" in line.changes_text for line in purge_lines)

    # The lifting was for that operation only: the trail is append-only again.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=recent.pk)._raw_delete(AuditLogEntry.objects.db)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=recent.pk).update(object_repr="falsifié")


def test_a_failed_purge_deletes_nothing_and_keeps_the_trigger(db, monkeypatch):
    alpha = MembershipFactory(role=Role.DPO).organisation
    old = audit_line(alpha, "ancienne")
    _backdate(old, timezone.now() - datetime.timedelta(days=400))

    def broken_create(*args, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(AuditLogEntry.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        audit.purge_trail(before=timezone.now() - datetime.timedelta(days=365))
    monkeypatch.undo()
    assert AuditLogEntry.objects.filter(pk=old.pk).exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=old.pk)._raw_delete(AuditLogEntry.objects.db)


def test_the_trail_is_kept_at_least_six_months(settings):
    settings.MAILLAGE_RETENTION_AUDIT_DAYS = 30
    with pytest.raises(ValueError, match="au moins 183 jours"):
        audit.retention_period()
    settings.MAILLAGE_RETENTION_AUDIT_DAYS = 200
    assert audit.retention_period() == datetime.timedelta(days=200)


def audit_line(organisation, label: str) -> AuditLogEntry:
    from django.contrib.contenttypes.models import ContentType

    return AuditLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(AuditLogEntry),
        object_pk="1",
        object_repr=label,
        action=AuditLogEntry.Action.ACCESS,
        organisation=organisation,
    )


def test_lines_written_before_masking_are_masked_once_and_the_operation_is_logged(db):
    """Lines written before this rule (bulk_create skips `save`, as the old code did not redact)."""
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    person = PersonFactory(last_name=SECRETS["last_name"])
    organisation = person.organisation
    (legacy,) = AuditLogEntry.objects.bulk_create(
        [
            AuditLogEntry(
                content_type=ContentType.objects.get_for_model(Person),
                object_pk=str(person.pk),
                object_id=person.pk,
                object_repr=f"{SECRETS['first_names']} {SECRETS['last_name']}",
                action=AuditLogEntry.Action.ACCESS,
                changes={"birth_date": ["None", SECRETS["birth_date"]], "organisation": [None, organisation.pk]},
                path=f"/personnes/acces-exceptionnel/?last_name={SECRETS['last_name']}",
                organisation=organisation,
            )
        ]
    )
    service_line = AuditLogEntry.objects.filter(content_type__model="organisation").first()
    assert SECRETS["last_name"] in _trail_text()

    migration = importlib.import_module("maillage.core.migrations.0004_redact_personal_audit_lines")
    migration.redact(apps, type("SchemaEditor", (), {"connection": transaction.get_connection()})())

    legacy.refresh_from_db()
    assert legacy.object_repr == f"Personne n° {person.pk}"
    assert legacy.changes == {"birth_date": [audit.MASK, audit.MASK], "organisation": [None, organisation.pk]}
    assert legacy.path == "/personnes/acces-exceptionnel/"
    _assert_nothing_personal(_trail_text())
    logged = AuditLogEntry.objects.get(changes_text__startswith="Masquage")
    assert logged.organisation == organisation and logged.changes_text.startswith("Masquage : 1 ligne ")
    # Other lines untouched, nothing left to do the second time, and the trail is append-only again.
    assert (
        service_line is None or AuditLogEntry.objects.get(pk=service_line.pk).object_repr == service_line.object_repr
    )
    assert audit.redact_written_lines() == 0
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=legacy.pk).update(object_repr="falsifié")


def test_lines_about_a_persons_file_name_the_person_whoever_writes_them(client):
    """The DPO of the person's organisation sees what a care-team partner of another organisation
    opened and changed in the file (plan, its actions), but not the partner's other lines."""
    from maillage.casework.models import CareTeamMember
    from maillage.core import selectors
    from tests.casework.factories import share_with
    from tests.casework.factories_assessments import CarePlanActionFactory

    dpo = MembershipFactory(role=Role.DPO)
    person = PersonFactory(organisation=dpo.organisation)
    elsewhere = PersonFactory()
    nurse = MembershipFactory(role=Role.COORDINATOR)
    share_with(person, nurse.organisation)
    CareTeamMember.objects.create(person=person, user=nurse.user, organisation=nurse.organisation, role="Infirmier")
    action = CarePlanActionFactory(plan__person=person)
    login_verified(client, nurse.user)
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 200

    about_person = AuditLogEntry.objects.filter(subject_person_id=person.pk)
    assert about_person.filter(action=AuditLogEntry.Action.ACCESS, actor=nurse.user).exists()
    assert about_person.filter(content_type__model="careplanaction", object_pk=str(action.pk)).exists()
    assert about_person.filter(content_type__model="careteammember").exists()
    trail = selectors.audit_entry_list(actor=dpo.user, organisation=dpo.organisation)
    assert trail.filter(actor=nurse.user, changes_text="Fiche de la personne").exists()
    assert not trail.filter(subject_person_id=elsewhere.pk).exists()
    outsider = MembershipFactory(role=Role.DPO, organisation=nurse.organisation)
    theirs = selectors.audit_entry_list(actor=outsider.user, organisation=outsider.organisation)
    assert theirs.filter(actor=nurse.user, changes_text="Fiche de la personne").exists()  # written there
    assert not theirs.filter(content_type__model="careplanaction").exists()

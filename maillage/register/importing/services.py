"""The confirmed import of a transmitted list: everything in one transaction, or nothing.

The file is read and planned again at confirmation (the organisation's files may have changed since
the preview); a rejected row, or an uncertain match left undecided, refuses the whole import. Then,
for each row: the person's file (created, or the matched one given the phones it lacks), and one
register entry *pending consent* (guide VISA: the commune contacts the person to obtain it), whose
source is the transmitter, received « by import », marked with the import's batch number.
"""

import uuid
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.grammar import count
from maillage.core.models import AuditLogEntry, Organisation, User
from maillage.people import services as people_services
from maillage.register.enums import EntrySource
from maillage.register.importing import reading
from maillage.register.importing.rows import Plan, RowPlan, plan_import
from maillage.register.models import RegisterEntry
from maillage.register.services.entries import entry_register as register_entry

TRANSMITTED_SOURCES = (EntrySource.DEPARTEMENT_LIST, EntrySource.CAF_LIST, EntrySource.PENSION_FUND_LIST)


class ImportRefused(ApplicationError):
    """The import cannot be confirmed: rejected rows or undecided matches (`plan` says which)."""

    def __init__(self, message: str, plan: Plan):
        super().__init__(message)
        self.plan = plan


@dataclass
class ImportResult:
    batch: str
    entries: int
    created: int
    matched: int
    skipped: int


def list_preview(
    *, actor: User, organisation: Organisation, source: str, name: str, content: bytes, decisions=None
) -> Plan:
    """What the import of the file would do (nothing written). FileRefused for an unreadable file."""
    if not access.can_manage_register(actor, organisation):
        raise ApplicationError("Seul le gestionnaire du registre importe des listes dans le registre.")
    _check_source(source)
    return plan_import(
        reading.read(name, content), actor=actor, organisation=organisation, source=source, decisions=decisions
    )


def _check_source(source: str) -> None:
    if source not in TRANSMITTED_SOURCES:
        raise ApplicationError("Indiquez qui a transmis la liste : le département, la CAF ou une caisse de retraite.")


def refusal_message(plan: Plan) -> str:
    parts = []
    if plan.rejected:
        parts.append(count(len(plan.rejected), "ligne refusée", "lignes refusées"))
    if plan.undecided:
        parts.append(count(len(plan.undecided), "personne à départager", "personnes à départager"))
    if parts:
        return "Rien n'a été importé : " + " et ".join(parts) + "."
    return "Rien n'a été importé : aucune nouvelle inscription dans ce fichier."


@transaction.atomic
def list_import(
    *, actor: User, organisation: Organisation, source: str, name: str, content: bytes, decisions=None
) -> ImportResult:
    """Import a transmitted list: persons created or matched, one pending register entry each,
    all or nothing. ImportRefused (with the plan) when a row is rejected or a match undecided."""
    # Two imports of one organisation run one after the other: the second plans with the first's files
    # and entries (its rows become exact matches, already on the register), not beside them.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    plan = list_preview(
        actor=actor, organisation=organisation, source=source, name=name, content=content, decisions=decisions
    )
    if not plan.can_confirm:
        raise ImportRefused(refusal_message(plan), plan)
    batch = uuid.uuid4().hex
    today = timezone.localdate()
    entry_ids = []
    for row in plan.entries:
        if row.person is None:
            person = _create_person(actor, organisation, row)
        else:
            person = row.person
            _add_missing_phones(actor, organisation, person, row)
        entry = register_entry(
            actor=actor,
            organisation=organisation,
            person=person,
            data={"source": source, "received_via": "import", "legal_category": row.category, "requested_on": today},
        )
        entry_ids.append(entry.pk)
    RegisterEntry.objects.filter(pk__in=entry_ids).update(import_batch=batch)
    result = ImportResult(
        batch=batch,
        entries=len(plan.entries),
        created=len(plan.to_create),
        matched=len(plan.matched),
        skipped=len(plan.registered),
    )
    _trail(actor, organisation, source, result)
    return result


def _create_person(actor: User, organisation: Organisation, row: RowPlan):
    person = people_services.person_create(
        actor=actor,
        organisation=organisation,
        data=row.data,
        address=row.address,
        phone=row.phones[0] if row.phones else "",
        email=row.email,
    )
    for number in row.phones[1:]:
        people_services.person_phone_add(actor=actor, organisation=organisation, person=person, number=number)
    return person


def _add_missing_phones(actor: User, organisation: Organisation, person, row: RowPlan) -> None:
    """A matched file keeps its identity and address; it gains the list's numbers it does not have."""
    known = set(person.phones.values_list("number", flat=True))
    for number in row.phones:
        if number not in known:
            people_services.person_phone_add(actor=actor, organisation=organisation, person=person, number=number)


def _trail(actor: User, organisation: Organisation, source: str, result: ImportResult) -> None:
    """One line for the import as a whole: who, for which organisation, from whom, how many — never a
    person's name or value (each file and entry written has its own line, redacted by core.audit)."""
    AuditLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(RegisterEntry),
        object_pk="",
        object_repr="Import d'une liste transmise au registre",
        action=AuditLogEntry.Action.CREATE,
        changes_text=(
            f"{EntrySource(source).label} : "
            f"{count(result.entries, 'inscription en attente créée', 'inscriptions en attente créées')} "
            f"({count(result.created, 'fiche créée', 'fiches créées')}, "
            f"{count(result.matched, 'fiche existante', 'fiches existantes')}), "
            f"{count(result.skipped, 'personne déjà inscrite', 'personnes déjà inscrites')}."
        ),
        actor=actor,
        actor_email=actor.email,
        organisation=organisation,
    )

"""Reads about the register's entries, always scoped by `core.access` (the register manager only)."""

import datetime

from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.utils import timezone

from maillage.core import access
from maillage.core.enums import OrganisationKind, Role
from maillage.core.models import Commune, Membership, Organisation, User
from maillage.people import search as person_search
from maillage.people.models import PersonAddress
from maillage.register import texts
from maillage.register.enums import EntryStatus
from maillage.register.models import RegisterEntry

#: The kinds of organisation that may keep the commune's register (CASF L121-6-1: the mayor; in
#: practice the mairie or its CCAS, or the CIAS for an intercommunality).
REGISTER_KINDS = frozenset({OrganisationKind.MAIRIE, OrganisationKind.CCAS, OrganisationKind.CIAS})

# Pending consents first (they wait for someone), then active, suspended, removed.
STATUS_ORDER = Case(
    When(status=EntryStatus.PENDING_CONSENT, then=Value(0)),
    When(status=EntryStatus.ACTIVE, then=Value(1)),
    When(status=EntryStatus.SUSPENDED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def register_keepers():
    """Organisations that keep a register open to the public's requests: an active mairie, CCAS or
    CIAS with an active register manager (someone reads what arrives)."""
    managers = Membership.objects.active().filter(role=Role.REGISTER_MANAGER)
    return (
        Organisation.objects.filter(is_active=True, kind__in=REGISTER_KINDS, pk__in=managers.values("organisation"))
        .order_by("name")
        .prefetch_related("communes_served")
    )


def keeps_register(organisation: Organisation | None) -> bool:
    return organisation is not None and register_keepers().filter(pk=organisation.pk).exists()


def served_communes(organisation: Organisation):
    """The communes a register covers: those the organisation serves, else its seat's."""
    served = organisation.communes_served.all().order_by("name")
    if served.exists():
        return served
    return Commune.objects.filter(pk=organisation.commune_id)


def _with_person_data(queryset):
    return queryset.select_related("person", "organisation").prefetch_related(
        Prefetch(
            "person__addresses",
            queryset=PersonAddress.objects.filter(is_current=True).select_related("commune"),
            to_attr="current_addresses",
        ),
        "person__phones",
    )


def entry_list(
    *,
    actor: User,
    organisation: Organisation | None,
    status: str = "",
    query: str = "",
    priority: str = "",
    commune: Commune | None = None,
    neighbourhood: str = "",
    no_address: bool = False,
):
    """The register's entries the manager asked for: by status, name (the persons' search), priority,
    commune, neighbourhood or without a current address; pending consents first, then active,
    suspended, removed; by name."""
    entries = access.entries_visible_to(actor, organisation)
    if no_address:
        entries = entries.exclude(person__in=PersonAddress.objects.filter(is_current=True).values("person"))
    if status:
        entries = entries.filter(status=status)
    if priority:
        entries = entries.filter(priority=priority)
    if commune is not None:
        at = PersonAddress.objects.filter(is_current=True, commune=commune)
        entries = entries.filter(person__in=at.values("person"))
    if neighbourhood:
        entries = entries.filter(neighbourhood__iexact=neighbourhood.strip())
    if query:
        persons = access.persons_visible_to(actor, organisation).filter(pk__in=entries.values("person_id"))
        found, _parsed = person_search.search(persons, query, limit=200)
        entries = entries.filter(person__in=[p.pk for p in found])
    entries = entries.annotate(status_rank=STATUS_ORDER).order_by(
        "status_rank", "priority", "person__last_name", "person__first_names", "pk"
    )
    return _with_person_data(entries)


def active_without_address(organisation: Organisation) -> int:
    """How many active entries of living persons have no current address: the prefect's transmission
    and the campaigns built by commune cannot include them (sharing.prefect_entries)."""
    return (
        RegisterEntry.objects.active()
        .filter(organisation=organisation, person__deceased_on__isnull=True)
        .exclude(person__in=PersonAddress.objects.filter(is_current=True).values("person"))
        .count()
    )


def entry_counts(*, actor: User, organisation: Organisation | None) -> dict:
    """How many entries in each status, and how many to confirm."""
    rows = access.entries_visible_to(actor, organisation).values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(EntryStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    counts["to_confirm"] = entries_to_confirm(actor=actor, organisation=organisation).count()
    counts["possible_duplicates"] = (
        access.entries_visible_to(actor, organisation).current().filter(possible_duplicate=True).count()
    )
    return counts


def confirmation_due_before(today: datetime.date | None = None) -> datetime.date:
    """An entry confirmed on or before this date is due for its yearly confirmation."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - texts.CONFIRMATION_MONTHS // 12)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def entries_to_confirm(*, actor: User, organisation: Organisation | None, today=None):
    """Active entries not confirmed for twelve months (« Inscriptions à confirmer»), oldest first."""
    due = confirmation_due_before(today)
    entries = (
        access.entries_visible_to(actor, organisation)
        .active()
        .filter(Q(confirmed_on__lte=due) | Q(confirmed_on__isnull=True))
        .order_by("confirmed_on", "person__last_name", "pk")
    )
    return _with_person_data(entries)


def entry_get(*, actor: User, organisation: Organisation | None, pk) -> RegisterEntry:
    """One entry, authorised (404 otherwise), with what its page shows."""
    entry = access.get_entry_for(actor, organisation, pk)
    return (
        RegisterEntry.objects.select_related("person", "consent__recorded_by", "known_by", "created_by")
        .prefetch_related("person__phones", "person__emails", "person__addresses__commune", "known_by_callers")
        .get(pk=entry.pk)
    )


def caller_choices(organisation: Organisation):
    """Members who may take calls for the organisation (for « appelants qui la connaissent »)."""
    from maillage.core.models import User as UserModel

    members = Membership.objects.active().filter(organisation=organisation, role__in=access.CALLER_ROLES)
    return UserModel.objects.filter(pk__in=members.values("user")).order_by("last_name", "first_name")


def entries_of_person(*, actor: User, organisation: Organisation | None, person):
    """The person's entries in the organisation's register, for its register manager only."""
    return access.entries_visible_to(actor, organisation).filter(person=person).order_by("-created_at")


def entry_history(entry: RegisterEntry) -> list[str]:
    """The entry's life in sentences: its own dates, then the trail's changes (who changed which
    fields, when; never the values: the trail masks them)."""
    from django.contrib.contenttypes.models import ContentType

    from maillage.core import audit, grammar
    from maillage.core.models import AuditLogEntry

    lines = [f"Demande reçue le {grammar.long_date(entry.requested_on)} ({entry.get_received_via_display().lower()})."]
    if entry.consent_id:
        consent = entry.consent
        by = f", noté par {consent.recorded_by.get_full_name()}" if consent.recorded_by_id else ""
        lines.append(
            f"Accord donné le {grammar.long_date(consent.given_on)} ({consent.get_channel_display().lower()}{by})."
        )
    if entry.activated_on:
        lines.append(f"Inscrite le {grammar.long_date(entry.activated_on)}.")
    if entry.confirmed_on and entry.confirmed_on != entry.activated_on:
        lines.append(f"Inscription confirmée le {grammar.long_date(entry.confirmed_on)}.")
    if entry.status == EntryStatus.SUSPENDED:
        lines.append(f"Suspendue : {entry.suspended_reason}.")
    if entry.removed_at:
        lines.append(f"Radiée le {grammar.long_date(entry.removed_at)} : {entry.removal_reason}.")
    changes = (
        AuditLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(RegisterEntry), object_pk=str(entry.pk)
        )
        .exclude(action=AuditLogEntry.Action.ACCESS)
        .select_related("actor", "organisation")
        .order_by("-timestamp")[:50]
    )
    return lines + audit.trail_sentences(changes)

"""Writes about register entries: registration, consent, suspension, removal, yearly confirmation.

CASF L121-6-1 and R121-2 to R121-12; guide VISA, « Recourir au registre communal »: registration is
optional and needs the person's consent; a relative or a third party may ask in writing, a partner
may report, and the département, the CAF and the pension funds may transmit lists — each such entry
stays *pending* until the person's consent is recorded. Removal at the person's request is immediate.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Organisation, User
from maillage.people.enums import ConsentChannel, ConsentGiver, ConsentScope
from maillage.people.models import Consent, Person
from maillage.register.enums import CallStatus, EntrySource, EntryStatus
from maillage.register.models import RegisterEntry

# What the register manager may change on an entry (its page « Modifier »); who asked and how stay as
# received, and the status changes only through the actions below.
EDITABLE_FIELDS = (
    "legal_category",
    "isolation_factors",
    "priority",
    "neighbourhood",
    "best_times",
    "prefers_visit",
    "language",
    "hearing_difficulty",
    "known_by",
    "home_professionals",
    "home_access",
    "subscribes_to_information",
)

# What a registration writes: who asked and how, then the fields above, then what the public forms add.
ENTRY_FIELDS = (
    "source",
    "requester_name",
    "requester_contact",
    "requester_relationship",
    "requested_on",
    "received_via",
    *EDITABLE_FIELDS,
    "possible_duplicate",
    "submitted_details",
    "concern",
)

ALREADY_REGISTERED = "Cette personne est déjà inscrite au registre (ou son inscription attend son consentement)."

# The consent giver recorded for each source, when the consent comes with the request itself.
_GIVER = {EntrySource.SELF: ConsentGiver.PERSON, EntrySource.LEGAL_REPRESENTATIVE: ConsentGiver.LEGAL_REPRESENTATIVE}


def _check(actor: User | None, organisation: Organisation) -> None:
    # `actor=None`: a public form (the person or a relative registering online), authorised by the
    # view's own rules (rate limit, the organisation's public register page).
    if actor is not None and not access.can_manage_register(actor, organisation):
        raise ApplicationError("Seul le gestionnaire du registre tient le registre de la structure.")


def _consent(*, person: Person, channel: str, given_by: str, actor: User | None, given_on=None, note: str = ""):
    existing = person.consents.in_force().filter(scope=ConsentScope.REGISTER).first()
    if existing:
        return existing
    consent = Consent(
        person=person,
        scope=ConsentScope.REGISTER,
        channel=channel,
        given_by=given_by,
        given_on=given_on or timezone.localdate(),
        recorded_by=actor,
        note=note[:250],
    )
    # Given online by the person themself (a public form): nobody of the organisation recorded it.
    consent.full_clean(exclude=["recorded_by"] if actor is None else None)
    consent.save()
    return consent


@transaction.atomic
def entry_register(
    *,
    actor: User | None,
    organisation: Organisation,
    person: Person,
    data: dict,
    consent_channel: str = "",
    consent_wording: str = "",
    known_by_callers=(),
    hold_for_check: bool = False,
    consent_given_on=None,
) -> RegisterEntry:
    """Put the person on the organisation's register.

    The person's own request, or their legal representative's, carries the consent (`consent_channel`
    says how it was given, `consent_wording` the text shown): the entry is active at once. Any other
    source gives a pending entry, until `entry_record_consent`. A person already on the register (a
    current entry) is refused with a message that says so. `hold_for_check`: the person's own request
    stays pending all the same, until the manager has looked (a public form that resembles another
    file: `possible_duplicate`); the manager then records the consent the form carried."""
    _check(actor, organisation)
    entry = RegisterEntry(
        organisation=organisation,
        person=person,
        created_by=actor,
        consent_wording=consent_wording,
        **{k: v for k, v in data.items() if k in ENTRY_FIELDS},
    )
    entry.full_clean(exclude=["status"])
    if not entry.legal_category and not EntrySource.needs_consent(entry.source):
        raise ValidationError({"legal_category": "Indiquez à quel titre la personne est inscrite (CASF R121-2)."})
    if RegisterEntry.objects.current().filter(organisation=organisation, person=person).exists():
        raise ApplicationError(ALREADY_REGISTERED)
    if known_by_callers:
        _check_callers(organisation, known_by_callers)
    if entry.known_by_id and entry.known_by.person_id != person.pk:
        raise ValidationError({"known_by": "Choisissez une personne de l'entourage de cette personne."})
    if not EntrySource.needs_consent(entry.source) and not hold_for_check:
        if not consent_channel:
            raise ValidationError({"consent_channel": "Dites comment la personne a donné son accord."})
        entry.consent = _consent(
            person=person,
            channel=consent_channel,
            given_by=_GIVER[entry.source],
            actor=actor,
            given_on=consent_given_on or entry.requested_on,
        )
        entry.status = EntryStatus.ACTIVE
        entry.activated_on = timezone.localdate()
        entry.confirmed_on = entry.activated_on
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:  # a concurrent registration of the same person won the race
        raise ApplicationError(
            "Cette personne est déjà inscrite au registre (ou son inscription est en attente)."
        ) from None
    if known_by_callers:
        entry.known_by_callers.set(known_by_callers)
    if entry.subscribes_to_information and entry.consent_id:
        _subscribe(person, actor, channel=consent_channel)
    return entry


def _subscribe(person: Person, actor: User | None, *, channel: str) -> None:
    """The guide's suggestion: subscribe the person to the commune's information (a consent of its own)."""
    if not person.consents.in_force().filter(scope=ConsentScope.INFORMATION).exists():
        Consent.objects.create(
            person=person,
            scope=ConsentScope.INFORMATION,
            channel=channel or ConsentChannel.ORAL,
            given_by=ConsentGiver.PERSON,
            recorded_by=actor,
        )


@transaction.atomic
def entry_record_consent(
    *,
    actor: User,
    organisation: Organisation,
    entry: RegisterEntry,
    channel: str,
    given_by: str = ConsentGiver.PERSON,
    given_on=None,
    wording: str,
    subscribes_to_information: bool | None = None,
    duplicate_checked: bool = False,
    legal_category: str = "",
) -> RegisterEntry:
    """Record the person's consent to a pending entry (date, channel, agent, the wording shown): the
    entry becomes active. An entry flagged « doublon possible » needs the manager to say they checked
    the file (`duplicate_checked`), which lifts the flag."""
    _check(actor, organisation)
    entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk, organisation=organisation)
    if entry.status != EntryStatus.PENDING_CONSENT:
        raise ApplicationError("Cette inscription n'attend pas de consentement.")
    if entry.possible_duplicate and not duplicate_checked:
        raise ValidationError(
            {"duplicate_checked": "Vérifiez que cette fiche n'est pas en double, puis cochez la case."}
        )
    entry.possible_duplicate = False
    if legal_category:
        entry.legal_category = legal_category
    if not wording.strip():
        raise ValidationError({"wording": "Indiquez le texte présenté à la personne."})
    if given_on and given_on > timezone.localdate():
        raise ValidationError({"given_on": "La date du consentement ne peut pas être dans le futur."})
    if channel not in ConsentChannel.values:
        raise ValidationError({"channel": "Choisissez comment la personne a donné son accord."})
    entry.consent = _consent(person=entry.person, channel=channel, given_by=given_by, actor=actor, given_on=given_on)
    entry.consent_wording = wording
    entry.status = EntryStatus.ACTIVE
    entry.activated_on = timezone.localdate()
    entry.confirmed_on = entry.activated_on
    if subscribes_to_information is not None:
        entry.subscribes_to_information = subscribes_to_information
    entry.full_clean()
    entry.save()
    if entry.subscribes_to_information:
        _subscribe(entry.person, actor, channel=channel)
    return entry


@transaction.atomic
def entry_suspend(*, actor: User, organisation: Organisation, entry: RegisterEntry, reason: str) -> RegisterEntry:
    """Suspend an active entry (a stay in hospital, a long absence): no calls meanwhile."""
    _check(actor, organisation)
    if entry.status != EntryStatus.ACTIVE:
        raise ApplicationError("Seule une inscription active peut être suspendue.")
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de la suspension."})
    entry.status = EntryStatus.SUSPENDED
    entry.suspended_reason = reason
    entry.save()
    _cancel_open_calls(entry)
    return entry


@transaction.atomic
def entry_resume(*, actor: User, organisation: Organisation, entry: RegisterEntry) -> RegisterEntry:
    _check(actor, organisation)
    if entry.status != EntryStatus.SUSPENDED:
        raise ApplicationError("Cette inscription n'est pas suspendue.")
    entry.status = EntryStatus.ACTIVE
    entry.suspended_reason = ""
    entry.save()
    return entry


@transaction.atomic
def entry_remove(
    *, actor: User | None, organisation: Organisation, entry: RegisterEntry, reason: str, at_persons_request: bool
) -> RegisterEntry:
    """Remove the entry at once (CASF R121-7: at the person's request, at any time): its register
    consent is withdrawn, its open calls cancelled, its sponsorship ended. The person's file stays
    (it belongs to the organisation's other work); the register's own data goes by retention."""
    _check(actor, organisation)
    if entry.status == EntryStatus.REMOVED:
        raise ApplicationError("Cette inscription est déjà radiée.")
    if not reason.strip() and not at_persons_request:
        raise ValidationError({"reason": "Indiquez le motif de la radiation."})
    now = timezone.now()
    entry.status = EntryStatus.REMOVED
    entry.removed_at = now
    entry.removal_reason = reason or "À la demande de la personne"
    entry.save()
    entry.person.consents.in_force().filter(scope=ConsentScope.REGISTER).update(
        withdrawn_at=now, withdrawn_reason="Radiation du registre"
    )
    _cancel_open_calls(entry)
    entry.sponsorships.filter(ended_on__isnull=True).update(ended_on=timezone.localdate())
    return entry


@transaction.atomic
def entry_confirm(*, actor: User | None, organisation: Organisation, entry: RegisterEntry, on=None) -> RegisterEntry:
    """The person confirmed they wish to stay on the register (the yearly confirmation)."""
    _check(actor, organisation)
    if entry.status not in (EntryStatus.ACTIVE, EntryStatus.SUSPENDED):
        raise ApplicationError("Seule une inscription en cours peut être confirmée.")
    entry.confirmed_on = on or timezone.localdate()
    entry.save()
    return entry


@transaction.atomic
def entry_update(
    *, actor: User, organisation: Organisation, entry: RegisterEntry, data: dict, known_by_callers=None
) -> RegisterEntry:
    """Change what the register knows about the person (legal quality, isolation, how to reach them,
    who knows them, access to the home). Who asked, the consent and the status are not changed here."""
    _check(actor, organisation)
    entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk, organisation=organisation)
    if entry.status == EntryStatus.REMOVED:
        raise ApplicationError("Une inscription radiée ne se modifie plus.")
    for name, value in data.items():
        if name in EDITABLE_FIELDS:
            setattr(entry, name, value)
    if entry.known_by_id and entry.known_by.person_id != entry.person_id:
        raise ValidationError({"known_by": "Choisissez une personne de l'entourage de cette personne."})
    entry.full_clean()
    entry.save()
    if known_by_callers is not None:
        _check_callers(organisation, known_by_callers)
        entry.known_by_callers.set(known_by_callers)
    if entry.subscribes_to_information and entry.consent_id:
        _subscribe(entry.person, actor, channel=entry.consent.channel)
    return entry


def _check_callers(organisation: Organisation, callers) -> None:
    """Callers who know the person: members who may take calls for the organisation."""
    for user in callers:
        if not access.may_take_calls(user, organisation):
            raise ValidationError(
                {"known_by_callers": f"{user.get_full_name()} ne peut pas prendre d'appels pour cette structure."}
            )


def _cancel_open_calls(entry: RegisterEntry) -> None:
    entry.calls.open().update(status=CallStatus.CANCELLED, assigned_to=None)

"""Writes about persons: one function per use case, in a transaction, authorised by core.access."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Commune, Organisation, User
from maillage.people.enums import ConsentScope
from maillage.people.models import Consent, Person, PersonAddress, PersonEmail, PersonPhone, Relation

PERSON_FIELDS = (
    "last_name",
    "birth_name",
    "first_names",
    "sex",
    "birth_date",
    "birth_place",
    "languages",
    "lives_alone",
    "legal_protection",
    "social_security_scheme",
    "pension_funds",
    "gir",
    "gir_assessed_on",
    "deceased_on",
)


def _check_change(actor: User, organisation: Organisation, person: Person) -> None:
    if not access.can_change_person(actor, organisation, person):
        raise ApplicationError("Vous n'avez pas le droit de modifier la fiche de cette personne.")


@transaction.atomic
def person_create(
    *,
    actor: User,
    organisation: Organisation,
    data: dict,
    address: dict | None = None,
    phone: str = "",
    email: str = "",
) -> Person:
    """Create a person for the organisation, with an optional current address, phone and e-mail.
    Every field is checked before anything is written."""
    if not access.can_create_person(actor, organisation):
        raise ApplicationError("Vous n'avez pas le droit de créer une fiche dans cette structure.")
    person = Person(
        organisation=organisation, created_by=actor, **{k: v for k, v in data.items() if k in PERSON_FIELDS}
    )
    person.full_clean()
    person.save()
    if address and address.get("line"):
        person_address_set(actor=actor, organisation=organisation, person=person, **address)
    if phone:
        phone_record = PersonPhone(person=person, number=phone, is_preferred=True)
        phone_record.full_clean()
        phone_record.save()
    if email:
        email_record = PersonEmail(person=person, address=email, is_preferred=True)
        email_record.full_clean()
        email_record.save()
    return person


@transaction.atomic
def person_update(*, actor: User, organisation: Organisation, person: Person, data: dict) -> Person:
    _check_change(actor, organisation, person)
    for key, value in data.items():
        if key not in PERSON_FIELDS:
            raise ApplicationError(f"Le champ « {key} » ne peut pas être modifié ici.")
        setattr(person, key, value)
    person.last_activity_at = timezone.now()
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def person_address_set(
    *,
    actor: User,
    organisation: Organisation,
    person: Person,
    line: str,
    commune: Commune,
    postal_code: str = "",
    complement: str = "",
    housing: str = "unknown",
    since=None,
) -> PersonAddress:
    """Record the person's new current address; the previous one is kept as a past address."""
    _check_change(actor, organisation, person)
    if postal_code and commune.postal_codes and postal_code not in commune.postal_codes:
        raise ValidationError(
            {
                "postal_code": f"Le code postal {postal_code} ne correspond pas à {commune.name} "
                f"({', '.join(commune.postal_codes)})."
            }
        )
    person.addresses.filter(is_current=True).update(is_current=False)
    address = PersonAddress(
        person=person,
        line=line,
        complement=complement,
        postal_code=postal_code or (commune.postal_codes[0] if len(commune.postal_codes) == 1 else ""),
        commune=commune,
        housing=housing,
        since=since,
        is_current=True,
    )
    address.full_clean()
    address.save()
    return address


@transaction.atomic
def person_phone_add(
    *,
    actor: User,
    organisation: Organisation,
    person: Person,
    number: str,
    kind: str = "mobile",
    is_preferred: bool = False,
    accepts_sms: bool = False,
    note: str = "",
) -> PersonPhone:
    _check_change(actor, organisation, person)
    phone = PersonPhone(
        person=person, number=number, kind=kind, is_preferred=is_preferred, accepts_sms=accepts_sms, note=note
    )
    phone.full_clean()
    if is_preferred:
        person.phones.update(is_preferred=False)
    phone.save()
    return phone


@transaction.atomic
def relation_create(*, actor: User, organisation: Organisation, person: Person, data: dict) -> Relation:
    """Add someone around the person. A legal representative matches the protection measure."""
    _check_change(actor, organisation, person)
    relation = Relation(person=person, **data)
    relation.full_clean()
    relation.save()
    return relation


@transaction.atomic
def consent_record(
    *,
    actor: User,
    organisation: Organisation,
    person: Person,
    scope: str,
    channel: str,
    given_by: str = "person",
    given_on=None,
    partner: Organisation | None = None,
    note: str = "",
) -> Consent:
    """Record what the person agreed to, when, by whom and how. A same consent still in force is
    not duplicated."""
    _check_change(actor, organisation, person)
    existing = person.consents.in_force().filter(scope=scope, partner=partner).first()
    if existing:
        raise ValidationError(
            {"scope": f"Ce consentement est déjà en vigueur depuis le {existing.given_on:%d/%m/%Y}."}
        )
    consent = Consent(
        person=person,
        scope=scope,
        channel=channel,
        given_by=given_by,
        given_on=given_on or timezone.localdate(),
        partner=partner,
        note=note,
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, organisation: Organisation, consent: Consent, reason: str = "") -> Consent:
    _check_change(actor, organisation, consent.person)
    if consent.withdrawn_at:
        raise ApplicationError("Ce consentement est déjà retiré.")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_reason = reason
    consent.save()
    return consent


def has_consent(person: Person, scope: ConsentScope, partner: Organisation | None = None) -> bool:
    """Whether a consent of that scope (and, for sharing, with that partner) is in force."""
    return person.consents.in_force().filter(scope=scope, partner=partner).exists()


# Every relation to a person, moved by a merge. Apps that add tables about a person add them here
# (name of the model's foreign key to Person).
MERGE_RELATED = [
    ("people.PersonAddress", "person"),
    ("people.PersonPhone", "person"),
    ("people.PersonEmail", "person"),
    ("people.Relation", "person"),
    ("people.Consent", "person"),
    ("casework.CareTeamMember", "person"),
    ("casework.BreakGlassAccess", "person"),
    ("casework.Request", "person"),
    ("casework.Contact", "person"),
    ("casework.Assessment", "person"),
    ("casework.CarePlan", "person"),
    ("casework.Note", "person"),
    ("casework.FollowUpTask", "person"),
    ("casework.Document", "person"),
]


@transaction.atomic
def person_merge(*, actor: User, organisation: Organisation, kept: Person, duplicate: Person) -> Person:
    """Move everything of `duplicate` onto `kept`, fill `kept`'s empty fields from `duplicate`,
    then delete `duplicate`. Both must belong to the actor's organisation. Audited: every moved row
    is an update line, the deletion a delete line."""
    from django.apps import apps

    if kept.pk == duplicate.pk:
        raise ApplicationError("Choisissez deux fiches différentes.")
    _check_change(actor, organisation, kept)
    _check_change(actor, organisation, duplicate)
    for label, fk in MERGE_RELATED:
        model = apps.get_model(label)
        if label == "people.PersonAddress" and kept.addresses.filter(is_current=True).exists():
            duplicate.addresses.update(is_current=False)
        for row in model.objects.filter(**{fk: duplicate}):
            setattr(row, fk, kept)
            row.save()
    for key in PERSON_FIELDS:
        if getattr(kept, key) in (None, "", "unknown", "U") and getattr(duplicate, key) not in (None, ""):
            setattr(kept, key, getattr(duplicate, key))
    kept.last_activity_at = timezone.now()
    kept.full_clean()
    kept.save()
    duplicate.delete()
    return kept


@transaction.atomic
def person_break_glass(
    *, actor: User, organisation: Organisation, person: Person, reason: str, scope: str = "minimal"
):
    """Open, for a few hours, the file of a person of another organisation in an emergency: the
    emergency set, or the whole file for a coordinator with a longer reason (core.access.grants).
    The reason goes into the audit trail, where the data-protection officer sees it."""
    from maillage.casework.models import BreakGlassAccess

    if not access.can_break_glass(actor, organisation):
        raise ApplicationError("Votre rôle ne permet pas d'accès exceptionnel.")
    if scope not in ("minimal", "full"):
        raise ValidationError({"scope": "Choisissez les informations d'urgence ou le dossier complet."})
    if scope == "full" and access.role_in(actor, organisation) not in access.BREAK_GLASS_FULL_ROLES:
        raise ValidationError({"scope": "Seul·e un·e coordinateur·rice ouvre le dossier complet en urgence."})
    if person.organisation_id == organisation.pk:
        raise ApplicationError("Cette personne relève de votre structure : ouvrez sa fiche normalement.")
    now = timezone.now()
    grant = BreakGlassAccess(
        person=person,
        user=actor,
        organisation=organisation,
        reason=reason.strip(),
        scope=scope,
        granted_at=now,
        expires_at=now + BreakGlassAccess.DURATION,
    )
    grant.full_clean()
    grant.save()
    return grant

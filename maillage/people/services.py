"""Writes about persons: one function per use case, in a transaction, authorised by core.access."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from maillage.core import access, versioning
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Commune, Organisation, User
from maillage.people import normalise
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
    return _person_create(actor=actor, organisation=organisation, data=data, address=address, phone=phone, email=email)


@transaction.atomic
def person_create_from_public_form(
    *, organisation: Organisation, data: dict, address: dict | None = None, phone: str = "", email: str = ""
) -> Person:
    """Create a person from a citizen's public form (the register's ways in): no actor, the calling
    service authorises (the organisation keeps a register, the form's own checks and rate limit)."""
    return _person_create(actor=None, organisation=organisation, data=data, address=address, phone=phone, email=email)


def _person_create(*, actor, organisation, data, address, phone, email) -> Person:
    person = Person(
        organisation=organisation, created_by=actor, **{k: v for k, v in data.items() if k in PERSON_FIELDS}
    )
    person.full_clean()
    person.save()
    if address and address.get("commune"):  # a commune without a street is an address too
        _address_set(person=person, **address)
    if phone:
        phone_record = PersonPhone(
            person=person, number=phone, kind=normalise.phone_kind(phone), is_preferred=True, accepts_sms=False
        )
        phone_record.full_clean()
        phone_record.save()
    if email:
        email_record = PersonEmail(person=person, address=email, is_preferred=True)
        email_record.full_clean()
        email_record.save()
    return person


@transaction.atomic
def person_update(
    *, actor: User, organisation: Organisation, person: Person, data: dict, version: int | None = None
) -> Person:
    """Change the person's identity. `version` is the one the form was read at: a file changed
    since is refused (versioning.StaleVersionError), and so is a file merged meanwhile. Only the
    fields in `data` change: they are written onto the row as it is now, locked, so that a caller
    holding an older copy (a signed AGGIR grid setting the GIR) does not undo a colleague's edit."""
    _check_change(actor, organisation, person)
    current = versioning.lock(Person, person.pk)
    if current.merged_into_id:
        raise ApplicationError(merged_message(current))
    versioning.check(current, version)
    for key, value in data.items():
        if key not in PERSON_FIELDS:
            raise ApplicationError(f"Le champ « {key} » ne peut pas être modifié ici.")
        setattr(current, key, value)
    current.last_activity_at = timezone.now()
    current.version += 1
    current.full_clean()
    current.save()
    for name in (*data, "last_activity_at", "version", "search_names"):
        setattr(person, name, getattr(current, name))
    return current


@transaction.atomic
def person_address_set(
    *,
    actor: User,
    organisation: Organisation,
    person: Person,
    commune: Commune,
    line: str = "",
    postal_code: str = "",
    complement: str = "",
    housing: str = "unknown",
    since=None,
) -> PersonAddress:
    """Record the person's new current address; the previous one is kept as a past address."""
    _check_change(actor, organisation, person)
    return _address_set(
        person=person,
        commune=commune,
        line=line,
        postal_code=postal_code,
        complement=complement,
        housing=housing,
        since=since,
    )


def _address_set(
    *, person: Person, commune: Commune, line="", postal_code="", complement="", housing="unknown", since=None
) -> PersonAddress:
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
    kind: str = "",
    is_preferred: bool = False,
    accepts_sms: bool = False,
    note: str = "",
) -> PersonPhone:
    _check_change(actor, organisation, person)
    phone = PersonPhone(
        person=person,
        number=number,
        kind=kind or normalise.phone_kind(number),  # the number's own type unless told
        is_preferred=is_preferred,
        accepts_sms=accepts_sms,
        note=note,
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


# --- Merge -------------------------------------------------------------------------------------
# decisions.md, « Merge and concurrent edits (issue 10) ». The rows to move are discovered from the
# foreign keys to Person, so a model added later by any app is moved too; the duplicate becomes a
# tombstone (hidden by Person.objects) that records what moved, so the merge can be undone.

_MERGE_NOTE = "Doublon retiré lors de la fusion de la fiche n° {duplicate} dans la fiche n° {kept}."


def merge_relations() -> list[tuple[type[models.Model], str]]:
    """Every (model, field) holding a foreign key or one-to-one link to a person, hidden ones
    (``related_name="+"``) included; the tombstone link `Person.merged_into` excluded."""
    found = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        if rel.related_model is Person:
            continue
        found.append((rel.related_model, rel.field.name))
    return found


def merge_undo_delay() -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, "MAILLAGE_MERGE_UNDO_DAYS", 7))


def merge_field_differences(kept: Person, duplicate: Person) -> list[str]:
    """The identity fields whose values differ between the two files."""
    return [f for f in PERSON_FIELDS if getattr(kept, f) != getattr(duplicate, f)]


def _is_empty(value) -> bool:
    return value in (None, "", "unknown", "U")


def merge_default_choice(kept: Person, duplicate: Person, name: str) -> str:
    """Without a choice, the kept file's value stays, unless it is empty and the duplicate's is not."""
    if _is_empty(getattr(kept, name)) and not _is_empty(getattr(duplicate, name)):
        return "duplicate"
    return "kept"


def _json(model, field_name, value):
    if value is None:
        return None
    return model._meta.get_field(field_name).value_to_string(model(**{field_name: value}))


def _from_json(model, field_name, value):
    if value is None:
        return None
    return model._meta.get_field(field_name).to_python(value)


def _set_and_log(changed: list, row, field_name: str, value) -> None:
    """Change one field of a row to resolve a conflict, remembering the old value for the undo."""
    changed.append([row._meta.label, row.pk, field_name, _json(type(row), field_name, getattr(row, field_name))])
    setattr(row, field_name, value)
    row.save(update_fields=[field_name])


def _resolve_conflicts(kept: Person, duplicate: Person, changed: list, now) -> None:
    """The rows that cannot simply be moved: one current address, one active care-team membership
    per account, one consent in force per scope and partner."""
    from maillage.casework.models import CareTeamMember

    if kept.addresses.filter(is_current=True).exists():
        for address in duplicate.addresses.filter(is_current=True):
            _set_and_log(changed, address, "is_current", False)
    kept_team = {m.user_id: m for m in CareTeamMember.objects.active().filter(person=kept, user__isnull=False)}
    for member in CareTeamMember.objects.active().filter(person=duplicate, user__isnull=False):
        same = kept_team.get(member.user_id)
        if same is None:
            continue
        if member.is_referent and not same.is_referent:
            _set_and_log(changed, same, "is_referent", True)
        _set_and_log(changed, member, "removed_at", now)
    kept_consents = {(c.scope, c.partner_id): c for c in kept.consents.in_force()}
    for consent in duplicate.consents.in_force():
        same = kept_consents.get((consent.scope, consent.partner_id))
        if same is None:
            continue
        # The older consent is the proof of the agreement: it stays in force.
        newer = consent if (consent.given_on, consent.pk) >= (same.given_on, same.pk) else same
        _set_and_log(changed, newer, "withdrawn_reason", _MERGE_NOTE.format(duplicate=duplicate.pk, kept=kept.pk))
        _set_and_log(changed, newer, "withdrawn_at", now)


def _lock_pair(first_pk: int, second_pk: int) -> dict[int, Person]:
    """Both files, locked in the order of their numbers (two opposite merges never deadlock)."""
    rows = Person.all_objects.select_for_update().filter(pk__in=[first_pk, second_pk]).order_by("pk")
    return {p.pk: p for p in rows}


def merged_message(person: Person) -> str:
    """Why a merged file can no longer be merged or edited, in French."""
    who = person.merged_by.get_full_name() if person.merged_by_id else "un·e collègue"
    when = timezone.localtime(person.merged_at)
    return (
        f"La fiche n° {person.pk} a déjà été fusionnée dans la fiche n° {person.merged_into_id} "
        f"par {who} le {when:%d/%m/%Y à %H:%M}."
    )


def person_merge(
    *,
    actor: User,
    organisation: Organisation,
    kept: Person,
    duplicate: Person,
    choices: dict[str, str] | None = None,
    versions: tuple[int, int] | None = None,
) -> Person:
    """Merge `duplicate` into `kept`. For each differing identity field, `choices[field]` says
    which value stays ("kept" or "duplicate"); without a choice, an empty field of `kept` is filled
    from `duplicate`. Every row linked to the duplicate is moved (row by row: each move is an audit
    line), conflicts are resolved, and the duplicate becomes a tombstone that records everything
    needed to undo the merge. Runs under row locks on both files; `versions` (the files' versions
    shown in the comparison) refuses a merge of files changed since. Only the coordinator or the
    register manager of the organisation responsible for both files merges."""
    if kept.pk == duplicate.pk:
        raise ApplicationError("Choisissez deux fiches différentes.")
    try:
        with transaction.atomic():
            return _person_merge(actor, organisation, kept.pk, duplicate.pk, choices or {}, versions)
    except IntegrityError as exc:
        raise ApplicationError(
            "La fusion n'a pas pu se faire : des éléments des deux fiches ne peuvent pas coexister. "
            "Rien n'a été modifié ; signalez-le à l'équipe technique."
        ) from exc


def _person_merge(actor, organisation, kept_pk, duplicate_pk, choices, versions) -> Person:
    locked = _lock_pair(kept_pk, duplicate_pk)
    kept, duplicate = locked.get(kept_pk), locked.get(duplicate_pk)
    if kept is None or duplicate is None:
        raise ApplicationError("L'une des deux fiches n'existe plus.")
    for person in (kept, duplicate):
        if person.merged_into_id:
            raise ApplicationError(merged_message(person))
        if not access.can_merge_person(actor, organisation, person):
            raise ApplicationError("Vous n'avez pas le droit de fusionner ces fiches.")
    if versions is not None:
        for person, version in zip((kept, duplicate), versions, strict=True):
            versioning.check(person, version)
    now = timezone.now()
    changed: list = []
    _resolve_conflicts(kept, duplicate, changed, now)
    moved = []
    for model, field_name in merge_relations():
        manager = model._base_manager
        if model._meta.get_field(field_name).one_to_one and manager.filter(**{field_name: kept}).exists():
            continue  # the kept file has its own: the duplicate's stays on the tombstone
        pks = []
        for row in manager.filter(**{field_name: duplicate}).order_by("pk"):
            setattr(row, field_name, kept)
            try:
                with transaction.atomic():
                    row.save(update_fields=[field_name])
            except IntegrityError:
                # A row the person may hold once (a current register entry): both files hold one.
                raise ApplicationError(
                    "Fusion impossible : les deux fiches ont chacune un élément qui ne peut exister qu'une "
                    f"fois par personne (« {model._meta.verbose_name} »). Clôturez d'abord celui de l'une "
                    "des deux fiches."
                ) from None
            pks.append(row.pk)
        if pks:
            moved.append([model._meta.label, field_name, pks])
    kept_before, kept_after = {}, {}
    for name in PERSON_FIELDS:
        mine, theirs = getattr(kept, name), getattr(duplicate, name)
        if mine == theirs:
            continue
        choice = choices.get(name)
        if choice not in ("kept", "duplicate"):
            choice = merge_default_choice(kept, duplicate, name)
        if choice == "duplicate":
            kept_before[name] = _json(Person, name, mine)
            kept_after[name] = _json(Person, name, theirs)
            setattr(kept, name, theirs)
    kept.last_activity_at = now
    kept.version += 1
    kept.full_clean()
    kept.save()
    duplicate.merged_into = kept
    duplicate.merged_at = now
    duplicate.merged_by = actor
    duplicate.version += 1
    duplicate.merge_record = {"moved": moved, "changed": changed, "kept_before": kept_before, "kept_after": kept_after}
    duplicate.save()
    return kept


def merged_into_list(person: Person):
    """The tombstones merged into this file whose merge can still be undone, newest first."""
    since = timezone.now() - merge_undo_delay()
    return Person.all_objects.filter(merged_into=person, merged_at__gte=since).order_by("-merged_at")


def person_merge_undo(*, actor: User, organisation: Organisation, tombstone: Person) -> Person:
    """Undo a merge within the delay (MAILLAGE_MERGE_UNDO_DAYS, 7 days): the rows that moved go
    back to the restored file, the conflicts' changes are reverted, and the kept file's fields the
    merge overwrote get their old values back unless they were edited since. Rows added to the
    kept file after the merge stay on it. By whoever may merge in the responsible organisation."""
    try:
        with transaction.atomic():
            return _person_merge_undo(actor, organisation, tombstone)
    except IntegrityError as exc:
        raise ApplicationError(
            "La fusion n'a pas pu être annulée : la fiche gardée a changé depuis d'une façon incompatible. "
            "Rien n'a été modifié."
        ) from exc


def _person_merge_undo(actor, organisation, tombstone) -> Person:
    if tombstone.merged_into_id is None:
        raise ApplicationError("Cette fiche n'est pas fusionnée.")
    locked = _lock_pair(tombstone.pk, tombstone.merged_into_id)
    restored, kept = locked.get(tombstone.pk), locked.get(tombstone.merged_into_id)
    if restored is None or kept is None or restored.merged_into_id != kept.pk:
        raise ApplicationError("Cette fusion a déjà été annulée.")
    if not access.can_merge_person(actor, organisation, kept):
        raise ApplicationError("Vous n'avez pas le droit d'annuler cette fusion.")
    if kept.merged_into_id:
        raise ApplicationError(
            f"La fiche n° {kept.pk} a elle-même été fusionnée dans la fiche n° {kept.merged_into_id} : "
            "annulez d'abord cette fusion-là."
        )
    if restored.merged_at < timezone.now() - merge_undo_delay():
        raise ApplicationError(
            f"Une fusion ne s'annule que pendant {merge_undo_delay().days} jours ; celle-ci date du "
            f"{timezone.localtime(restored.merged_at):%d/%m/%Y}."
        )
    from django.apps import apps

    record = restored.merge_record
    for label, field_name, pks in record.get("moved", []):
        model = apps.get_model(label)
        for row in model._base_manager.filter(pk__in=pks, **{field_name: kept}).order_by("pk"):
            setattr(row, field_name, restored)
            row.save(update_fields=[field_name])
    for label, pk, field_name, old in reversed(record.get("changed", [])):
        model = apps.get_model(label)
        row = model._base_manager.filter(pk=pk).first()
        if row is not None:
            setattr(row, field_name, _from_json(model, field_name, old))
            row.save(update_fields=[field_name])
    for name, before in record.get("kept_before", {}).items():
        if _json(Person, name, getattr(kept, name)) == record["kept_after"].get(name):
            setattr(kept, name, _from_json(Person, name, before))
    kept.version += 1
    kept.full_clean()
    kept.save()
    restored.merged_into = None
    restored.merged_at = None
    restored.merged_by = None
    restored.merge_record = {}
    restored.version += 1
    restored.save()
    return restored


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

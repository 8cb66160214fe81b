"""Writes about requests and contacts: one function per use case, in a transaction, authorised by
core.access, every field checked (full_clean) before anything is written."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.casework.models import Contact, Request
from maillage.casework.models.requests import RequesterKind, default_due_date
from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Organisation, User
from maillage.directory.models import Service, Taxonomy, TaxonomyTerm
from maillage.people.models import Person

# The shared vocabulary of request subjects: the guide VISA's ten essential needs and the CLIC's
# information domains.
SUBJECT_TAXONOMIES = (Taxonomy.NEEDS, Taxonomy.DOMAINS)

REQUEST_FIELDS = (
    "requester_kind",
    "requester_name",
    "requester_organisation",
    "channel",
    "level",
    "documents_given",
    "time_spent_minutes",
    "outcome",
    "notes",
    "received_at",
    "follow_up_owner",
    "follow_up_due",
    "oriented_to",
    "oriented_on",
)
# What an edit may change (not who received it, nor when it was closed).
EDITABLE_FIELDS = tuple(name for name in REQUEST_FIELDS if name != "received_at")


def subject_terms():
    """The terms a request's subject may take, in the vocabularies' order."""
    return (
        TaxonomyTerm.objects.filter(taxonomy__slug__in=SUBJECT_TAXONOMIES)
        .select_related("taxonomy")
        .order_by("-taxonomy__slug", "position", "name")
    )


def _checked_subjects(subjects: Iterable[TaxonomyTerm]) -> list[TaxonomyTerm]:
    subjects = list(subjects)
    allowed = set(subject_terms().filter(pk__in=[t.pk for t in subjects]).values_list("pk", flat=True))
    refused = [t.name for t in subjects if t.pk not in allowed]
    if refused:
        raise ValidationError({"subjects": f"Objets hors des besoins et domaines proposés : {', '.join(refused)}."})
    return subjects


def _checked_services(actor: User, services: Iterable[Service]) -> list[Service]:
    services = list(services)
    visible = set(
        access.services_visible_to(actor).filter(pk__in=[s.pk for s in services]).values_list("pk", flat=True)
    )
    if any(s.pk not in visible for s in services):
        raise ValidationError({"services_given": "Un des services choisis n'est pas disponible dans l'annuaire."})
    return services


def _with_next_step(actor: User, organisation: Organisation, request: Request) -> None:
    """The next step's defaults (owner: the agent; due: tomorrow for a call-back, a week
    otherwise) and checks (the owner logs requests in the organisation; the partner's service is
    in the directory the agent may search)."""
    if not request.needs_next_step:
        return
    if request.follow_up_owner_id is None:
        request.follow_up_owner = actor
    if request.follow_up_due is None and request.received_at:
        request.follow_up_due = default_due_date(request.outcome, timezone.localtime(request.received_at).date())
    if not access.follow_up_owners_for(actor, organisation).filter(pk=request.follow_up_owner_id).exists():
        raise ValidationError(
            {"follow_up_owner": "Cette personne ne peut pas donner suite aux demandes de la structure."}
        )
    if request.oriented_to_id and not access.services_visible_to(actor).filter(pk=request.oriented_to_id).exists():
        raise ValidationError({"oriented_to": "Ce service n'est pas disponible dans l'annuaire."})


def _check_all(actor, organisation, request, subjects, services_given):
    errors = {}
    try:
        _with_next_step(actor, organisation, request)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        request.full_clean()
    except ValidationError as exc:
        for key, value in exc.message_dict.items():
            errors.setdefault(key, value)
    try:
        subjects = _checked_subjects(subjects)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        services_given = _checked_services(actor, services_given)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return subjects, services_given


@transaction.atomic
def request_create(
    *,
    actor: User,
    organisation: Organisation,
    person: Person | None = None,
    subjects: Iterable[TaxonomyTerm] = (),
    services_given: Iterable[Service] = (),
    anonymous: bool = False,
    **data,
) -> Request:
    """Log a request received by the organisation. An anonymous request (requester « anonyme », or
    « Demande anonyme » ticked: `anonymous`) is counted without a person record; without either, a
    request with no person is refused, never recorded as anonymous behind the agent's back. A
    request about a person needs that person's file to be open to the actor. The services handed
    over come from the directory the actor may search."""
    if not access.can_log_request(actor, organisation):
        raise ApplicationError("Vous n'avez pas le droit d'enregistrer une demande dans cette structure.")
    unknown = set(data) - set(REQUEST_FIELDS)
    if unknown:
        raise ApplicationError(f"Champ inconnu : {', '.join(sorted(unknown))}.")
    if person is None and anonymous and data.get("requester_kind", RequesterKind.PERSON) == RequesterKind.PERSON:
        data["requester_kind"] = RequesterKind.ANONYMOUS  # the person calls without a file being opened
    if person is None and not (anonymous or data.get("requester_kind") == RequesterKind.ANONYMOUS):
        raise ValidationError(
            {
                "person": "Aucune personne n'est choisie : choisissez la personne, créez sa fiche, "
                "ou cochez « Demande anonyme (sans fiche) »."
            }
        )
    if person is not None and not access.can_view_person(actor, organisation, person):
        raise ApplicationError("Vous n'avez pas accès à la fiche de cette personne.")
    request = Request(organisation=organisation, person=person, handled_by=actor, **data)
    subjects, services_given = _check_all(actor, organisation, request, subjects, services_given)
    request.save()
    request.subjects.set(subjects)
    request.services_given.set(services_given)
    if person is not None:
        Person.objects.filter(pk=person.pk).update(last_activity_at=timezone.now())
    return request


@transaction.atomic
def request_update(
    *,
    actor: User,
    organisation: Organisation,
    request: Request,
    subjects: Iterable[TaxonomyTerm] | None = None,
    services_given: Iterable[Service] | None = None,
    **data,
) -> Request:
    """Change a request after the call: its outcome, its next step (owner, due date), the partner
    it was oriented to, remarks. Who received it and when stay. Audited (casework/audit.py)."""
    current = Request.objects.select_for_update().get(pk=request.pk)
    if not access.can_change_request(actor, organisation, current):
        raise ApplicationError("Vous n'avez pas le droit de modifier cette demande.")
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"Champ inconnu : {', '.join(sorted(unknown))}.")
    for key, value in data.items():
        setattr(current, key, value)
    subjects = list(current.subjects.all()) if subjects is None else subjects
    services_given = list(current.services_given.all()) if services_given is None else services_given
    subjects, services_given = _check_all(actor, organisation, current, subjects, services_given)
    current.save()
    current.subjects.set(subjects)
    current.services_given.set(services_given)
    return current


@transaction.atomic
def request_close(*, actor: User, organisation: Organisation, request: Request, note: str) -> Request:
    """Close a request's next step with what came of it (« rappelée, rendez-vous pris le … »)."""
    current = Request.objects.select_for_update().get(pk=request.pk)
    if not access.can_change_request(actor, organisation, current):
        raise ApplicationError("Vous n'avez pas le droit de clore cette demande.")
    if current.closed_at is not None:
        when = timezone.localtime(current.closed_at)
        raise ApplicationError(f"Cette demande est déjà close depuis le {when:%d/%m/%Y à %H:%M}.")
    if not current.needs_next_step:
        raise ApplicationError("Cette demande n'attend aucune suite : il n'y a rien à clore.")
    current.closed_at = timezone.now()
    current.closed_by = actor
    current.closing_note = (note or "").strip()
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def contact_create(
    *,
    actor: User,
    organisation: Organisation,
    person: Person,
    kind: str,
    summary: str,
    occurred_at=None,
    duration_minutes: int = 0,
    request: Request | None = None,
) -> Contact:
    """Log a contact with a person (visit, call, e-mail, letter, meeting) whose file the actor may open."""
    if not access.can_log_contact(actor, organisation, person):
        raise ApplicationError("Vous n'avez pas le droit d'enregistrer un contact avec cette personne.")
    if request is not None and request.organisation_id != organisation.pk:
        raise ApplicationError("La demande liée appartient à une autre structure.")
    contact = Contact(
        person=person,
        organisation=organisation,
        request=request,
        kind=kind,
        summary=summary,
        occurred_at=occurred_at or timezone.now(),
        duration_minutes=duration_minutes,
        author=actor,
    )
    contact.full_clean()
    contact.save()
    Person.objects.filter(pk=person.pk).update(last_activity_at=timezone.now())
    return contact

"""Writes about requests and contacts: one function per use case, in a transaction, authorised by
core.access, every field checked (full_clean) before anything is written."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.casework.models import Contact, Request
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
)


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


@transaction.atomic
def request_create(
    *,
    actor: User,
    organisation: Organisation,
    person: Person | None = None,
    subjects: Iterable[TaxonomyTerm] = (),
    services_given: Iterable[Service] = (),
    **data,
) -> Request:
    """Log a request received by the organisation. An anonymous request (requester « anonyme ») is
    counted without a person record; a request about a person needs that person's file to be open
    to the actor. The services handed over come from the directory the actor may search."""
    if not access.can_log_request(actor, organisation):
        raise ApplicationError("Vous n'avez pas le droit d'enregistrer une demande dans cette structure.")
    unknown = set(data) - set(REQUEST_FIELDS)
    if unknown:
        raise ApplicationError(f"Champ inconnu : {', '.join(sorted(unknown))}.")
    if person is not None and not access.can_view_person(actor, organisation, person):
        raise ApplicationError("Vous n'avez pas accès à la fiche de cette personne.")
    request = Request(organisation=organisation, person=person, handled_by=actor, **data)
    errors = {}
    try:
        request.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
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
    request.save()
    request.subjects.set(subjects)
    request.services_given.set(services_given)
    if person is not None:
        Person.objects.filter(pk=person.pk).update(last_activity_at=timezone.now())
    return request


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

"""The person's right of access (RGPD art. 15): everything Maillage holds on a person.

Each app that stores data about a person appends a source to EXPORT_SOURCES: a function
(person) -> (section title, list of dicts). The export then covers new data without change here.
"""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import timezone

from maillage.people.models import Person


def _identity(person: Person):
    return "Identité", [
        {
            "Nom d'usage": person.last_name,
            "Nom de naissance": person.birth_name,
            "Prénom(s)": person.first_names,
            "Sexe": person.get_sex_display(),
            "Date de naissance": person.birth_date,
            "Lieu de naissance": person.birth_place,
            "Langues": person.languages,
            "Vit seul·e": {True: "oui", False: "non", None: "non renseigné"}[person.lives_alone],
            "Mesure de protection": person.get_legal_protection_display(),
            "Régime d'assurance maladie": person.get_social_security_scheme_display(),
            "Caisses de retraite": person.pension_funds,
            "GIR": person.gir,
            "Structure responsable": str(person.organisation),
            "Fiche créée le": person.created_at,
        }
    ]


def _addresses(person: Person):
    return "Adresses", [
        {
            "Adresse": a.line,
            "Complément": a.complement,
            "Code postal": a.postal_code,
            "Commune": f"{a.commune.name} ({a.commune.code})",
            "Logement": a.get_housing_display(),
            "Actuelle": "oui" if a.is_current else "non",
            "Depuis": a.since,
        }
        for a in person.addresses.select_related("commune")
    ]


def _phones(person: Person):
    return "Téléphones et adresses électroniques", [
        {"Téléphone": str(p), "Type": p.get_kind_display(), "Précisions": p.note} for p in person.phones.all()
    ] + [{"Adresse électronique": e.address} for e in person.emails.all()]


def _relations(person: Person):
    return "Entourage", [
        {
            "Lien": r.get_kind_display(),
            "Nom": f"{r.first_name} {r.last_name}".strip(),
            "Précision": r.relationship,
            "Structure": r.organisation_name,
            "Téléphone": r.phone_display,
            "À prévenir en urgence": "oui" if r.is_emergency_contact else "non",
        }
        for r in person.relations.all()
    ]


def _consents(person: Person):
    return "Consentements", [
        {
            "Objet": str(c),
            "Recueilli le": c.given_on,
            "Donné par": c.get_given_by_display(),
            "Comment": c.get_channel_display(),
            "Retiré le": c.withdrawn_at,
        }
        for c in person.consents.select_related("partner")
    ]


def _accesses(person: Person):
    from django.contrib.contenttypes.models import ContentType

    from maillage.core.models import AuditLogEntry

    entries = AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_pk=str(person.pk)
    ).select_related("organisation")[:500]
    return "Consultations et modifications de la fiche", [
        {
            "Date": e.timestamp,
            "Structure": str(e.organisation or ""),
            "Action": e.get_action_display(),
            "Détail": e.changes_text,
        }
        for e in entries
    ]


EXPORT_SOURCES: list[Callable] = [_identity, _addresses, _phones, _relations, _consents, _accesses]


def person_data(person: Person) -> dict:
    sections = []
    for source in EXPORT_SOURCES:
        title, rows = source(person)
        sections.append({"titre": title, "lignes": rows})
    return {
        "personne": str(person),
        "structure": str(person.organisation),
        "exporte_le": timezone.now(),
        "sections": sections,
    }


def person_pdf(person: Person, data: dict) -> bytes:
    """The person's export as PDF, through the project's restricted renderer (nothing fetched but
    static files: the export holds what the person wrote, links included)."""
    from maillage.core.pdf import html_to_pdf

    html = render_to_string("people/export.html", {"person": person, "data": data})
    return html_to_pdf(html)

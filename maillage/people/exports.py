"""The person's right of access (RGPD art. 15): everything Maillage holds on a person.

Each app that stores data about a person appends a source to EXPORT_SOURCES: a function
(grant) -> (section title, list of dicts), reading the file through the exporter's grant
(core.access.grants). The export then covers new data without change here.
"""

import datetime
from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import timezone

from maillage.people.models import Person


def _identity(grant):
    person = grant.person
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


def _addresses(grant):
    person = grant.person
    return "Adresses", [
        {
            "Adresse": ", ".join(
                part for part in (a.line, a.complement, f"{a.postal_code} {a.commune.name}".strip()) if part
            ),
            "Logement": a.get_housing_display(),
            "Actuelle": "oui" if a.is_current else "non",
            "Depuis": a.since,
        }
        for a in person.addresses.select_related("commune")
    ]


def _phones(grant):
    person = grant.person
    return "Téléphones et adresses électroniques", [
        {"Téléphone": str(p), "Type": p.get_kind_display(), "Précisions": p.note} for p in person.phones.all()
    ] + [{"Adresse électronique": e.address} for e in person.emails.all()]


def _relations(grant):
    return "Entourage", [
        {
            "Lien": r.get_kind_display(),
            "Nom": f"{r.first_name} {r.last_name}".strip(),
            "Précision": r.relationship,
            "Structure": r.organisation_name,
            "Téléphone": r.phone_display,
            "À prévenir en urgence": "oui" if r.is_emergency_contact else "non",
        }
        for r in grant.relations()
    ]


def _consents(grant):
    return "Consentements", [
        {
            "Objet": str(c),
            "Recueilli le": c.given_on,
            "Donné par": c.get_given_by_display(),
            "Comment": c.get_channel_display(),
            "Retiré le": c.withdrawn_at,
        }
        for c in grant.consents().select_related("partner")
    ]


def _accesses(grant):
    """Every line of the trail about the person's file — openings of the file, its plans,
    assessments, notes and documents, exports, and changes — whoever wrote it (the trail names the
    person on each line: `subject_person_id`), as sentences; the same act repeated on one day once."""
    from maillage.core.audit import trail_sentences
    from maillage.core.models import AuditLogEntry

    entries = (
        AuditLogEntry.objects.filter(subject_person_id=grant.person.pk)
        .select_related("organisation", "actor")
        .order_by("-timestamp")
    )
    return "Consultations et modifications du dossier", [
        {"Ce qui a été fait": sentence} for sentence in trail_sentences(entries)
    ]


EXPORT_SOURCES: list[Callable] = [_identity, _addresses, _phones, _relations, _consents, _accesses]


def person_data(grant) -> dict:
    """Everything the exporter's grant reads on the person, section by section."""
    person = grant.person
    sections = []
    for source in EXPORT_SOURCES:
        title, rows = source(grant)
        sections.append({"titre": title, "lignes": rows})
    return {
        "personne": str(person),
        "structure": str(person.organisation),
        "exporte_le": timezone.now(),
        "sections": sections,
    }


# A section whose rows have at most this many filled columns is printed as one table; wider ones as
# one small table per row (a request, a plan, an assessment version).
PDF_TABLE_MAX_COLUMNS = 5


def _pdf_value(value):
    """A value as the PDF prints it: dates in French, a nested mapping as (label, text) pairs."""
    if value is None or value == "":
        return ""
    if isinstance(value, dict):
        return [(label, _pdf_value(inner) or "—") for label, inner in value.items()]
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        return f"{local:%d/%m/%Y} à {local.hour} h {local.minute:02d}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def pdf_sections(data: dict) -> list[dict]:
    """The export's sections laid out for paper: `list` (one sentence a row: the trail), `table` (one
    table, a row each), `records` (a small table per row, empty fields left out), or `empty`."""
    sections = []
    for section in data["sections"]:
        rows = [{key: _pdf_value(value) for key, value in row.items()} for row in section["lignes"]]
        columns = [key for key in dict.fromkeys(k for row in rows for k in row) if any(row.get(key) for row in rows)]
        nested = any(isinstance(value, list) for row in rows for value in row.values())
        if not rows:
            layout = "empty"
        elif len(columns) == 1 and len(rows) > 1:
            layout = "list"
        elif len(rows) > 1 and len(columns) <= PDF_TABLE_MAX_COLUMNS and not nested:
            layout = "table"
        else:
            layout = "records"
        sections.append(
            {
                "titre": section["titre"],
                "layout": layout,
                "columns": columns,
                "table": [[row.get(key, "") for key in columns] for row in rows],
                "records": [
                    [(key, value, isinstance(value, list)) for key, value in row.items() if value] for row in rows
                ],
                "list": [row[columns[0]] for row in rows] if layout == "list" else [],
            }
        )
    return sections


def person_pdf(person: Person, data: dict) -> bytes:
    """The person's export as PDF, through the project's restricted renderer (nothing fetched but
    static files: the export holds what the person wrote, links included)."""
    from maillage.core.pdf import html_to_pdf

    html = render_to_string("people/export.html", {"person": person, "data": data, "sections": pdf_sections(data)})
    return html_to_pdf(html)

"""What a referral shares with the partner: one minimal set per referral type, plus the documents the
sender chose one by one (architecture rule 3: one serializer per audience).

Guide VISA (« Un outil de partage d'informations »): only what the partner needs to act — identity,
age, address, phone, e-mail, the legal representative's contact and the help needs — never the
benefits received nor the person's health. A type adds nothing beyond that list; each type takes
the part of it its partners need: a simple introduction needs a name and a way to call back, an
association that comes to the home needs the address, a gerontological coordination (CLIC, DAC,
APA team) needs the whole minimal set.

`shared_record(referral)` is the only way the partner's page, its e-mails and (later) the API read
the person: a template renders what it returns and can show nothing else.
"""

from dataclasses import dataclass

from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from maillage.register.sharing import minimal_record

NEED_LABELS = dict(ESSENTIAL_NEEDS)

#: Every field a referral may share, in the order of the partner's page, with its French label.
FIELD_LABELS = {
    "identity": "Nom et prénom",
    "age": "Âge",
    "address": "Adresse",
    "phones": "Téléphone",
    "emails": "Adresse électronique",
    "legal_representative": "Représentant·e légal·e",
}


@dataclass(frozen=True)
class ReferralType:
    code: str
    label: str
    fields: tuple[str, ...]
    help_text: str = ""


REFERRAL_TYPES = {
    t.code: t
    for t in (
        ReferralType(
            "contact",
            "Mise en relation",
            ("identity", "phones", "emails"),
            "Le partenaire rappelle la personne : son nom et de quoi la joindre.",
        ),
        ReferralType(
            "home",
            "Intervention à domicile (portage de repas, transport, visites, aide à domicile)",
            ("identity", "age", "address", "phones", "legal_representative"),
            "Le partenaire se rend chez la personne : son adresse en plus.",
        ),
        ReferralType(
            "support",
            "Accompagnement social ou administratif",
            ("identity", "age", "address", "phones", "emails", "legal_representative"),
            "Le partenaire accompagne des démarches : l'ensemble minimal du guide.",
        ),
        ReferralType(
            "coordination",
            "Coordination gérontologique ou handicap (CLIC, DAC, équipe APA, MDPH)",
            ("identity", "age", "address", "phones", "emails", "legal_representative"),
            "Le partenaire évalue la situation : l'ensemble minimal du guide.",
        ),
    )
}

REFERRAL_TYPE_CHOICES = [(t.code, t.label) for t in REFERRAL_TYPES.values()]


def shared_fields(type_code: str) -> tuple[str, ...]:
    return REFERRAL_TYPES[type_code].fields


def shared_record(referral) -> dict:
    """What the partner reads of the person: the type's fields of the minimal set (the others are
    absent, not empty), the needs the sender named, and the documents chosen one by one."""
    full = minimal_record(referral.person)
    fields = shared_fields(referral.referral_type)
    return {
        "fields": {name: full[name] for name in fields},
        "labels": {name: FIELD_LABELS[name] for name in fields},
        "needs": [NEED_LABELS[code] for code in referral.needs if code in NEED_LABELS],
        "documents": list(referral.shared_documents.all()),
    }


def preview(person, type_code: str) -> list[tuple[str, str]]:
    """The shared fields named for the sender's form, « Nom et prénom : Lucie Martin »: what will
    leave, before it leaves."""
    full = minimal_record(person)
    rows = []
    for name in shared_fields(type_code):
        rows.append((FIELD_LABELS[name], display(name, full[name])))
    return rows


def preview_by_type(person) -> dict:
    """For the sender's form: every field a referral may share, as the file holds it today, and for
    each type the names of the fields it shares."""
    full = minimal_record(person)
    return {
        "rows": [(label, display(name, full[name])) for name, label in FIELD_LABELS.items()],
        "types": [
            (t.label, ", ".join(FIELD_LABELS[name].lower() for name in t.fields)) for t in REFERRAL_TYPES.values()
        ],
    }


def display(name: str, value) -> str:
    """One shared field as text (the partner's page and the sender's preview say the same)."""
    if value in (None, "", []):
        return "Non renseigné"
    if name == "identity":
        return value["full_name"]
    if name == "age":
        return f"{value} ans"
    if name == "address":
        parts = [value["line"], value["complement"], f"{value['postal_code']} {value['commune']}"]
        return ", ".join(p for p in parts if p.strip())
    if name == "phones":
        return ", ".join(p["display"] for p in value)
    if name == "emails":
        return ", ".join(value)
    if name == "legal_representative":
        contact = ", ".join(x for x in (value["phone_display"], value["email"]) if x)
        return f"{value['name']} ({contact})" if contact else value["name"]
    return str(value)

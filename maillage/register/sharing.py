"""Minimal sharing: what leaves the register, one serializer per audience (architecture rule 3).

Guide VISA, « Un outil de partage d'informations »: « Au-delà des besoins d'aide de la personne,
seuls l'identité, l'âge, l'adresse, le numéro de téléphone et l'adresse électronique des
bénéficiaires et, le cas échéant, les coordonnées de leur représentant légal peuvent être
recueillis : aucune information ne doit mentionner la nature de la prestation ou allocation perçue
par la personne, ni leur état de santé. »

Each function returns plain data (dicts and lists of strings), built only from the fields named
here: a template, a PDF, a CSV or the API renders it and can show nothing else.
"""

from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from maillage.people import normalise
from maillage.people.enums import RelationKind

NEED_LABELS = dict(ESSENTIAL_NEEDS)

#: The fields every audience may receive (guide VISA), in order.
MINIMAL_FIELDS = ("identity", "age", "address", "phones", "emails", "legal_representative", "needs")


def _identity(person) -> dict:
    return {"first_names": person.first_names, "last_name": person.last_name, "full_name": person.full_name}


def _address(person) -> dict | None:
    address = next((a for a in person.addresses.all() if a.is_current), None)
    if address is None:
        return None
    return {
        "line": address.line,
        "complement": address.complement,
        "postal_code": address.postal_code,
        "commune": address.commune.name,
        "commune_code": address.commune.code,
    }


def _phones(person) -> list[dict]:
    phones = sorted(person.phones.all(), key=lambda p: (not p.is_preferred, p.pk))
    return [{"number": p.number, "display": normalise.display_phone(p.number), "note": p.note} for p in phones]


def _legal_representative(person) -> dict | None:
    rep = next((r for r in person.relations.all() if r.kind == RelationKind.LEGAL_REPRESENTATIVE), None)
    if rep is None:
        return None
    return {
        "name": f"{rep.first_name} {rep.last_name}".strip(),
        "phone": rep.phone,
        "phone_display": rep.phone_display,
        "email": rep.email,
    }


def minimal_record(person, needs=()) -> dict:
    """The guide's minimal set about one person, and the help needs named by their labels."""
    return {
        "identity": _identity(person),
        "age": person.age,
        "address": _address(person),
        "phones": _phones(person),
        "emails": [e.address for e in person.emails.all()],
        "legal_representative": _legal_representative(person),
        "needs": [NEED_LABELS[code] for code in needs if code in NEED_LABELS],
    }


def latest_needs(entry) -> list[str]:
    """The help needs found by the entry's latest call that found some."""
    from maillage.register.models import Call

    call = Call.objects.filter(entry=entry).exclude(needs=[]).order_by("-outcome_at", "-pk").first()
    return list(call.needs) if call else []


def caller_sheet(call) -> dict:
    """What a caller sees of the person they call: the minimal set, and how to reach them (best
    times, language, hearing, visit preferred: contact preferences, not health)."""
    entry = call.entry
    record = minimal_record(call.person, latest_needs(entry))
    record["contact"] = {
        "best_times": entry.best_times,
        "language": entry.language,
        "hearing_difficulty": entry.hearing_difficulty,
        "prefers_visit": entry.prefers_visit,
    }
    return record

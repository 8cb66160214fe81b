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


# --- The prefect (CASF R121-4 and R121-8) -------------------------------------------------------

#: The columns of the register's transmission to the prefect, in order: (key, French header).
#:
#: CASF art. R121-4 (décret n° 2004-926 du 1er septembre 2004, codified; the text read is the
#: consolidated version of 30 December 2006) lists what the register holds about the person: « a) Ses
#: nom et prénoms ; b) Sa date de naissance ; c) La qualité au titre de laquelle elle est inscrite sur
#: le registre nominatif ; d) Son adresse ; e) Son numéro de téléphone ; f) Le cas échéant, les
#: coordonnées du service intervenant à domicile ; g) Le cas échéant, la personne à prévenir en cas
#: d'urgence » — plus the request's date and the third party who made it, which the prefect does not
#: need and does not get. CASF art. R121-8: the mayor communicates the register to the prefect
#: (in Paris the prefect of police), at their request, as the authority in charge of the alert and
#: emergency plan, « dans des conditions propres à en assurer la confidentialité ». The guide VISA
#: (« Un outil de partage d'informations ») adds the limit every audience shares: no benefit received,
#: nothing about health — so no GIR, no legal protection, no fragility level, no needs, no notes,
#: no access to the home, no e-mail (not in R121-4). The age is the birth date's, said plainly.
PREFECT_COLUMNS = (
    ("last_name", "Nom"),
    ("first_names", "Prénom(s)"),
    ("birth_date", "Date de naissance"),
    ("age", "Âge"),
    ("legal_category", "Qualité au titre de laquelle la personne est inscrite"),
    ("address", "Adresse"),
    ("complement", "Complément d'adresse"),
    ("postal_code", "Code postal"),
    ("commune", "Commune"),
    ("phones", "Téléphone"),
    ("home_help", "Service intervenant à domicile"),
    ("emergency_contact", "Personne à prévenir en cas d'urgence"),
)
PREFECT_FIELDS = tuple(key for key, _ in PREFECT_COLUMNS)
PREFECT_HEADERS = tuple(header for _, header in PREFECT_COLUMNS)


def prefect_entries(crisis):
    """The entries the prefect receives for a crisis: the organisation's *active* entries (not
    pending, suspended or removed) of living persons whose current address is in one of the
    crisis's communes, with what `prefect_rows` reads loaded in a fixed number of queries."""
    from django.db.models import Prefetch

    from maillage.people.models import PersonAddress, PersonPhone, Relation
    from maillage.register.models import RegisterEntry

    communes = crisis.communes.all()
    return (
        RegisterEntry.objects.active()
        .filter(
            organisation=crisis.organisation_id,
            person__deceased_on__isnull=True,
            person__addresses__is_current=True,
            person__addresses__commune__in=communes,
        )
        .distinct()
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "person__addresses",
                queryset=PersonAddress.objects.filter(is_current=True).select_related("commune"),
            ),
            Prefetch("person__phones", queryset=PersonPhone.objects.order_by("-is_preferred", "pk")),
            Prefetch("person__relations", queryset=Relation.objects.filter(is_emergency_contact=True).order_by("pk")),
        )
    )


def _contact(relation) -> str:
    name = f"{relation.first_name} {relation.last_name}".strip()
    bits = [name]
    if relation.relationship:
        bits[0] = f"{name} ({relation.relationship})"
    if relation.phone:
        bits.append(relation.phone_display)
    return ", ".join(bits)


def prefect_row(entry, communes: set[int]) -> dict:
    """One entry as the prefect receives it: the PREFECT_COLUMNS keys, plain strings."""
    from maillage.register.enums import LegalCategory

    person = entry.person
    address = next((a for a in person.addresses.all() if a.commune_id in communes), None)
    return {
        "last_name": person.last_name.upper(),
        "first_names": person.first_names,
        "birth_date": person.birth_date.strftime("%d/%m/%Y") if person.birth_date else "",
        "age": str(person.age) if person.age is not None else "",
        "legal_category": LegalCategory(entry.legal_category).label if entry.legal_category else "",
        "address": address.line if address else "",
        "complement": address.complement if address else "",
        "postal_code": address.postal_code if address else "",
        "commune": address.commune.name if address else "",
        "phones": " ; ".join(normalise.display_phone(p.number) for p in person.phones.all()),
        "home_help": " ".join(entry.home_professionals.split()),
        "emergency_contact": " ; ".join(_contact(r) for r in person.relations.all()),
    }


def prefect_rows(crisis) -> list[dict]:
    """The register's transmission to the prefect for a crisis (see PREFECT_COLUMNS): one row per
    entry of `prefect_entries`, by commune then name. Nothing else of the file is read."""
    communes = set(crisis.communes.values_list("pk", flat=True))
    rows = [prefect_row(entry, communes) for entry in prefect_entries(crisis)]
    rows.sort(key=lambda r: (r["commune"], normalise.text(r["last_name"]), normalise.text(r["first_names"])))
    return rows

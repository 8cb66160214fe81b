"""Load French départements, EPCI and communes (INSEE codes, population) from the public data of
the npm package @etalab/decoupage-administratif (MIT; data INSEE/DGCL, Licence Ouverte 2.0).

The project ships an extract of that package (data/territories.json.gz, see data/README.md); the
`load_territories --source DIR` command reads the package's own `data/` folder instead.
"""

import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from maillage.core.models import EPCI, Commune, Departement

EXTRACT_PATH = Path(__file__).parent / "data" / "territories.json.gz"
_COMMUNE_KINDS = {"commune-actuelle": Commune.KIND_COMMUNE, "arrondissement-municipal": Commune.KIND_ARRONDISSEMENT}


@dataclass
class LoadReport:
    departements: int
    epci: int
    communes: int


def read_extract(path: Path = EXTRACT_PATH) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def read_package_folder(folder: Path) -> dict:
    """Read the three files of the npm package's `data/` folder into the extract's shape."""

    def load(name):
        with open(folder / name, encoding="utf-8") as handle:
            return json.load(handle)

    return {
        "departements": [
            {"code": d["code"], "nom": d["nom"], "region": d["region"]} for d in load("departements.json")
        ],
        "epci": [
            {
                "code": e["code"],
                "nom": e["nom"],
                "type": e["type"],
                "populationMunicipale": e.get("populationMunicipale"),
                "membres": [m["code"] for m in e["membres"]],
            }
            for e in load("epci.json")
        ],
        "communes": [c for c in load("communes.json") if c["type"] in _COMMUNE_KINDS],
    }


@transaction.atomic
def load_territories(data: dict, *, departement_codes: set[str] | None = None) -> LoadReport:
    """Create or update every territory (by INSEE/SIREN code); restricted to some départements if
    asked. Running it twice changes nothing the second time."""
    departements = [d for d in data["departements"] if not departement_codes or d["code"] in departement_codes]
    wanted = {d["code"] for d in departements}
    Departement.objects.bulk_create(
        [Departement(code=d["code"], name=d["nom"], region_code=d["region"]) for d in departements],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "region_code"],
    )
    dep_ids = dict(Departement.objects.filter(code__in=wanted).values_list("code", "pk"))

    communes = [c for c in data["communes"] if c["departement"] in wanted]
    commune_codes = {c["code"] for c in communes}
    epci_of = {}
    epcis = []
    for e in data["epci"]:
        members = [m for m in e["membres"] if m in commune_codes]
        if not members:
            continue
        epcis.append(EPCI(code=e["code"], name=e["nom"], kind=e["type"], population=e.get("populationMunicipale")))
        for member in members:
            epci_of[member] = e["code"]
    EPCI.objects.bulk_create(
        epcis,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind", "population"],
        batch_size=500,
    )
    epci_ids = dict(EPCI.objects.filter(code__in={e.code for e in epcis}).values_list("code", "pk"))

    def build(c):
        return Commune(
            code=c["code"],
            name=c["nom"],
            kind=_COMMUNE_KINDS[c["type"]],
            departement_id=dep_ids[c["departement"]],
            epci_id=epci_ids.get(epci_of.get(c["code"])),
            postal_codes=c.get("codesPostaux", []),
            population=c.get("population"),
        )

    fields = ["name", "kind", "departement", "epci", "postal_codes", "population"]
    Commune.objects.bulk_create(
        [build(c) for c in communes if c["type"] == "commune-actuelle"],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=fields,
        batch_size=2000,
    )
    parents = dict(
        Commune.objects.filter(code__in={c.get("commune") for c in communes if c.get("commune")}).values_list(
            "code", "pk"
        )
    )
    arrondissements = []
    for c in communes:
        if c["type"] == "arrondissement-municipal":
            commune = build(c)
            commune.parent_id = parents.get(c["commune"])
            arrondissements.append(commune)
    Commune.objects.bulk_create(
        arrondissements,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[*fields, "parent"],
        batch_size=2000,
    )
    # Département population: the sum of its communes (arrondissements are already inside their commune).
    for code, pk in dep_ids.items():
        total = sum(
            c.get("population") or 0 for c in communes if c["departement"] == code and c["type"] == "commune-actuelle"
        )
        Departement.objects.filter(pk=pk).update(population=total)
    from maillage.core.signals import territories_loaded

    territories_loaded.send(sender=LoadReport)
    return LoadReport(departements=len(departements), epci=len(epcis), communes=len(communes))


# --- Finding a commune from what a person types ----------------------------------------------------

INSEE_CODE = re.compile(r"^(\d{2}|2[AB])\d{3}$")
POSTAL_CODE = re.compile(r"^\d{5}$")
# Each letter also matches its accented forms; spaces, hyphens and apostrophes match one another.
_LETTER_FORMS = {
    "a": "aàâä",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîï",
    "o": "oôö",
    "u": "uùûü",
    "y": "yÿ",
}
MAX_LISTED = 8


def _name_pattern(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("œ", "oe")
    words = [w for w in re.split(r"[\s\-'’]+", folded) if w]
    parts = []
    for word in words:
        # Upper case too: PostgreSQL folds the case of accented letters only under some locales.
        parts.append("".join(_letter(c) for c in word))
    return "^" + "[-' ’]+".join(parts) + "$"


def _letter(c: str) -> str:
    forms = _LETTER_FORMS.get(c)
    return f"[{forms}{forms.upper()}]" if forms else re.escape(c)


def _listed(communes) -> str:
    names = [f"{c.name} ({c.code})" for c in communes[:MAX_LISTED]]
    more = len(communes) - MAX_LISTED
    return ", ".join(names) + (f" et {more} autres" if more > 0 else "")


def find_commune(text: str):
    """The commune a person means by `text`: its INSEE code (21231), its postal code when only one
    commune has it (21000), or its name, whatever the accents, case and hyphens (« macon », « Mâcon »,
    « saint apollinaire »). None for an empty text; ValidationError in French when nothing or
    several communes match (the message lists them with their codes, to choose from)."""
    text = " ".join((text or "").split())
    if not text:
        return None
    if INSEE_CODE.match(text.upper()) and (commune := Commune.objects.filter(code=text.upper()).first()):
        return commune
    if POSTAL_CODE.match(text):
        found = [c for c in Commune.objects.filter(postal_codes__icontains=text) if text in (c.postal_codes or [])]
        if len(found) == 1:
            return found[0]
        if found:
            raise ValidationError(
                f"Le code postal {text} couvre plusieurs communes : {_listed(found)}. "
                "Indiquez le nom de la commune ou son code INSEE."
            )
        raise ValidationError(f"Aucune commune n'a le code postal ou le code INSEE « {text} ».")
    if len(text) > 100 or not re.search(r"[^\W\d_]", text):
        raise ValidationError(f"« {text[:100]} » n'est ni un nom de commune, ni un code postal, ni un code INSEE.")
    pattern = _name_pattern(text)
    found = list(Commune.objects.filter(name__iregex=pattern).order_by("-population", "code"))
    if len(found) > 1:
        raise ValidationError(
            f"Plusieurs communes s'appellent « {text} » : {_listed(found)}. Indiquez le code postal ou le code INSEE."
        )
    if not found:  # the start of a name, up to a word's end: « semur » for Semur-en-Auxois
        starts = pattern.removesuffix("$") + "([-' ’]|$)"
        found = list(Commune.objects.filter(name__iregex=starts).order_by("-population", "code"))
        if len(found) > 1:
            raise ValidationError(
                f"Plusieurs communes commencent par « {text} » : {_listed(found)}. "
                "Indiquez le nom entier, le code postal ou le code INSEE."
            )
    if found:
        return found[0]
    raise ValidationError(f"Aucune commune ne s'appelle « {text} » dans le territoire de Maillage.")

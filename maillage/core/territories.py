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


def name_pattern(text: str) -> str:
    """A regular expression matching a commune's name whatever the accents, case, hyphens and apostrophes."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("œ", "oe")
    words = [w for w in re.split(r"[\s\-'’]+", folded) if w]
    parts = []
    for word in words:
        # Upper case too: PostgreSQL folds the case of accented letters only under some locales.
        spellings = _SAINTS.get(word.rstrip("."), (word,))
        parts.append("(" + "|".join("".join(_letter(c) for c in w) for w in spellings) + ")")
    return "^" + "[-' ’]+".join(parts) + "$"


# « St Apollinaire », « Ste-Marie », as people type the names that INSEE writes out.
_SAINTS = {
    "st": ("saint", "st"),
    "ste": ("sainte", "ste"),
    "sts": ("saints", "sts"),
    "stes": ("saintes", "stes"),
}


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
    pattern = name_pattern(text)
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


# --- Finding the commune of a postal address (imports of third-party directory files) -------------

_CEDEX = re.compile(r"\b(cedex|cdx)\b.*$")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes", "s/": "sur", "ss": "sous"}
# « Paris 15e », « PARIS 15EME », « Lyon 3e arrondissement », « Marseille 1er Arrondissement », « Paris 15 »,
# « Paris XVe ».
_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille)\s+(\d{1,2}|[ivx]{1,5})\s*(e|er|eme|ieme|em)?(\s+arr\w*)?$")
_ARTICLE_AFTER = re.compile(r"^(?P<name>.+?)\s*\((?P<article>l|l'|le|la|les)\)$")


def commune_name_key(text: str) -> str:
    """A commune's name as it is compared with what a file says: lower case, no accents, no
    punctuation (hyphens, apostrophes, dots), « St »/« Ste » written out, no « Cedex » suffix, an
    article written after the name (« Mans (Le) », the old INSEE way) put back in front, and a
    Paris, Lyon or Marseille arrondissement (« Paris 15e ») read as its city."""
    folded = unicodedata.normalize("NFKD", (text or "").strip().lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("œ", "oe").replace("æ", "ae")
    if match := _ARTICLE_AFTER.match(folded):
        folded = f"{match['article'].rstrip(chr(39))} {match['name']}"
    folded = folded.replace("s/", " sur ")
    folded = re.sub(r"[\s\-'’‘`.,;:/()]+", " ", folded).strip()
    folded = _CEDEX.sub("", folded).strip()
    folded = re.sub(r"\s+\d+$", "", folded) if not _ARRONDISSEMENT.match(folded) else folded
    words = [_ABBREVIATIONS.get(word, word) for word in folded.split()]
    folded = " ".join(words)
    if match := _ARRONDISSEMENT.match(folded):
        return match[1]
    return folded


def postal_code_key(text) -> str:
    """A postal code as files write it: « 35000 », « 35 000 », « F-35000 », or « 1400 » (a spreadsheet
    dropped the leading zero of 01400). Anything else comes back as written (and matches nothing)."""
    value = re.sub(r"\s+", "", str(text if text is not None else "")).upper()
    value = re.sub(r"^(FR?-?)(?=\d{5}$)", "", value)
    if re.fullmatch(r"\d{4}", value):
        value = "0" + value
    return value


def departements_of_postal_code(postal_code: str) -> list[str]:
    """The département(s) a postal code's first digits point to: 35 → 35, 971xx → 971, 20xxx →
    2A and 2B (Corsica shares 20), 98xxx → none (Monaco and the Pacific are not départements)."""
    if not re.fullmatch(r"\d{5}", postal_code or ""):
        return []
    if postal_code.startswith("20"):
        return ["2A", "2B"]
    if postal_code.startswith("97"):
        return [postal_code[:3]]
    if postal_code.startswith("98"):
        return []
    return [postal_code[:2]]


_NOT_LOADED = " (ou son département n'est pas chargé dans Maillage)"


class AddressNotResolved(Exception):
    """No single commune for a postal code and a city. `field` is « postal_code » or « city »: the
    part of the address to correct; `message` is French and says what was found."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class _Place:
    code: str
    name: str
    departement: str
    key: str  # commune_name_key(name)


class CommuneIndex:
    """Every commune (not the arrondissements: Paris, Lyon and Marseille hold their postal codes) by
    postal code and by name key, to find the commune of an address without a query per row.

    Rows: (INSEE code, name, département code, postal codes, parent's INSEE code or None);
    départements: (code, name), to read an address's `state_province` or `region`."""

    def __init__(self, rows, departements=()):
        self.by_postal_code: dict[str, list[_Place]] = {}
        self.by_name: dict[str, list[_Place]] = {}
        self.departement_codes = {commune_name_key(name): code for code, name in departements}
        self.departement_codes.update({code.lower(): code for code, _ in departements})
        for code, name, departement, postal_codes, parent in rows:
            if parent:
                continue
            place = _Place(code, name, departement, commune_name_key(name))
            for postal_code in postal_codes or ():
                self.by_postal_code.setdefault(postal_code, []).append(place)
            self.by_name.setdefault(place.key, []).append(place)

    @classmethod
    def from_database(cls) -> "CommuneIndex":
        return cls(
            Commune.objects.values_list("code", "name", "departement__code", "postal_codes", "parent__code").order_by(
                "code"
            ),
            Departement.objects.values_list("code", "name"),
        )

    @classmethod
    def from_extract(cls, data: dict) -> "CommuneIndex":
        return cls(
            [
                (c["code"], c["nom"], c["departement"], c.get("codesPostaux", []), c.get("commune"))
                for c in data["communes"]
            ],
            [(d["code"], d["nom"]) for d in data["departements"]],
        )

    def departements_named(self, *texts: str) -> set[str]:
        """The départements an address's `state_province` or `region` names: « Ille-et-Vilaine »,
        « ILLE ET VILAINE (35) », « 35 ». A région names none (nothing to tell from it here)."""
        found = set()
        for text in texts:
            key = commune_name_key(text)
            if code := self.departement_codes.get(key):
                found.add(code)
            for inside in re.findall(r"\((\w{2,3})\)", text or ""):
                if code := self.departement_codes.get(inside.lower()):
                    found.add(code)
        return found

    def resolve(self, postal_code, city, *areas: str) -> str:
        """The INSEE code of the commune of an address, from its postal code and its city.

        In order: the communes of the postal code, picked by name (a code shared by several
        communes), or by the start of their name (« Saint-Aubin » at 35140); then the communes of
        that name in the postal code's département (a CEDEX or company code is no commune's postal
        code; homonyms elsewhere are told apart by the département); then the postal code alone when
        it has one commune and the city is no commune's name (a hamlet, a former commune); then the
        name alone, in all France, when no postal code is given (homonyms told apart by the
        département `areas` name, if any). Otherwise AddressNotResolved, naming the field to correct
        and what was found."""
        city_text = " ".join(str(city or "").split())
        if not str(postal_code or "").strip() and (inside := re.match(r"^(\d{5}) (.+)$", city_text)):
            postal_code, city_text = inside[1], inside[2]  # « 75015 Paris » written in the city field
        code, key = postal_code_key(postal_code), commune_name_key(city_text)
        written = " ".join(part for part in (" ".join(str(postal_code or "").split()), city_text) if part)
        if not code and not key:
            raise AddressNotResolved("city", "Ni code postal ni ville : la commune du lieu ne peut pas être trouvée.")
        of_code = self.by_postal_code.get(code, []) if code else []
        if not key:
            if len(of_code) == 1:
                return of_code[0].code
            if of_code:
                raise AddressNotResolved(
                    "city",
                    f"Le code postal {code} couvre {len(of_code)} communes ({_places(of_code)}) : "
                    "la ville manque pour les départager.",
                )
            raise AddressNotResolved("postal_code", f"« {written} » : commune inconnue{_NOT_LOADED}.")
        named = [p for p in of_code if p.key == key]
        if not named:
            named = [p for p in of_code if p.key.startswith(key + " ")]
        if len(named) == 1:
            return named[0].code
        if len(named) > 1:
            raise AddressNotResolved(
                "city",
                f"« {city_text} » : {len(named)} communes du code postal {code} portent ce nom "
                f"({_places(named)}), il ne les départage pas.",
            )
        homonyms = self.by_name.get(key, [])
        departements = departements_of_postal_code(code)
        if departements:
            near = [p for p in homonyms if p.departement in departements]
            if not near and not of_code:  # a CEDEX code: the start of the name, in the département
                near = [
                    p
                    for name, places in self.by_name.items()
                    if name.startswith(key + " ")
                    for p in places
                    if p.departement in departements
                ]
            if len(near) == 1:
                return near[0].code
            if near:
                raise AddressNotResolved(
                    "city",
                    f"« {city_text} » : {len(near)} communes portent ce nom ({_places(near)}), "
                    f"le code postal {code} ne les départage pas.",
                )
        if len(of_code) == 1 and not homonyms:
            return of_code[0].code
        if not code:
            named_departements = self.departements_named(*areas)
            if len(homonyms) > 1 and named_departements:
                in_area = [p for p in homonyms if p.departement in named_departements]
                if len(in_area) == 1:
                    return in_area[0].code
            if len(homonyms) == 1:
                return homonyms[0].code
            if homonyms:
                raise AddressNotResolved(
                    "city",
                    f"« {city_text} » : {len(homonyms)} communes portent ce nom ({_places(homonyms)}) "
                    "et le code postal manque pour les départager.",
                )
            raise AddressNotResolved("city", f"« {written} » : commune inconnue{_NOT_LOADED}.")
        if of_code:
            raise AddressNotResolved(
                "postal_code",
                f"« {written} » : le code postal {code} est celui de {_places(of_code)}, "
                + (f"pas de {_places(homonyms)}." if homonyms else "aucune commune de ce nom ne l'a."),
            )
        if homonyms:
            raise AddressNotResolved(
                "postal_code",
                f"« {written} » : aucune commune n'a ce code postal, et il ne départage pas les "
                f"{len(homonyms)} communes de ce nom ({_places(homonyms)}).",
            )
        raise AddressNotResolved("city", f"« {written} » : commune inconnue{_NOT_LOADED}.")


def _places(places: list[_Place]) -> str:
    listed = [f"{p.name} ({p.code})" for p in places[:MAX_LISTED]]
    more = len(places) - MAX_LISTED
    return ", ".join(listed) + (f" et {more} autre{'s' if more > 1 else ''}" if more > 0 else "")

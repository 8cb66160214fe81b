"""Reading a transmitted list: a CSV (UTF-8, UTF-8 with BOM or Windows-1252; « ; » or « , ») or an
XLSX workbook (its first sheet), into rows of known columns.

Every way a file can be unreadable ends in `FileRefused` with a French message: too large, empty,
not a spreadsheet (an image renamed .xlsx), a broken CSV, no recognisable header. The type is told
by the file's first bytes, not by its name.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

from maillage.core import archives
from maillage.people import normalise

# An XLSX is a zip of XML parts: a few of them, each small for a list of persons. A zip bomb stops here.
XLSX_LIMITS = archives.ArchiveLimits(max_entries=100, max_total_bytes=50 * 1024 * 1024, max_ratio=100)


class FileRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# The columns of a transmitted list, each with the header of the template and the variants accepted
# (compared in normalise.text form: lower case, no accents, hyphens and apostrophes as spaces).
COLUMNS = {
    "last_name": ("nom", {"nom", "nom d usage", "nom usuel", "nom de famille", "nom marital"}),
    "first_names": ("prénom(s)", {"prenom", "prenoms", "prenom s", "prenom(s)"}),
    "birth_name": ("nom de naissance", {"nom de naissance", "nom de jeune fille", "nee", "ne e"}),
    "birth_date": ("date de naissance", {"date de naissance", "date naissance", "naissance", "ne le", "nee le"}),
    "line": ("adresse", {"adresse", "adresse postale", "voie", "rue", "adresse 1", "numero et voie"}),
    "complement": ("complément", {"complement", "complement d adresse", "complement adresse", "adresse 2"}),
    "postal_code": ("code postal", {"code postal", "cp", "code postal commune"}),
    "city": ("commune", {"commune", "ville", "localite", "nom de la commune", "libelle commune"}),
    "insee_code": ("code INSEE", {"code insee", "insee", "code commune", "code insee commune"}),
    "phone": ("téléphone", {"telephone", "tel", "telephone 1", "tel 1", "telephone fixe", "portable", "mobile"}),
    "phone2": ("téléphone 2", {"telephone 2", "tel 2", "autre telephone", "telephone portable", "second telephone"}),
    "email": ("courriel", {"courriel", "email", "e mail", "mail", "adresse electronique", "adresse mail"}),
    "category": ("catégorie", {"categorie", "qualite", "categorie registre", "qualite d inscription"}),
}
TEMPLATE_HEADER = [label for label, _ in COLUMNS.values()]
REQUIRED = ("last_name", "first_names")

# Guide VISA: « aucune information ne doit mentionner la nature de la prestation dont bénéficient
# les personnes, ni leur état de santé ». A column whose header holds one of these words is never read.
FORBIDDEN_WORDS = {
    "prestation", "prestations", "apa", "pch", "aah", "gir", "aspa", "allocation", "allocations", "montant",
    "pathologie", "pathologies", "maladie", "maladies", "sante", "diagnostic", "traitement", "traitements",
    "handicap", "incapacite", "invalidite", "ald", "medical", "medicale", "medicaux", "dependance", "beneficiaire",
    "taux", "droit", "droits", "pension", "rsa", "mdph",
}  # fmt: skip


def header_key(text: str) -> str:
    return " ".join(normalise.text(str(text or "").replace("(", " ").replace(")", " ")).split())


def column_of(header: str) -> str | None:
    key = header_key(header)
    for name, (_, variants) in COLUMNS.items():
        if key in {header_key(v) for v in variants}:
            return name
    return None


def is_forbidden(header: str) -> bool:
    return bool(set(header_key(header).split()) & FORBIDDEN_WORDS)


@dataclass
class Table:
    """The rows of the file, as (line number in the spreadsheet, {column: text or date}); the header
    is line 1. `ignored` and `forbidden` are the headers not read."""

    rows: list[tuple[int, dict]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)


def max_bytes() -> int:
    return settings.REGISTER_IMPORT_MAX_BYTES


def size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


def check_size(name: str, size: int) -> None:
    if size > max_bytes():
        raise FileRefused(
            f"Le fichier « {name} » pèse {size_text(size)} : au plus {size_text(max_bytes())} sont acceptés. "
            "Découpez la liste en plusieurs fichiers."
        )
    if size == 0:
        raise FileRefused(f"Le fichier « {name} » est vide.")


def read(name: str, content: bytes) -> Table:
    check_size(name, len(content))
    if content.startswith(b"PK\x03\x04"):
        cells = _xlsx_cells(name, content)
    elif _looks_binary(content):
        raise FileRefused(
            f"Le fichier « {name} » n'est ni un tableur XLSX ni un fichier CSV (c'est peut-être une image ou un "
            "autre document). Enregistrez la liste au format XLSX ou CSV, puis recommencez."
        )
    else:
        cells = _csv_cells(name, content)
    return _table(name, cells)


def _looks_binary(content: bytes) -> bool:
    head = content[:4096]
    return b"\x00" in head or head.startswith((b"\x89PNG", b"%PDF", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0"))


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (a spreadsheet's « CSV (point-virgule) » in France)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _csv_cells(name: str, content: bytes) -> list[tuple[int, list]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    if "\t" in first_line and first_line.count("\t") > first_line.count(delimiter):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    cells = []
    try:
        line = 0
        for row in reader:
            start, line = line + 1, reader.line_num
            cells.append((start, row))
    except csv.Error as exc:
        raise FileRefused(
            f"Le fichier « {name} » n'est pas un CSV valide (ligne {reader.line_num}) : {_csv_reason(exc)}."
        ) from exc
    return cells


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return "une cellule est beaucoup trop longue (un guillemet n'est peut-être pas refermé)"
    if "unexpected end of data" in text or "expected after" in text:
        return "un guillemet n'est pas refermé"
    return "sa mise en forme est incorrecte (guillemets ou séparateurs)"


def _xlsx_cells(name: str, content: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        with archives.open_zip(content, name=name, limits=XLSX_LIMITS):
            pass
    except zipfile.BadZipFile as exc:
        raise FileRefused(f"Le fichier « {name} » n'est pas un tableur XLSX lisible.") from exc
    except archives.ArchiveRefused as exc:  # a zip bomb, or a workbook far too large for a list of persons
        raise FileRefused(exc.message) from exc
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a zip that is not a workbook
        raise FileRefused(
            f"Le fichier « {name} » n'est pas un tableur XLSX lisible (une archive zip, mais pas un classeur)."
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        return [(index, list(values)) for index, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def cell_text(value) -> str | datetime.date:
    """A cell as text; a date cell as a date (an XLSX date); a number without its « .0 »."""
    if value is None:
        return ""
    if isinstance(value, bool):  # LibreOffice in French reads the name « Faux » (or « Vrai ») as a boolean
        return "Vrai" if value else "Faux"
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s+", " ", str(value)).strip()


def _table(name: str, cells: list[tuple[int, list]]) -> Table:
    lines = [(line, row) for line, row in cells if any(cell_text(c) != "" for c in row)]
    if not lines:
        raise FileRefused(f"Le fichier « {name} » est vide : aucune ligne lue.")
    header_line, header = lines[0]
    table = Table()
    positions = {}
    for index, raw in enumerate(header):
        title = str(cell_text(raw))
        if not title:
            continue
        if is_forbidden(title):
            table.forbidden.append(title)
        elif (column := column_of(title)) and column not in positions:
            positions[column] = index
        else:
            table.ignored.append(title)
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in positions]
    if missing:
        raise FileRefused(
            f"La première ligne du fichier « {name} » (ligne {header_line}) doit nommer les colonnes ; il y manque "
            + " et ".join(f"« {m} »" for m in missing)
            + ". Partez du modèle proposé sur cette page."
        )
    table.columns = list(positions)
    for line, row in lines[1:]:
        # Only the known columns are read: a forbidden column's values never leave this function.
        table.rows.append((line, {c: cell_text(row[i]) if i < len(row) else "" for c, i in positions.items()}))
    if not table.rows:
        raise FileRefused(f"Le fichier « {name} » n'a que sa ligne d'en-tête : aucune personne à importer.")
    if len(table.rows) > settings.REGISTER_IMPORT_MAX_ROWS:
        raise FileRefused(
            f"Le fichier « {name} » a {len(table.rows)} lignes : au plus {settings.REGISTER_IMPORT_MAX_ROWS} par "
            "import. Découpez la liste en plusieurs fichiers."
        )
    return table

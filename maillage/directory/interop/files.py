"""Reading what an import is given: a file, a folder, a zip, or files already in memory.

Every way a file can be unreadable ends in `FileRefused` with a French message: not UTF-8 (a
spreadsheet saved as « CSV (séparateur : point-virgule) » in Windows-1252, typically), malformed
JSON, malformed CSV, a zip that is not one.
"""

import csv
import io
import json
import zipfile
from pathlib import Path

from maillage.core import archives
from maillage.directory.interop.report import FileRefused

# A zipped import (at most 50 MB uploaded): a CSV package holds about twenty files, compressed 5 to 20
# times; a département's directory is about 100 MB of CSV. A zip bomb of 459 KB took the worker to 3.3 GB.
MAX_ZIP_MEMBER_BYTES = 300 * 1024 * 1024
IMPORT_ARCHIVE_LIMITS = archives.ArchiveLimits(max_entries=200, max_total_bytes=500 * 1024 * 1024, max_ratio=100)

PathOrFiles = str | Path | list | dict


def collect_files(path_or_files: PathOrFiles) -> dict[str, bytes]:
    """{file name: content}. A folder gives its files; a zip, its members (by base name)."""
    if isinstance(path_or_files, dict):
        files = dict(path_or_files)
    elif isinstance(path_or_files, list | tuple):
        files = {}
        for item in path_or_files:
            files.update(collect_files(item))
        return files
    else:
        path = Path(path_or_files)
        if path.is_dir():
            files = {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}
        elif path.is_file():
            files = {path.name: path.read_bytes()}
        else:
            raise FileRefused(f"Le chemin « {path} » n'existe pas.")
    expanded = {}
    for name, content in files.items():
        if name.lower().endswith(".zip"):
            expanded.update(_unzip(name, content))
        else:
            expanded[name] = content
    return expanded


def _unzip(name: str, content: bytes) -> dict[str, bytes]:
    try:
        archive = archives.open_zip(content, name=name, limits=IMPORT_ARCHIVE_LIMITS)
    except zipfile.BadZipFile as exc:
        raise FileRefused(f"Le fichier « {name} » n'est pas une archive zip valide.") from exc
    except archives.ArchiveRefused as exc:
        raise FileRefused(exc.message) from exc
    members = {}
    with archive:
        for info in archive.infolist():
            if info.is_dir() or Path(info.filename).name.startswith("."):
                continue
            try:
                members[Path(info.filename).name] = archives.read_entry(
                    archive, info, name=name, max_bytes=MAX_ZIP_MEMBER_BYTES
                )
            except archives.ArchiveRefused as exc:
                raise FileRefused(exc.message) from exc
    if not members:
        raise FileRefused(f"L'archive « {name} » est vide.")
    return members


def decode(name: str, content: bytes) -> str:
    """UTF-8 (with or without byte order mark), or a French refusal saying where it breaks."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise FileRefused(
            f"Le fichier « {name} » n'est pas encodé en UTF-8 (caractère illisible ligne {line}) : "
            "enregistrez-le en UTF-8 puis recommencez."
        ) from exc


def load_json(name: str, content: bytes):
    text = decode(name, content)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRefused(
            f"Le fichier « {name} » n'est pas un JSON valide (ligne {exc.lineno}, colonne {exc.colno})."
        ) from exc


def read_csv(name: str, content: bytes, *, required: tuple[str, ...] = ()) -> list[tuple[int, dict]]:
    """Rows as (line number in the file, {column: value}); the header is line 1. Comma or semicolon."""
    text = decode(name, content)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        if not header or not any(header):
            raise FileRefused(f"Le fichier « {name} » est vide ou n'a pas de ligne d'en-tête.")
        missing = [column for column in required if column not in header]
        if missing:
            raise FileRefused(f"Le fichier « {name} » n'a pas la ou les colonnes obligatoires : {', '.join(missing)}.")
        rows = []
        line = reader.line_num
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise FileRefused(
                    f"Le fichier « {name} », ligne {start}, a {len(cells)} colonnes au lieu de {len(header)}."
                )
            rows.append((start, dict(zip(header, map(_unneutralise, cells), strict=True))))
    except csv.Error as exc:
        raise FileRefused(f"Le fichier « {name} » n'est pas un CSV valide (ligne {reader.line_num}) : {exc}.") from exc
    return rows


# A cell a spreadsheet would run as a formula (OWASP « CSV injection »): prefixed with an apostrophe,
# which spreadsheets show as text and which `read_csv` takes off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _unneutralise(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS) else text


def csv_bytes(columns: list[str], rows: list[dict]) -> bytes:
    buffer = io.StringIO(newline="")
    # CRLF (RFC 4180): Python's writer quotes a field holding a character of the line terminator only,
    # so a lone carriage return in a value would otherwise break the row.
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: neutralise_formula(_cell(v)) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()

"""What an import says back: every rejected row, and how many services it created or updated."""

from dataclasses import asdict, dataclass, field

from maillage.core.grammar import count


class FileRefused(Exception):
    """The file cannot be read at all (encoding, malformed JSON or CSV, missing file): the whole import
    is refused before any row is looked at. `message` is French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    """One rejected row: in which file, where (CSV line, JSON position), which field, why (French)."""

    file: str
    position: str
    field: str
    message: str

    def __str__(self):
        where = ", ".join(part for part in (self.file, self.position) if part)
        what = f"champ « {self.field} » : " if self.field else ""
        return f"{where} — {what}{self.message}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    # What was left aside without refusing the file (a taxonomy term Maillage does not know).
    warnings: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0  # services already in the directory that the file changed
    unchanged: int = 0  # services already in the directory, identical in the file: nothing written
    organisations_created: int = 0
    locations_created: int = 0
    audit_lines: int = 0
    # The file's new services that look like services already held (interop.duplicates): when the
    # import waits for the user's decisions, nothing is written.
    duplicates: list = field(default_factory=list)
    # What undoing the import needs (interop.undo): created ids, the state before of changed records.
    undo: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, message: str, *, file: str = "") -> None:
        self.errors.append(RowError(file=file, position="", field="", message=message))

    def add(self, file: str, position: str, field_name: str, message: str) -> None:
        self.errors.append(RowError(file=file, position=position, field=field_name, message=message))

    def warn(self, file: str, position: str, field_name: str, message: str) -> None:
        self.warnings.append(RowError(file=file, position=position, field=field_name, message=message))

    def errors_as_json(self) -> list[dict]:
        return [asdict(error) for error in self.errors]

    def warnings_as_json(self) -> list[dict]:
        return [asdict(warning) for warning in self.warnings]

    def summary(self) -> str:
        if self.duplicates:
            found = count(len(self.duplicates), "doublon probable", "doublons probables")
            return f"{found} : rien n'a été enregistré, décidez pour chacun."
        if self.errors:
            return f"Import refusé : {count(len(self.errors), 'erreur')}, rien n'a été enregistré."
        text = f"Import terminé : {count(self.created, 'service créé', 'services créés')}, {self.updated} mis à jour"
        text += f", {count(self.unchanged, 'inchangé', 'inchangés')}" if self.unchanged else ""
        if self.warnings:  # listed one by one in `warnings`; the count fits the import page's line
            text += f" ; {count(len(self.warnings), 'avertissement')}"
        return text[:99] + "."

"""The plan of an import: for each row of a transmitted list, what the import will do, or why not.

Each row is checked (names, date of birth, commune, phones, e-mail, category) and matched to the
organisation's persons with the duplicate rules of the person's file (`people.selectors.
possible_duplicates`, its scope computed once per import: same date of birth and close names, or the
same names and no date):

- **exact match** — exactly one such person has the row's family name (usage or birth name), its
  first first name and its date of birth, all written the same (accents and case aside): the
  import reuses that file, unchanged except for the row's phone numbers it lacks;
- **uncertain match** — other look-alikes (a typo, a missing date, several candidates): the
  register manager chooses, for that row, one of the files or a new file;
- **new person** — no look-alike: a file is created (identity, address, phones, e-mail);
- **already on the register** — the person (matched, or chosen) has a current entry: the row is
  skipped, and the preview says so;
- **rejected** — a row the import cannot write, with its line and its reasons, each naming the
  column. One rejected row, or one uncertain match left undecided, and the import cannot be
  confirmed: the list is corrected and sent again (all or nothing).

Two rows of the same file naming the same person (same names and date of birth) reject the second.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from maillage.core import access
from maillage.core.models import Commune, Organisation, User
from maillage.core.territories import AddressNotResolved, CommuneIndex, postal_code_key
from maillage.people import normalise
from maillage.people import search as person_search
from maillage.people.dates import parse_date
from maillage.people.models import Person
from maillage.register.enums import EntrySource, LegalCategory
from maillage.register.importing.reading import COLUMNS, Table
from maillage.register.models import RegisterEntry

MIN_AGE = 18  # the register is for adults (CASF L121-6-1)


class Action:
    CREATE = "create"
    MATCH = "match"
    CHOOSE = "choose"
    REGISTERED = "registered"
    REJECTED = "rejected"


NEW = "new"  # the manager's decision for an uncertain match: create a new file
# One choice per uncertain match is one field of the confirmation's form: Django refuses a form of more
# than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields. Past this many, the list is to be corrected instead.
MAX_DECISIONS = 900


@dataclass
class RowPlan:
    line: int
    action: str = Action.CREATE
    errors: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)  # the person's identity fields
    commune: Commune | None = None
    address: dict = field(default_factory=dict)
    phones: list[str] = field(default_factory=list)
    email: str = ""
    category: str = ""
    person: Person | None = None  # the file reused (exact match, or the manager's choice)
    candidates: list = field(default_factory=list)  # (person, is on the register) for an uncertain match
    decision: str = ""  # what the manager chose for it, as sent (kept when the form comes back)

    @property
    def name(self) -> str:
        return f"{self.data.get('first_names', '')} {self.data.get('last_name', '').upper()}".strip()

    @property
    def category_label(self) -> str:
        return LegalCategory(self.category).label if self.category else ""

    @property
    def decision_field(self) -> str:
        return f"ligne-{self.line}"


@dataclass
class Plan:
    rows: list[RowPlan]
    ignored_columns: list[str]
    forbidden_columns: list[str]

    def _with(self, action):
        return [r for r in self.rows if r.action == action]

    @property
    def rejected(self):
        return self._with(Action.REJECTED)

    @property
    def undecided(self):
        return self._with(Action.CHOOSE)

    @property
    def to_create(self):
        return self._with(Action.CREATE)

    @property
    def matched(self):
        return self._with(Action.MATCH)

    @property
    def registered(self):
        return self._with(Action.REGISTERED)

    @property
    def entries(self):
        """Rows that give a pending entry: new files and reused ones."""
        return [r for r in self.rows if r.action in (Action.CREATE, Action.MATCH)]

    @property
    def too_many_decisions(self) -> bool:
        return len(self.undecided) > MAX_DECISIONS

    @property
    def can_submit(self) -> bool:
        """The preview offers the confirmation: no rejected row, and something to import or decide."""
        return not self.rejected and not self.too_many_decisions and bool(self.entries or self.undecided)

    @property
    def can_confirm(self) -> bool:
        return not self.rejected and not self.undecided and bool(self.entries)


def column(name: str) -> str:
    return f"colonne « {COLUMNS[name][0]} »"


# --- One row's values ----------------------------------------------------------------------------


def _birth_date(value, errors: list) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None:
        errors.append(f"{column('birth_date')} : « {value} » n'est pas une date (attendu : jj/mm/aaaa).")
    return parsed


def _age(birth_date: datetime.date) -> int:
    today = timezone.localdate()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def category_of(text: str) -> str | None:
    """« 65 ans et plus », « 60 ans inapte », « adulte handicapé », and their close variants."""
    key = normalise.text(text)
    if not key:
        return ""
    if key in {c.value.replace("_", " ") for c in LegalCategory}:
        return key.replace(" ", "_")
    if "65" in key or key in {"personne agee", "agee"}:
        return LegalCategory.AGED_65
    if "60" in key or "inapte" in key:
        return LegalCategory.AGED_60_UNFIT
    if "handicap" in key:
        return LegalCategory.DISABLED_ADULT
    return None


def _category(row: RowPlan, text: str, source: str, age: int | None) -> None:
    category = category_of(text)
    if category is None:
        row.errors.append(
            f"{column('category')} : « {text} » n'est pas une catégorie du registre "
            "(65 ans et plus, 60 ans inapte, adulte handicapé)."
        )
        return
    if not category:
        if age is not None and age >= 65:
            category = LegalCategory.AGED_65
        elif source == EntrySource.CAF_LIST:  # the CAF transmits the AAH beneficiaries: disabled adults
            category = LegalCategory.DISABLED_ADULT
        else:
            row.errors.append(
                f"{column('category')} : vide, et la date de naissance ne suffit pas à la déduire "
                "(indiquez 65 ans et plus, 60 ans inapte ou adulte handicapé)."
            )
            return
    if age is not None and category == LegalCategory.AGED_65 and age < 65:
        row.errors.append(f"{column('category')} : « 65 ans et plus », mais la personne a {age} ans.")
    if age is not None and category == LegalCategory.AGED_60_UNFIT and age < 60:
        row.errors.append(f"{column('category')} : « 60 ans inapte », mais la personne a {age} ans.")
    row.category = category


class CommuneCache(dict):
    """The communes an import names, by INSEE code: one query per commune, not per row."""

    def get_code(self, code: str):
        if code not in self:
            self[code] = Commune.objects.filter(code=code).first()
        return self[code]


def _commune(row: RowPlan, values: dict, index: CommuneIndex, communes: CommuneCache) -> None:
    insee = str(values.get("insee_code", "")).strip().upper()
    postal = postal_code_key(values.get("postal_code", ""))
    city = str(values.get("city", "")).strip()
    code = None
    if insee:
        if communes.get_code(insee) is None:
            row.errors.append(f"{column('insee_code')} : aucune commune n'a le code INSEE « {insee} ».")
            return
        code = insee
    elif postal or city:
        try:
            code = index.resolve(postal, city)
        except AddressNotResolved as exc:
            row.errors.append(f"{column(exc.field if exc.field == 'postal_code' else 'city')} : {exc.message}")
            return
    else:
        row.errors.append(
            f"{column('postal_code')} et {column('city')} : vides (ou {column('insee_code')}) ; "
            "la commune de la personne est nécessaire."
        )
        return
    row.commune = communes.get_code(code)
    if postal and row.commune.postal_codes and postal not in row.commune.postal_codes:
        row.errors.append(
            f"{column('postal_code')} : {postal} n'est pas un code postal de {row.commune.name} "
            f"({', '.join(row.commune.postal_codes)})."
        )
        return
    row.address = {
        "commune": row.commune,
        "line": str(values.get("line", ""))[:250],
        "complement": str(values.get("complement", ""))[:250],
        "postal_code": postal if postal in (row.commune.postal_codes or []) else "",
    }


def _phone(text) -> str:
    digits = str(text).strip()
    if digits.isdigit() and len(digits) == 9:  # a spreadsheet took the leading 0 off (612345678)
        digits = "0" + digits
    return digits


def _phones(row: RowPlan, values: dict) -> None:
    for name in ("phone", "phone2"):
        text = _phone(values.get(name, ""))
        if not text:
            continue
        try:
            number = normalise.phone(text)
        except ValidationError:
            row.errors.append(
                f"{column(name)} : « {text} » n'est pas un numéro de téléphone valide (exemple : 03 80 12 34 56)."
            )
            continue
        if number not in row.phones:
            row.phones.append(number)


def _identity(row: RowPlan, values: dict, organisation: Organisation) -> int | None:
    birth_date = _birth_date(values.get("birth_date", ""), row.errors)
    row.data = {
        "last_name": str(values.get("last_name", "")),
        "first_names": str(values.get("first_names", "")),
        "birth_name": str(values.get("birth_name", "")),
        "birth_date": birth_date,
    }
    for name in ("last_name", "first_names"):
        if not row.data[name].strip():
            row.errors.append(f"{column(name)} : vide.")
    try:
        Person(organisation=organisation, **row.data).full_clean(exclude=["organisation"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name in ("last_name", "first_names") and not row.data[name].strip():
                continue
            label = column(name) if name in COLUMNS else "identité"
            row.errors.extend(f"{label} : {message}" for message in messages)
    if birth_date is None or birth_date > timezone.localdate():
        return None
    age = _age(birth_date)
    if age < MIN_AGE:
        row.errors.append(
            f"{column('birth_date')} : la personne aurait {age} ans ; le registre est réservé aux adultes."
        )
    return age


def _check(line: int, values: dict, *, organisation: Organisation, source: str, index, communes) -> RowPlan:
    row = RowPlan(line=line)
    age = _identity(row, values, organisation)
    _category(row, str(values.get("category", "")), source, age)
    _commune(row, values, index, communes)
    _phones(row, values)
    email = str(values.get("email", "")).strip()
    if email:
        try:
            validate_email(email)
            row.email = email
        except ValidationError:
            row.errors.append(f"{column('email')} : « {email} » n'est pas une adresse électronique valide.")
    if row.errors:
        row.action = Action.REJECTED
    return row


# --- Matching ------------------------------------------------------------------------------------


def _same_person_key(data: dict) -> tuple:
    return (
        normalise.text(data["last_name"]),
        (normalise.text(data["first_names"]).split() or [""])[0],
        data["birth_date"],
    )


def is_exact(person: Person, data: dict) -> bool:
    if not data["birth_date"] or person.birth_date != data["birth_date"]:
        return False
    families = {normalise.text(person.last_name), normalise.text(person.birth_name)} - {""}
    wanted = {normalise.text(data["last_name"]), normalise.text(data["birth_name"])} - {""}
    first = (normalise.text(data["first_names"]).split() or [""])[0]
    return bool(families & wanted) and first in normalise.text(person.first_names).split()


def _registered_ids(organisation: Organisation, persons) -> set[int]:
    return set(
        RegisterEntry.objects.current()
        .filter(organisation=organisation, person__in=[p.pk for p in persons])
        .values_list("person_id", flat=True)
    )


def duplicates_scope(actor: User, organisation: Organisation):
    """The persons `people.selectors.possible_duplicates` compares with, computed once per import (not
    once per row): the organisation's files the actor may open."""
    return access.persons_visible_to(actor, organisation).filter(organisation=organisation)


def _match(row: RowPlan, *, scope, organisation: Organisation, decision: str | None) -> None:
    # The rule of people.selectors.possible_duplicates (people.search.likely_duplicates), on `scope`.
    candidates = person_search.likely_duplicates(
        scope,
        last_name=row.data["last_name"],
        first_names=row.data["first_names"],
        birth_name=row.data["birth_name"],
        birth_date=row.data["birth_date"],
    )
    if not candidates:
        return
    registered = _registered_ids(organisation, candidates)
    exact = [p for p in candidates if is_exact(p, row.data)]
    if len(exact) == 1:
        row.person = exact[0]
    else:
        # An uncertain match keeps its candidates once decided: the page shows the choice again.
        row.candidates = [(p, p.pk in registered) for p in candidates]
        if decision == NEW:
            return
        row.person = next((p for p in candidates if str(p.pk) == decision), None) if decision else None
        if row.person is None:
            row.action = Action.CHOOSE
            return
    row.action = Action.REGISTERED if row.person.pk in registered else Action.MATCH


def plan_import(
    table: Table, *, actor: User, organisation: Organisation, source: str, decisions: dict | None = None
) -> Plan:
    """What importing `table` would do, row by row (nothing is written). `decisions`: {line: person pk
    as text, or NEW} for the uncertain matches the manager settled."""
    decisions = decisions or {}
    index, communes, scope = CommuneIndex.from_database(), CommuneCache(), duplicates_scope(actor, organisation)
    rows, seen = [], {}
    for line, values in table.rows:
        row = _check(line, values, organisation=organisation, source=source, index=index, communes=communes)
        if row.action != Action.REJECTED:
            key = _same_person_key(row.data)
            if key in seen:
                row.action = Action.REJECTED
                row.errors.append(f"Même personne que la ligne {seen[key]} (mêmes nom, prénom et date de naissance).")
            else:
                seen[key] = line
                row.decision = decisions.get(line, "")
                _match(row, scope=scope, organisation=organisation, decision=row.decision)
        rows.append(row)
    return Plan(rows=rows, ignored_columns=table.ignored, forbidden_columns=table.forbidden)

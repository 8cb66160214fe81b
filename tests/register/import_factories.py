"""Factories and file builders for the import of transmitted lists (tests/register/test_imports.py)."""

import csv
import datetime
import io

import factory

from tests.core.factories import CommuneFactory
from tests.people.factories import PersonFactory
from tests.register import factories as base

HEADER = [
    "Nom",
    "Prénom",
    "Nom de naissance",
    "Date de naissance",
    "Adresse",
    "Complément",
    "Code postal",
    "Commune",
    "Code INSEE",
    "Téléphone",
    "Téléphone 2",
    "Courriel",
    "Catégorie",
]


class ImportedEntryFactory(base.ActiveEntryFactory):
    """A register entry (minimal: the import's tests need entries already on the register)."""

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
    activated_on = None


def communes():
    """Three communes of Côte-d'Or, as the territory holds them."""
    return {
        "dijon": CommuneFactory(code="21231", name="Dijon", postal_codes=["21000"], population=156000),
        "chenove": CommuneFactory(code="21166", name="Chenôve", postal_codes=["21300"], population=14000),
        "talant": CommuneFactory(code="21617", name="Talant", postal_codes=["21240"], population=11000),
    }


def manager(organisation=None, **kwargs):
    return base.register_manager(organisation, **kwargs)


def row(**values) -> list:
    """A row of the template's columns; `values` by their position name."""
    default = {
        "nom": "Martin",
        "prenom": "Jeanne",
        "naissance_nom": "",
        "date": "12/03/1941",
        "adresse": "3 rue des Lilas",
        "complement": "",
        "cp": "21000",
        "commune": "Dijon",
        "insee": "",
        "tel": "03 80 12 34 56",
        "tel2": "",
        "courriel": "",
        "categorie": "65 ans et plus",
    }
    default.update(values)
    return list(default.values())


def good_rows(n: int) -> list[list]:
    first = ["Jeanne", "Louise", "Marcel", "Paulette", "René", "Simone", "Lucien", "Odette", "Gaston", "Yvonne"]
    last = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"]
    return [
        row(
            nom=last[i % 10],
            prenom=first[i % 10],
            date=f"{i + 1:02d}/0{i % 9 + 1}/19{40 + i % 10}",
            tel=f"03801234{i:02d}",
        )
        for i in range(n)
    ]


def csv_bytes(rows, *, header=HEADER, encoding="utf-8-sig", delimiter=";") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def in_years(years: int) -> str:
    today = datetime.date.today()  # noqa: DTZ011
    return (
        f"{today.day:02d}/{today.month:02d}/{today.year - years}"
        if (today.month, today.day) != (2, 29)
        else (f"28/02/{today.year - years}")
    )

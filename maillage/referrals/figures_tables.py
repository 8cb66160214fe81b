"""The referrals' figures as tables (`figures.py` computes them): one list of tables that the page shows
and the CSV writes, so the export is the page's tables, cell for cell. A cell holds a raw value (a count,
a delay, a text); the page writes it as French reads it (« 1 234 », « 2 jours »), the spreadsheet as a
number (« 1234 », « 2,50 » days)."""

import csv
import datetime
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from maillage.core import grammar
from maillage.directory.interop.files import neutralise_formula
from maillage.referrals.figures import COLUMNS, SideFigures, days_number, french_number, share, spoken_duration

SIDE_TITLES = {"sent": "Orientations envoyées", "received": "Orientations reçues"}


@dataclass
class Table:
    key: str  # the table's id on the page (« envoyees-partenaires »)
    title: str  # its heading
    headers: list[str]  # the first is the row headers' column
    rows: list[list]  # the first cell of each row is its header
    note: str = ""


def _column_labels(side: str) -> list[str]:
    first = "Envoyées" if side == "sent" else "Reçues"
    return [first, *[label for key, label, _ in COLUMNS if key != "total"]]


def _count_rows(rows) -> list[list]:
    return [[row.label, *row.counts.values()] for row in rows]


def side_tables(figures: SideFigures) -> list[Table]:
    """The tables of one side, in the page's order; none when nothing was sent in the period."""
    if not figures.total:
        return []
    sent = figures.side == "sent"
    prefix = "envoyees" if sent else "recues"
    days = grammar.count(settings.REFERRALS_REMINDER_DAYS, "jour")
    columns = _column_labels(figures.side)
    other = "Structure partenaire" if sent else "Structure qui oriente"
    tables = [
        Table(
            f"{prefix}-issues",
            "Par issue",
            ["Où en est l'orientation", "Nombre", "Part"],
            [[label, count, share(count, figures.total)] for label, count in figures.by_outcome],
            note="Chaque orientation compte une fois, selon son état aujourd'hui.",
        ),
        Table(
            f"{prefix}-delais",
            "Délais de réponse des partenaires" if sent else "Délais de réponse de la structure",
            ["Étape", "Orientations concernées", "Délai médian", "Délai maximal pour 90 % d'entre elles"],
            [[d.label, d.count, d.median, d.p90] for d in figures.delays],
            note=(
                "Depuis l'envoi de l'orientation. Le délai médian partage les orientations en deux moitiés ; "
                "le second délai est celui dans lequel 9 orientations sur 10 ont franchi l'étape."
            ),
        ),
        Table(
            f"{prefix}-delais-structures",
            "Délais par partenaire" if sent else "Délais par structure qui oriente",
            [
                other,
                "Réponses",
                "Délai médian de réponse",
                "Délai maximal pour 90 % des réponses",
                "Délai médian de lecture",
                f"Sans réponse après {days} (aujourd'hui)",
            ],
            [
                [row.label, row.answer.count, row.answer.median, row.answer.p90, row.read.median, row.overdue]
                for row in figures.delays_by_organisation
            ],
        ),
        Table(
            f"{prefix}-structures",
            "Par partenaire" if sent else "Par structure qui oriente",
            [other, *columns],
            _count_rows(figures.by_organisation),
        ),
        Table(
            f"{prefix}-services",
            "Par service" if sent else "Par service de la structure",
            ["Service (structure)" if sent else "Service", *columns],
            _count_rows(figures.by_service),
        ),
        Table(
            f"{prefix}-besoins",
            "Par besoin essentiel",
            ["Besoin", *columns],
            _count_rows(figures.by_need),
            note=(
                "Une orientation qui porte sur plusieurs besoins compte pour chacun d'eux : le total des lignes "
                "peut dépasser le nombre d'orientations."
            ),
        ),
        Table(f"{prefix}-urgences", "Par urgence", ["Urgence", *columns], _count_rows(figures.by_urgency)),
    ]
    return tables


def summary_rows(figures: SideFigures) -> list[tuple[str, int]]:
    """The side's key figures (label, count)."""
    days = grammar.count(settings.REFERRALS_REMINDER_DAYS, "jour")
    sent = figures.side == "sent"
    rows = [
        ("Orientations envoyées" if sent else "Orientations reçues", figures.total),
        ("dont envoyées après une réorientation par un partenaire", figures.from_redirection),
        (f"Sans réponse après {days}, aujourd'hui", figures.overdue_now),
        (f"Réponses données après plus de {days}", figures.answered_late),
    ]
    return rows if sent else [rows[0], *rows[2:]]


def page_cell(value) -> str:
    """A cell as the page writes it."""
    if value is None:
        return "—"
    if isinstance(value, datetime.timedelta):
        return spoken_duration(value)
    if isinstance(value, int):
        return french_number(value)
    return str(value)


def csv_cell(value) -> str:
    """A cell as the spreadsheet reads it: counts bare, delays in days (« 2,50 »), text made inert."""
    if value is None:
        return ""
    if isinstance(value, datetime.timedelta):
        return days_number(value)
    if isinstance(value, int):
        return str(value)
    return neutralise_formula(str(value))


def csv_headers(headers: list[str], rows: list[list]) -> list[str]:
    """Delay columns say their unit in the spreadsheet (« Délai médian (jours) »)."""
    delay_columns = {index for row in rows for index, value in enumerate(row) if isinstance(value, datetime.timedelta)}
    return [f"{header} (jours)" if index in delay_columns else header for index, header in enumerate(headers)]


def csv_bytes(organisation, period, sides: list[SideFigures]) -> bytes:
    """The page's tables, one after the other, each under its title: UTF-8 with BOM, « ; », CRLF (what a
    French spreadsheet opens as it is, like the register's transmission to the prefect)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise_formula(f"Chiffres des orientations — {organisation.name}")])
    writer.writerow([f"Période : {period.label} (orientations envoyées pendant la période, état au {_today()})"])
    writer.writerow(
        [
            "Effectifs exacts, aucune personne nommée, aucun motif. Avant de publier un tableau, regroupez les "
            "petits effectifs selon les règles de l'observatoire."
        ]
    )
    for figures in sides:
        writer.writerow([])
        title = SIDE_TITLES[figures.side]
        writer.writerow([f"{title} — en bref"])
        for label, count in summary_rows(figures):
            writer.writerow([label, count])
        for table in side_tables(figures):
            writer.writerow([])
            writer.writerow([f"{title} — {table.title}"])
            writer.writerow(csv_headers(table.headers, table.rows))
            for row in table.rows:
                writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _today() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


def file_name(period) -> str:
    return f"chiffres-orientations-{period.start.isoformat()}-{period.end.isoformat()}.csv"

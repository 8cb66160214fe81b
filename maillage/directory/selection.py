"""« Imprimer cette sélection » and « Envoyer par courriel »: a handful of services, from the search
results, on one A4 sheet or in one e-mail, in plain French.

The selection is the services ticked in the results: those kept in the session (ticked on any page
of the results, see `selection_add`) and those the print or e-mail form carries (`service=<id>`,
repeated: the ticks of the current page, which is all there is without JavaScript). When none is
ticked, it is the first results of the current search. It is always taken from a queryset the access
policy gave (published services for the public; plus one's own drafts for staff), so a stale id in
the session never shows anything it should not.

Sending by e-mail is limited per client address and per recipient (`send_refusal`, counters in the
shared cache, so a new session starts from the same count): the public form could otherwise relay
spam or flood a mailbox, and a staff session taken over could too. Anonymous visitors send the
selection with the site's fixed text only: no message of theirs and not the words they searched.
"""

import dataclasses
import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone

from maillage.core import access, ratelimit
from maillage.core.ids import parse_ids
from maillage.core.pdf import html_to_pdf
from maillage.core.tasks import send_email
from maillage.directory import conf
from maillage.directory.enums import FeeKind, Weekday
from maillage.directory.forms import SearchForm
from maillage.directory.models import Service, ServiceAtLocation
from maillage.directory.search import SearchFilters, search_services

MAX_SELECTION = conf.MAX_PAGE_SIZE
# The ticked services, kept in the session while one moves between result pages; staff and public
# apart (a staff selection may hold one's own drafts).
SESSION_SELECTION_KEYS = {True: "directory_selection_public", False: "directory_selection_staff"}

# Spam guard, in the shared cache: at most this many e-mails per SEND_WINDOW from one client address
# (several people may share one: a France Services desk, a library; a whole team behind one router),
# and per RECIPIENT_WINDOW to one recipient (a mailbox flooded from many addresses).
SEND_WINDOW = datetime.timedelta(hours=1)
RECIPIENT_WINDOW = datetime.timedelta(days=1)
PUBLIC_SEND_LIMIT_PER_IP = 20
PUBLIC_SEND_LIMIT_PER_RECIPIENT = 3
STAFF_SEND_LIMIT_PER_IP = 150
STAFF_SEND_LIMIT_PER_RECIPIENT = 10
# The public PDF: kept this long in the shared cache, and at most this many rendered per minute
# for the whole site (each costs about 2 s of CPU).
PUBLIC_PDF_CACHE_SECONDS = 15 * 60
PUBLIC_PDF_RENDERS_PER_MINUTE = 30
Q_CRITERION_LABEL = "Mots recherchés"
CRITERIA_ORDER = ["q", "commune", "proximity", "need", "domain", "public", "accessibility", "fee", "offer_kind", "age"]


@dataclass
class ServiceSheet:
    """What a person needs to reach a service, as plain sentences."""

    pk: int
    name: str
    organisation: str
    description: str
    addresses: list[str]
    phones: list[str]
    email: str
    url: str
    hours: list[str]
    closures: list[str]
    access: str
    accessibility: list[str]
    fees: str
    eligibility: str
    link: str  # the public page, for anyone who gets the sheet; "" when it has none (a draft)
    is_draft: bool


@dataclass
class Selection:
    sheets: list[ServiceSheet]
    criteria: list[tuple[str, str]]
    chosen: bool  # ticked one by one, rather than the search's first results
    total: int  # how many services the search found
    created_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def truncated(self) -> bool:
        return not self.chosen and self.total > len(self.sheets)

    @property
    def date_label(self) -> str:
        return formats.date_format(timezone.localtime(self.created_at), "j F Y")


def _details(qs: QuerySet) -> QuerySet:
    return qs.select_related("organisation").prefetch_related(
        Prefetch("service_at_locations", queryset=ServiceAtLocation.objects.select_related("location__commune")),
        "phones",
        "regular_schedules",
        "schedule_exceptions",
        "accessibility",
    )


def _criteria(form: SearchForm) -> list[tuple[str, str]]:
    data = form.cleaned_data
    rows = []
    for name in CRITERIA_ORDER:
        value = data.get(name)
        if value in (None, ""):
            continue
        if name == "proximity" and not data.get("commune"):
            continue
        field_ = form.fields[name]
        label = str(field_.label)
        if name == "q":
            label, text = Q_CRITERION_LABEL, f"« {value} »"
        elif name == "commune":
            text = f"{value.name} ({value.code})"
        elif name == "age":
            text = f"{value} ans"
        else:
            text = str(dict(field_.choices).get(value, value))
        rows.append((label, text))
    if data.get("open_now"):
        rows.append(("Horaires", "ouverts au moment de la recherche"))
    return rows


NBSP = "\u00a0"


def _time(value: datetime.time) -> str:
    """« 9 h », « 13 h 30 »: how times are read aloud and printed for the public (never cut at a line end)."""
    text = f"{value.hour} h {value.minute:02d}" if value.minute else f"{value.hour} h"
    return text.replace(" ", NBSP)


def _days(days: list[int]) -> str:
    """« Du lundi au vendredi », « Mardi et jeudi », « Samedi »."""
    names = [Weekday(day).label.lower() for day in days]
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"Du {names[0]} au {names[-1]}"
    text = f"{', '.join(names[:-1])} et {names[-1]}" if len(names) > 1 else names[0]
    return text[0].upper() + text[1:]


def _hours(service: Service) -> list[str]:
    """Opening hours in words, days with the same hours together: « Du lundi au vendredi : de 9 h
    à 12 h et de 13 h 30 à 17 h »."""
    by_day: dict[int, list[str]] = {}
    for span in service.regular_schedules.all():
        if span.opens_at == datetime.time(0, 0) and span.closes_at >= datetime.time(23, 59):
            text = "24 heures sur 24"
        else:
            text = f"de {_time(span.opens_at)} à {_time(span.closes_at)}"
        by_day.setdefault(span.weekday, []).append(text)
    groups: dict[str, list[int]] = {}
    for day, spans in sorted(by_day.items()):
        groups.setdefault(" et ".join(spans), []).append(day)
    return [f"{_days(days)} : {text}" for text, days in groups.items()]


def _access(service: Service) -> str:
    """« Sur rendez-vous ou par téléphone. Un premier appel, puis une visite… »"""
    modes = [mode.lower() for mode in service.access_modes()]
    sentence = ""
    if modes:
        sentence = (f"{', '.join(modes[:-1])} ou {modes[-1]}" if len(modes) > 1 else modes[0]) + "."
        sentence = sentence[0].upper() + sentence[1:]
    return " ".join(filter(None, [sentence, service.application_process]))


def _date(value: datetime.date) -> str:
    """« 1er août 2026 »."""
    text = formats.date_format(value, "j F Y")
    return "1er" + text[1:] if value.day == 1 else text


def _closures(service: Service, today: datetime.date) -> list[str]:
    lines = []
    for exception in service.schedule_exceptions.all():
        if exception.end_date < today:
            continue
        period = f"du {_date(exception.start_date)} au {_date(exception.end_date)}"
        if exception.is_closed or not exception.opens_at:
            text = f"Fermé {period}"
        else:
            text = f"Ouvert {period} de {_time(exception.opens_at)} à {_time(exception.closes_at)}"
        lines.append(f"{text} ({exception.description.lower()})" if exception.description else text)
    return lines


def _sheet(service: Service, *, site_url: str, has_public_page: bool, today: datetime.date) -> ServiceSheet:
    """The sheet of one service. Its link is the service's public page, even in a staff selection: the
    sheet goes to the person (printed, e-mailed), who has no account; a service the public directory
    does not show (a draft, an inactive organisation's) gets no link."""
    addresses = []
    for sal in service.service_at_locations.all():
        place = sal.location
        line = ", ".join(filter(None, [place.address, place.address_complement]))
        addresses.append(f"{line}, {' '.join(filter(None, [place.postal_code, place.commune.name]))}")
    fee = FeeKind(service.fee_kind).label
    return ServiceSheet(
        pk=service.pk,
        name=service.name,
        organisation=service.organisation.name,
        description=service.description,
        addresses=addresses,
        phones=[f"{p.number} ({p.description})" if p.description else p.number for p in service.phones.all()],
        email=service.email,
        url=service.url,
        hours=_hours(service),
        closures=_closures(service, today),
        access=_access(service),
        accessibility=[
            f"{a.get_feature_display()} — {a.details}" if a.details else a.get_feature_display()
            for a in service.accessibility.all()
        ],
        fees=(f"{fee} — {service.fee_description}" if service.fee_description else fee).replace(" €", NBSP + "€"),
        eligibility=service.eligibility_description,
        link=site_url.rstrip("/") + reverse("directory:public_service_detail", args=[service.pk])
        if has_public_page
        else "",
        is_draft=not service.is_published,
    )


# --- The selection kept in the session -----------------------------------------------------------


def _ids(values: Iterable) -> list[int]:
    return parse_ids(values)


def selection_ids(session, *, public: bool) -> list[int]:
    """The services ticked so far (ids only: what the visitor may see is decided when building)."""
    return _ids(session.get(SESSION_SELECTION_KEYS[public], []))


def selection_add(session, ids: Iterable, *, public: bool) -> list[int]:
    """Tick services; past MAX_SELECTION, the newest ticks are not kept."""
    kept = selection_ids(session, public=public)
    kept += [pk for pk in dict.fromkeys(_ids(ids)) if pk not in kept]
    session[SESSION_SELECTION_KEYS[public]] = kept[:MAX_SELECTION]
    return session[SESSION_SELECTION_KEYS[public]]


def selection_remove(session, ids: Iterable, *, public: bool) -> list[int]:
    removed = set(_ids(ids))
    session[SESSION_SELECTION_KEYS[public]] = [pk for pk in selection_ids(session, public=public) if pk not in removed]
    return session[SESSION_SELECTION_KEYS[public]]


def selection_clear(session, *, public: bool) -> None:
    session.pop(SESSION_SELECTION_KEYS[public], None)


def selection_build(
    *, queryset: QuerySet, params: QueryDict, site_url: str, public: bool, kept: Iterable = ()
) -> Selection:
    """The services ticked (`kept` in the session, and `service` in `params`; within `queryset`), or
    else the first results of the search `params` describe; with the search criteria in words."""
    form = SearchForm(params)
    filters = SearchFilters.from_form(form.filters())
    chosen_ids = list(dict.fromkeys([*_ids(kept), *_ids(params.getlist("service"))]))[:MAX_SELECTION]
    if chosen_ids:
        services = list(_details(queryset.filter(pk__in=chosen_ids)).order_by("name", "pk"))
        total = len(services)
    else:
        result = search_services(queryset, filters, page=1, page_size=MAX_SELECTION, with_facets=False)
        order = [service.pk for service in result.page]
        found = {service.pk: service for service in _details(queryset.filter(pk__in=order))}
        services = [found[pk] for pk in order if pk in found]
        total = result.page.paginator.count
    today = timezone.localdate()
    public_ids = set(access.services_public().filter(pk__in=[s.pk for s in services]).values_list("pk", flat=True))
    sheets = [
        _sheet(service, site_url=site_url, has_public_page=service.pk in public_ids, today=today)
        for service in services
    ]
    return Selection(sheets=sheets, criteria=_criteria(form), chosen=bool(chosen_ids), total=total)


# --- PDF -----------------------------------------------------------------------------------------


def selection_html(selection: Selection, *, site_name: str) -> str:
    return render_to_string("directory/print/selection.html", {"selection": selection, "site_name": site_name})


def selection_pdf(selection: Selection, *, site_name: str) -> bytes:
    """An A4 PDF of the selection (WeasyPrint), in large type. Only static files (the bundled fonts)
    are fetched: `maillage.core.pdf`."""
    return html_to_pdf(selection_html(selection, site_name=site_name))


def public_selection_pdf(selection: Selection, *, site_name: str) -> bytes | None:
    """The public selection's PDF, from the shared cache when the same sheet was printed in the last
    PUBLIC_PDF_CACHE_SECONDS (a render costs about 2 s of CPU). None when the site already rendered
    PUBLIC_PDF_RENDERS_PER_MINUTE public PDFs this minute: the CPU is kept for the other pages."""
    html = selection_html(selection, site_name=site_name)
    key = f"directory-public-pdf:{hashlib.sha256(html.encode()).hexdigest()}"
    pdf = cache.get(key)
    if pdf is None:
        if not ratelimit.hit("directory-public-pdf-renders", limit=PUBLIC_PDF_RENDERS_PER_MINUTE, window_seconds=60):
            return None
        pdf = html_to_pdf(html)
        cache.set(key, pdf, timeout=PUBLIC_PDF_CACHE_SECONDS)
    return pdf


# --- E-mail --------------------------------------------------------------------------------------


def normalise_recipient(email: str) -> str:
    """One key per mailbox: « Cible+1@Exemple.FR » and « cible@exemple.fr » count together."""
    local, _, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def send_refusal(*, client: str | None, recipient: str, public: bool) -> str:
    """Count one e-mail about to go from `client` to `recipient`; why it may not go (in French, for the
    form), or "" when it may. The client's count comes first: an address flooding many mailboxes is
    stopped before it spends their counts."""
    kind = "public" if public else "staff"
    per_ip, per_recipient = (
        (PUBLIC_SEND_LIMIT_PER_IP, PUBLIC_SEND_LIMIT_PER_RECIPIENT)
        if public
        else (STAFF_SEND_LIMIT_PER_IP, STAFF_SEND_LIMIT_PER_RECIPIENT)
    )
    send_window = int(SEND_WINDOW.total_seconds())
    if not ratelimit.hit(f"selection-send:{kind}:client:{client}", limit=per_ip, window_seconds=send_window):
        return (
            f"Trop de sélections ({per_ip}) ont été envoyées depuis votre connexion en moins d'une heure. "
            "Réessayez plus tard, ou imprimez la sélection."
        )
    recipient_window = int(RECIPIENT_WINDOW.total_seconds())
    recipient_key = f"selection-send:{kind}:recipient:{normalise_recipient(recipient)}"
    if not ratelimit.hit(recipient_key, limit=per_recipient, window_seconds=recipient_window):
        return (
            f"Adresse électronique du destinataire : cette adresse a déjà reçu {per_recipient} sélections "
            "aujourd'hui. Réessayez demain, ou imprimez la sélection."
        )
    return ""


def selection_email_send(
    *,
    selection: Selection,
    to: str,
    message: str,
    sender: str,
    site_name: str,
    public: bool,
    reply_to: list[str] | None = None,
) -> None:
    """Queue one e-mail (plain text and HTML) carrying the selection to `to`. `public`: sent by an
    anonymous visitor, so nothing they typed goes in (no message, not the words searched)."""
    if public:
        message = ""
        selection = dataclasses.replace(
            selection, criteria=[(label, text) for label, text in selection.criteria if label != Q_CRITERION_LABEL]
        )
    context = {"selection": selection, "message": message, "sender": sender, "site_name": site_name}
    count = len(selection.sheets)
    subject = f"{count} service{'s' if count > 1 else ''} de l'annuaire {site_name}"
    send_email.enqueue(
        subject=subject,
        body=render_to_string("directory/emails/selection.txt", context),
        html_body=render_to_string("directory/emails/selection.html", context),
        to=[to],
        reply_to=reply_to or [],
    )

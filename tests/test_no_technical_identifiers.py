"""No technical identifier reaches a user (issue 11, point 8): the demo (its seeds, plus a followed
person's casework: every kind of assessment signed, a plan, notes, a request, a task, a care-team
place) is walked by following links, as several roles, and every page's visible text — and every PDF
reached — is read for what only a developer should see: slugs (« visa-defaut-3f2a… »), snake_case
codes (« not_met », « reception_agent »), UUIDs, Python values (« None », « True »), and the brackets
of a dict or list repr."""

import datetime
import io
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlparse

import pytest
from django.test import Client
from pypdf import PdfReader

from maillage.casework.fragility import DEFAULT_GRID
from maillage.casework.models import AssessmentKind
from maillage.casework.services import assessments as assessment_services
from maillage.core.demo import DEMO_EMAIL_DOMAIN, seed_demo
from maillage.core.models import Membership, User
from maillage.people.models import Person
from tests.casework.factories import ContactFactory, RequestFactory
from tests.casework.factories_assessments import (
    CarePlanActionFactory,
    CarePlanFactory,
    FollowUpTaskFactory,
    NoteFactory,
)
from tests.conftest import login_verified
from tests.people.factories import RelationFactory

pytestmark = pytest.mark.django_db

# What a user must never read. Each pattern names what it catches.
PATTERNS = [
    (re.compile(r"(?<![\w.@/-])[a-z]+-[a-z]+-[a-z0-9-]*[a-z0-9](?![\w.@/-])"), "slug"),
    (re.compile(r"(?<![\w.@/])[a-z]+_[a-z0-9_]+(?![\w@])"), "code snake_case"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "UUID"),
    (re.compile(r"\b(None|True|False)\b"), "valeur Python"),
    (re.compile(r"[\[{]\s*['\"]|['\"]\s*[\]}]|\{\s*\}|\[\s*\]|['\"]\s*:\s*['\"\[{]"), "structure Python"),
    (re.compile(r"<[A-Z]\w+: "), "repr d'un objet"),
]
# French words written with hyphens that the slug pattern would otherwise catch.
ALLOWED = frozenset({"arc-en-ciel", "pot-au-feu", "va-et-vient", "porte-à-porte"})
SKIPPED_PATHS = ("/deconnexion/", "/static/", "/theme.css", "/logo", "/api/", "/admin/", "/__")
PAGES_PER_ROLE = 70
FORM_PAGE = re.compile(r"/(nouvelle|nouveau|modifier|retrait|fusion|adresse|telephone|entourage|consentements)/")


class VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes (not scripts or styles), and the labels read aloud
    (aria-label, alt, title, placeholder); plus the page's links."""

    def __init__(self):
        super().__init__()
        self.parts, self.links, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name in ("aria-label", "alt", "title", "placeholder"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def problems_in(text: str) -> list[str]:
    found = []
    for pattern, why in PATTERNS:
        for match in pattern.finditer(text):
            if match.group(0) in ALLOWED or "-t-" in match.group(0):  # « a-t-il », « va-t-on »
                continue
            start = max(0, match.start() - 50)
            found.append(f"{why} « {match.group(0)} » dans « …{text[start : match.end() + 50]}… »")
    return found


def _casework_for_the_demo() -> list[int]:
    """A few followed persons of the coordinator's organisation get what a year of follow-up leaves."""
    coordinator = User.objects.get(email=f"coordination@{DEMO_EMAIL_DOMAIN}")
    organisation = Membership.objects.filter(user=coordinator).order_by("pk").first().organisation
    persons = list(Person.objects.filter(organisation=organisation).order_by("pk")[:2])
    day = datetime.date(2026, 11, 20)
    for person in persons:
        relation = RelationFactory(person=person)
        needs = {t.code: {"status": "partly_met", "note": "À revoir"} for t in assessment_services.essential_needs()}
        answers = {
            AssessmentKind.NEEDS: needs,
            AssessmentKind.FRAGILITY: {q.key: q.options[-1].key for q in DEFAULT_GRID.questions} | {"mode": "visit"},
            AssessmentKind.AGGIR: dict.fromkeys(
                (*assessment_services.aggir.ALL_SUB_VARIABLES, *assessment_services.AGGIR_ILLUSTRATIVE), "B"
            ),
            AssessmentKind.CARER: {
                "relation": relation.pk,
                "burden": "moderate",
                "exhaustion_signs": ["guilt"],
                "respite_wishes": ["peer_group"],
                "note": "",
            },
        }
        for kind, kind_answers in answers.items():
            version = assessment_services.assessment_create(
                actor=coordinator,
                organisation=organisation,
                person=person,
                kind=kind,
                answers=kind_answers,
                assessed_on=day,
            )
            assessment_services.assessment_sign(actor=coordinator, organisation=organisation, version=version)
            # A second version, kept as a draft: the comparison page has two versions to show.
            assessment_services.assessment_update(
                actor=coordinator,
                organisation=organisation,
                assessment=version.assessment,
                answers=kind_answers,
                assessed_on=day,
                summary="Réévaluation",
            )
        plan = CarePlanFactory(person=person, organisation=organisation, coordinator=coordinator)
        CarePlanActionFactory(plan=plan)
        NoteFactory(person=person, organisation=organisation, author=coordinator, visibility="organisation")
        FollowUpTaskFactory(person=person, organisation=organisation, assignee=coordinator)
        RequestFactory(person=person, organisation=organisation, handled_by=coordinator)
        ContactFactory(person=person, organisation=organisation, author=coordinator)
    return [person.pk for person in persons]


@pytest.fixture
def demo():
    seed_demo()
    return _casework_for_the_demo()


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def walk(client: Client, starts: list[str], limit: int) -> tuple[dict[str, list[str]], set[str]]:
    """Follow the site's own links from `starts`, at most `limit` pages, a person's file first (its
    pages are where data is shown); every page's problems by address, and the pages read. Filters
    and pagination (a query string) are left aside: the same template again."""
    seen, queue, report, read = set(), list(starts), {}, set()
    followed = tuple(url for url in starts if re.fullmatch(r"/personnes/\d+/", url))
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            continue
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/pdf"):
            text = _pdf_text(response.content)
            links = []
        elif content_type.startswith("text/html"):
            parser = VisibleText()
            parser.feed(response.content.decode())
            text, links = " ".join(parser.parts), parser.links
        else:
            continue
        read.add(url)
        found = problems_in(re.sub(r"\s+", " ", text))
        if found:
            report[url] = found
        for href in links:
            href = urldefrag(href)[0]
            parsed = urlparse(href)
            if parsed.scheme or parsed.netloc or not href.startswith("/"):
                continue
            if href.startswith(SKIPPED_PATHS) or "?" in href or href.endswith(".json") or "droit-d-acces" in href:
                continue
            if href not in seen:
                # The followed persons' pages first (their file is where data shows), forms last.
                if href.startswith(followed) and not FORM_PAGE.search(href):
                    queue.insert(0, href)
                else:
                    queue.append(href)
    return report, read


@pytest.mark.parametrize("account", ["coordination", "accueil", "dpo", "admin", "partenaire"])
def test_the_demo_shows_no_technical_identifier(demo, account):
    user = User.objects.get(email=f"{account}@{DEMO_EMAIL_DOMAIN}")
    client = login_verified(Client(), user)
    followed = [f"/personnes/{pk}/" for pk in demo]
    starts = ["/tableau-de-bord/", *followed, "/demandes/", "/mes-suivis/", "/journal-d-audit/", "/personnes/"]
    report, read = walk(client, starts, PAGES_PER_ROLE)
    assert len(read) >= 10, read
    if account == "coordination":  # the follow-up pages were read, not only the menus
        for part in (
            r"/evaluations/\d+/$",
            r"/evaluations/\d+/comparer/",
            r"/plans/\d+/$",
            "/notes/$",
            "/chronologie/$",
        ):
            assert any(re.search(part, url) for url in read), (part, sorted(read))
    assert not report, "\n".join(f"{url} :\n  " + "\n  ".join(found) for url, found in report.items())


def test_the_patterns_catch_what_they_are_for():
    assert problems_in("Version de la grille : visa-defaut-3f2a9c01be")
    assert problems_in("Besoin : not_met")
    assert problems_in("Réponses : {'toilette_haut': 'A'}")
    assert problems_in("Signée le : None")
    assert problems_in("Objets : ['se-nourrir']")
    assert problems_in("3f2a9c01-1234-4abc-8def-0123456789ab")
    assert not problems_in("Service du CCAS d'Ille-et-Vilaine, vis-à-vis de Saint-Jacques-de-la-Lande, l'a-t-il vu ?")
    assert not problems_in("Écrivez à accueil@demo.maillage.example ou voyez pour-les-personnes-agees.gouv.fr")
    assert not problems_in("Données masquées : [masqué]")

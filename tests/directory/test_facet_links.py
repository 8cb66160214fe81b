"""The « Affiner » links of the search pages (maillage.directory.templatetags.directory_search): each
value sets its filter in the current search, the applied value is marked with a link that removes it,
and a link followed gives results that all have that filter."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory
from django.urls import reverse

from maillage.directory.enums import AccessibilityFeature
from maillage.directory.forms import SearchForm
from maillage.directory.search import Facet, FacetValue
from maillage.directory.templatetags.directory_search import facet_links, query_with
from tests.directory.factories import ServiceAccessibilityFactory, ServiceFactory

STEP_FREE = AccessibilityFeature.STEP_FREE


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


# --- Building the query string --------------------------------------------------------------------


def test_query_with_keeps_the_other_parameters():
    assert parse_qs(query_with("q=portage+de+repas&commune=21231", "fee", "free")) == {
        "q": ["portage de repas"],
        "commune": ["21231"],
        "fee": ["free"],
    }


def test_query_with_replaces_the_same_parameter_every_time_it_appears():
    assert parse_qs(query_with("fee=paid&q=repas&fee=means_tested", "fee", "free")) == {
        "q": ["repas"],
        "fee": ["free"],
    }


def test_query_with_drops_the_page_and_the_empty_fields():
    query = query_with("q=repas&page=3&need=&domain=+&age=", "accessibility", STEP_FREE)
    assert parse_qs(query, keep_blank_values=True) == {"q": ["repas"], "accessibility": ["step_free"]}


def test_query_with_none_removes_the_parameter():
    assert parse_qs(query_with("q=repas&fee=free&page=2", "fee", None)) == {"q": ["repas"]}
    assert query_with("fee=free", "fee", None) == ""


def test_query_with_encodes_what_it_keeps():
    assert parse_qs(query_with("q=%C3%A9%26a%3Db", "fee", "free")) == {"q": ["é&a=b"], "fee": ["free"]}


# --- The links of one group -----------------------------------------------------------------------


def links_for(group: Facet, **get):
    request = RequestFactory().get("/annuaire/public/", get)
    form = SearchForm(request.GET)
    form.filters()
    query = request.GET.copy()
    query.pop("page", None)
    return facet_links({"request": request, "form": form, "query": query.urlencode()}, group)


FEES = Facet("fee", "Tarif", [FacetValue("free", "Gratuit", 3), FacetValue("paid", "Payant", 0)])
OPEN_NOW = Facet("open_now", "Horaires", [FacetValue("1", "Ouvert maintenant", 2)])


@pytest.mark.django_db
def test_values_without_results_get_no_link():
    (free,) = links_for(FEES, q="repas", page="4")
    assert (free.label, free.count, free.current) == ("Gratuit", 3, False)
    assert free.url == "/annuaire/public/?q=repas&fee=free#resultats"


@pytest.mark.django_db
def test_the_applied_value_is_current_and_its_removal_keeps_the_rest():
    (free,) = links_for(FEES, q="repas", fee="free", page="2")
    assert free.current
    assert free.remove_url == "/annuaire/public/?q=repas#resultats"
    (free,) = links_for(FEES, fee="free")
    assert free.remove_url == "/annuaire/public/#resultats"


@pytest.mark.django_db
def test_the_applied_value_keeps_its_removal_link_even_without_results():
    links = links_for(FEES, q="repas", fee="paid")
    assert [(link.label, link.current) for link in links] == [("Gratuit", False), ("Payant", True)]
    assert links[1].remove_url == "/annuaire/public/?q=repas#resultats"


@pytest.mark.django_db
def test_a_wrong_value_is_not_applied_and_the_links_replace_it():
    (free,) = links_for(FEES, fee="gratis")
    assert not free.current
    assert params(free.url) == {"fee": ["free"]}


@pytest.mark.django_db
def test_open_now_sets_the_checkbox_value_of_the_form():
    (open_now,) = links_for(OPEN_NOW, q="repas")
    assert params(open_now.url) == {"q": ["repas"], "open_now": ["on"]}
    assert not open_now.current
    (open_now,) = links_for(OPEN_NOW, q="repas", open_now="on")
    assert open_now.current
    assert params(open_now.remove_url) == {"q": ["repas"]}


# --- The pages ------------------------------------------------------------------------------------


class AffinerLinks(HTMLParser):
    """The links of the « Affiner » column (the first column of the results), text → href, and the
    text of the elements marked aria-current."""

    def __init__(self):
        super().__init__()
        self.links: dict[str, str] = {}
        self.current: list[str] = []
        self._depth = 0  # inside the column: how many open <div>
        self._href = None
        self._text = []
        self._current_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and (self._depth or attrs.get("id") == "facettes"):
            self._depth += 1
        if not self._depth:
            return
        if tag == "a":
            self._href, self._text = attrs.get("href"), []
        if attrs.get("aria-current") == "true":
            self._current_depth, self._text = 1, []
        elif self._current_depth and tag not in {"br", "img", "input"}:
            self._current_depth += 1

    def handle_endtag(self, tag):
        if not self._depth:
            return
        if tag == "a" and self._href is not None:
            self.links[" ".join("".join(self._text).split())] = self._href
            self._href = None
        if self._current_depth:
            self._current_depth -= 1
            if not self._current_depth:
                self.current.append(" ".join("".join(self._text).split()))
        if tag == "div":
            self._depth -= 1

    def handle_data(self, data):
        if self._href is not None or self._current_depth:
            self._text.append(data)


def affiner(html: str) -> AffinerLinks:
    parser = AffinerLinks()
    parser.feed(html)
    return parser


@pytest.fixture
def meals():
    step_free = [ServiceFactory(name=f"Portage de repas de plain-pied {n}") for n in range(2)]
    for service in step_free:
        ServiceAccessibilityFactory(service=service, feature=STEP_FREE)
    upstairs = ServiceFactory(name="Portage de repas à l'étage")
    ServiceAccessibilityFactory(service=upstairs, feature=AccessibilityFeature.HEARING_LOOP)
    ServiceFactory(name="Portage de repas sans information")
    return {"step_free": step_free}


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_following_a_facet_link_gives_results_that_all_have_that_filter(client, meals, htmx):
    url = reverse("directory:public_search")
    headers = {"HX-Request": "true"} if htmx else {}
    first = client.get(url, {"q": "portage de repas", "page": "1"}, headers=headers)
    assert first.context["page_obj"].paginator.count == 4
    links = affiner(first.content.decode())
    href = links.links["Accès de plain-pied ou ascenseur (2)"]
    assert href.startswith(url + "?")
    assert params(href) == {"q": ["portage de repas"], "accessibility": [STEP_FREE]}
    assert links.current == []

    followed = client.get(href)
    found = list(followed.context["page_obj"])
    assert {s.name for s in found} == {s.name for s in meals["step_free"]}
    for service in found:
        assert STEP_FREE in {a.feature for a in service.accessibility.all()}

    applied = affiner(followed.content.decode())
    assert applied.current == ["Accès de plain-pied ou ascenseur (2) : filtre appliqué"]
    removal = applied.links["retirer ce filtre « Accès de plain-pied ou ascenseur »"]
    assert params(removal) == {"q": ["portage de repas"]}
    assert client.get(removal).context["page_obj"].paginator.count == 4


@pytest.mark.django_db
def test_staff_search_links_stay_on_the_staff_page(member_client, meals):
    client, _ = member_client()
    url = reverse("directory:search")
    links = affiner(client.get(url, {"q": "portage de repas"}).content.decode()).links
    assert links["Accès de plain-pied ou ascenseur (2)"].startswith(url + "?")

"""The search page's parts for a phone and a keyboard (issue 11, point 14), staff and public: the
filters beyond the words and the commune fold into « Filtrer » (a <details>, open when one is
applied), the results come before « Affiner », a skip link leads to them, and a service reached from
the results goes back to the same search."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from maillage.core.enums import Role
from maillage.directory.views import search_query
from tests.core.factories import CommuneFactory
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meals():
    dijon = CommuneFactory(code="21231", name="Dijon")
    return [ServiceFactory(name=f"Portage de repas {n:02d}", commune=dijon) for n in range(1, 24)]


@pytest.fixture(params=["public", "staff"])
def visitor(request, client, member_client, meals):
    if request.param == "staff":
        client, _ = member_client(role=Role.RECEPTION_AGENT)
    urls = {
        "public": ("directory:public_search", "directory:public_service_detail"),
        "staff": ("directory:search", "directory:service_detail"),
    }[request.param]
    return client, urls


def test_the_filters_fold_and_open_when_one_is_applied(visitor):
    client, (search, _) = visitor
    page = client.get(reverse(search), {"q": "repas"}).content.decode()
    panel = re.search(r"<details class=\"directory-filters\"[^>]*>\s*<summary[^>]*>", page).group(0)
    assert " open" not in panel and 'aria-expanded="false"' in panel and "Filtrer" in page
    folded = page[page.index("<details") : page.index("</details>")]
    assert 'name="proximity"' in folded and 'name="need"' in folded and 'name="open_now"' in folded
    assert 'name="q"' not in folded and 'name="commune"' not in folded  # the words and commune stay out

    page = client.get(reverse(search), {"q": "repas", "fee": "free", "open_now": "on"}).content.decode()
    panel = re.search(r"<details class=\"directory-filters\"[^>]*>\s*<summary[^>]*>[^<]*", page).group(0)
    assert " open" in panel and 'aria-expanded="true"' in panel and "Filtrer (2 filtres appliqués)" in panel


def test_results_come_before_affiner_and_a_skip_link_leads_to_them(visitor):
    client, (search, _) = visitor
    page = client.get(reverse(search), {"q": "repas"}).content.decode()
    assert page.index('id="liste-resultats"') < page.index('id="affiner"')
    skip = page.index('href="#liste-resultats"')
    assert "Aller aux résultats" in page[skip : skip + 100]
    assert skip < page.index("<main")  # among the page's first skip links


def test_a_result_goes_back_to_the_same_search(visitor):
    client, (search, detail) = visitor
    params = {"q": "repas", "commune": "21231", "proximity": "commune", "fee": "", "page": "2"}
    response = client.get(reverse(search), params)
    first = response.context["page_obj"][0]
    link = re.search(rf'href="({re.escape(reverse(detail, args=[first.pk]))}[^"]*)"', response.content.decode())
    service_page = client.get(link.group(1).replace("&amp;", "&"))
    assert service_page.status_code == 200
    back = re.search(r'href="([^"]*)"[^>]*>\s*(?:<[^>]+>\s*)*Retour à la recherche', service_page.content.decode())
    back_url = back.group(1).replace("&amp;", "&")
    assert urlsplit(back_url).path == reverse(search)
    assert parse_qs(urlsplit(back_url).query) == {
        "q": ["repas"],
        "commune": ["21231"],
        "proximity": ["commune"],
        "page": ["2"],
    }
    again = client.get(back_url)
    assert again.context["page_obj"].number == 2 and again.context["page_obj"][0].pk == first.pk


def test_the_back_link_keeps_only_the_search():
    from django.http import QueryDict

    kept = search_query(QueryDict("q=repas&next=https://ailleurs.example&page=3&x=1&need=se-nourrir"))
    assert parse_qs(kept) == {"q": ["repas"], "need": ["se-nourrir"], "page": ["3"]}


def test_a_service_page_reached_directly_goes_back_to_an_empty_search(client, meals):
    page = client.get(reverse("directory:public_service_detail", args=[meals[0].pk])).content.decode()
    assert f'href="{reverse("directory:public_search")}"' in page

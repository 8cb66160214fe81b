"""The « Affiner » links of the directory's search pages.

Each value of a facet becomes a link to the same search with that filter set to that value: the other
filters are kept, the page goes back to the first (the old page number may not exist any more) and the
empty fields an htmx submission of the form leaves in the address are left out. The value the search
applied is marked, with a link that removes it.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.http import QueryDict

from maillage.directory.search import Facet

register = template.Library()

# Where the form field's value differs from the facet's (« Ouvert maintenant » is a checkbox: "on").
FIELD_VALUES = {"open_now": {"1": "on"}}

# Where the links send the browser: the results, so that after the new page loads the next Tab goes
# on from « Affiner », not from the top of the page.
RESULTS_ANCHOR = "#resultats"


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    url: str
    current: bool
    remove_url: str


def query_with(query: str, name: str, value: str | None) -> str:
    """`query` (a URL query string) with the parameter `name` set to `value`, or removed when
    `value` is None; without `page` and without empty parameters."""
    params = QueryDict(query, mutable=True)
    params.pop("page", None)
    if value is None:
        params.pop(name, None)
    else:
        params.setlist(name, [value])
    for key, values in list(params.lists()):
        kept = [v for v in values if v.strip()]
        if kept:
            params.setlist(key, kept)
        else:
            del params[key]
    return params.urlencode()


def search_url(path: str, query: str) -> str:
    return f"{path}?{query}{RESULTS_ANCHOR}" if query else f"{path}{RESULTS_ANCHOR}"


def applied_value(form, name: str) -> str | None:
    """The facet value of the filter `name` the search applied: the form's cleaned value (a wrong
    value is reported by the form and left out of the search, so it is not « applied »)."""
    cleaned = getattr(form, "cleaned_data", {}).get(name)
    if name == "open_now":
        return "1" if cleaned else None
    return cleaned or None


@register.simple_tag(takes_context=True)
def facet_links(context, group: Facet) -> list[FacetLink]:
    """The links of one « Affiner » group: the values with results, and the applied one in any case."""
    path, query = context["request"].path, context["query"]
    current = applied_value(context["form"], group.name)
    others = query_with(query, group.name, None)  # parsed once per group, not once per value
    remove_url = search_url(path, others)
    links = []
    for facet in group.values:
        if not facet.count and facet.value != current:
            continue
        field_value = FIELD_VALUES.get(group.name, {}).get(facet.value, facet.value)
        links.append(
            FacetLink(
                label=facet.label,
                count=facet.count,
                url=search_url(path, "&".join(p for p in (others, urlencode({group.name: field_value})) if p)),
                current=facet.value == current,
                remove_url=remove_url,
            )
        )
    return links

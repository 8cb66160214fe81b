"""The component layer: `{% load ui %}` gives templates the components, whatever the theme.

Each component is a template per theme, `ui/<theme>/<name>.html` (maillage.ui.themes):
- simple components: `{% ui_button "Enregistrer" %}`, `{% ui_button "Annuler" href=url kind="secondary" %}`,
  `{% ui_button "Envoyer" kind="tertiary" formaction=url %}` (a second submit of the same form),
  `{% ui_badge "Actif" kind="success" %}`, `{% ui_tag "Dijon" %}`, `{% ui_link "Retour" href=url %}`,
  `{% ui_breadcrumb "Accueil" url "Membres" %}` (pairs of label and address, the last label is the
  current page), `{% ui_pagination page_obj query label="Pagination du journal" %}`,
  `{% ui_search action=url label="Rechercher" %}`, `{% ui_tabs items label="…" %}` (items: dicts of
  label, url, current), `{% ui_field form.field %}`, `{% ui_form form %}`;
- components with a body, closed by `{% end… %}`: `ui_alert` (kind, title), `ui_callout` (title),
  `ui_card` (title, href, heading), `ui_table` (caption, caption_hidden, id — an htmx refresh gives the
  focus back to the element of the same id), `ui_fieldset` (legend),
  `ui_button_group`, `ui_summary_list` and `ui_summary_row` (key), `ui_modal` (id, title),
  `ui_grid` and `ui_grid_item` (width: full, half, third, quarter, two-thirds,
  three-quarters), `ui_narrow`;
- `{% ui_class "lead" %}`: the theme's class for a piece of typography or layout (lead, small,
  xs, sr-only, link, page, main, h4…), for the few cases where a component would be overkill;
- `{% ui_include "header" %}`: a part of the page shell, rendered with the page's context;
- `{% ui_print_fonts %}`: the theme's print-font sheet, for printable pages and PDF templates.
"""

from django import template
from django.template.base import token_kwargs
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from maillage.ui import themes

register = template.Library()

CLASSES = {
    themes.NEUTRAL: {
        "page": "govuk-width-container",
        "main": "govuk-main-wrapper ui-main",
        "lead": "govuk-body-l",
        "small": "govuk-body-s",
        "xs": "ui-text-xs",
        "sr-only": "govuk-visually-hidden",
        "link": "govuk-link",
        "h2": "govuk-heading-l",
        "h3": "govuk-heading-m",
        "h4": "govuk-heading-s",
        "h5": "govuk-heading-s",
        "list": "govuk-list govuk-list--bullet",
        "plain-list": "govuk-list",
        "spaced": "govuk-!-margin-top-6",
        "spaced-bottom": "govuk-!-margin-bottom-6",
        "inline-form": "ui-inline-form",
        "dl": "ui-dl",
        "prose": "ui-prose",
        "tag-list": "ui-tag-list",
        "badge-list": "ui-tag-list",
        # A stream of short entries (the notes of a file): a compact block each, not a card.
        "entry-list": "ui-entry-list",
        "entry": "ui-entry",
        "entry-title": "ui-entry__title",
        "entry-body": "ui-entry__body",
        "entry-meta": "ui-entry__meta",
        # Hand-written controls (outside a Django form, or a form's radios bound by form=…).
        "form-group": "govuk-form-group",
        "label": "govuk-label",
        "select": "govuk-select",
        "input": "govuk-input",
        "hint": "govuk-hint",
        "error-text": "govuk-error-message",
        "radios": "govuk-radios govuk-radios--small",
        "radio": "govuk-radios__item",
        "radio-input": "govuk-radios__input",
        "radio-label": "govuk-label govuk-radios__label",
        "checkboxes": "govuk-checkboxes govuk-checkboxes--small",
        "checkbox": "govuk-checkboxes__item",
        "checkbox-input": "govuk-checkboxes__input",
        "checkbox-label": "govuk-label govuk-checkboxes__label",
        "choice-hint": "govuk-hint govuk-!-display-block govuk-!-margin-bottom-0",
        "bold": "govuk-!-font-weight-bold",
        "chip": "govuk-tag ui-tag--neutral",
        "chip-selected": "govuk-tag ui-tag--info",
        "fieldset": "govuk-fieldset",
        "legend": "govuk-fieldset__legend govuk-fieldset__legend--s",
        "search-bar": "ui-search",
        "search-field": "govuk-form-group",
        # A button that the component cannot write (form=…, hx-* attributes).
        "button": "govuk-button",
        "button-secondary-small": "govuk-button govuk-button--secondary ui-button--small",
    },
    themes.DSFR: {
        "page": "fr-container fr-my-4w",
        "main": "",
        "lead": "fr-text--lead",
        "small": "fr-text--sm",
        "xs": "fr-text--xs",
        "sr-only": "fr-sr-only",
        "link": "fr-link",
        "h2": "fr-h2",
        "h3": "fr-h3",
        "h4": "fr-h4",
        "h5": "fr-h6",
        "list": "",
        "plain-list": "fr-raw-list",
        "spaced": "fr-mt-5w",
        "spaced-bottom": "fr-mb-5w",
        "inline-form": "",
        "dl": "maillage-dl",
        "prose": "",
        "tag-list": "fr-tags-group",
        "badge-list": "fr-badges-group",
        "entry-list": "maillage-entry-list",
        "entry": "maillage-entry",
        "entry-title": "maillage-entry__title",
        "entry-body": "maillage-entry__body",
        "entry-meta": "maillage-entry__meta fr-text--sm",
        "form-group": "fr-input-group",
        "label": "fr-label",
        "select": "fr-select",
        "input": "fr-input",
        "hint": "fr-hint-text",
        "error-text": "fr-error-text",
        "radios": "",
        "radio": "fr-radio-group",
        "radio-input": "",
        "radio-label": "fr-label",
        "checkboxes": "",
        "checkbox": "fr-checkbox-group fr-checkbox-group--sm",
        "checkbox-input": "",
        "checkbox-label": "fr-label",
        "choice-hint": "fr-hint-text",
        "bold": "fr-text--bold",
        "chip": "fr-tag",
        "chip-selected": "fr-tag fr-icon-check-line fr-tag--icon-left",
        "fieldset": "fr-fieldset",
        "legend": "fr-fieldset__legend fr-text--regular",
        "search-bar": "fr-search-bar",
        "search-field": "",
        "button": "fr-btn",
        "button-secondary-small": "fr-btn fr-btn--secondary fr-btn--sm",
    },
}


# Every optional parameter of the components, None unless given: the templates test them.
OPTIONAL_PARAMETERS = (
    "caption",
    "caption_hidden",
    "centre",
    "end",
    "heading",
    "href",
    "id",
    "key",
    "kind",
    "legend",
    "opener",
    "role",
    "title",
    "width",
)


def render_component(name: str, values: dict, context=None) -> str:
    """A component's template with its own values only (no context processors: cheap)."""
    values = {**dict.fromkeys(OPTIONAL_PARAMETERS), **values}
    if context is not None:
        values = {"csrf_token": context.get("csrf_token"), **values}
    return mark_safe(get_template(themes.component_template(name)).render(values))  # noqa: S308


@register.simple_tag
def ui_class(name: str) -> str:
    return CLASSES[themes.current_theme()][name]


@register.simple_tag(takes_context=True)
def ui_include(context, name: str) -> str:
    """A part of the shell (header, footer, messages, head, scripts, skiplinks) of the current theme,
    rendered with the page's own context."""
    compiled = context.template.engine.get_template(themes.component_template(name))
    return compiled.render(context)


@register.simple_tag(takes_context=True)
def ui_button(  # noqa: PLR0913
    context,
    label,
    href=None,
    kind="primary",
    type="submit",  # noqa: A002
    name=None,
    value=None,
    sr=None,
    small=False,
    formaction=None,
):
    return render_component(
        "button",
        {
            "formaction": formaction,
            "label": label,
            "href": href,
            "kind": kind,
            "type": type,
            "name": name,
            "value": value,
            "sr": sr,
            "small": small,
        },
        context,
    )


@register.simple_tag(takes_context=True)
def ui_link(context, label, href, sr=None, back=False):
    return render_component("link", {"label": label, "href": href, "sr": sr, "back": back}, context)


@register.simple_tag(takes_context=True)
def ui_badge(context, label, kind="neutral"):
    return render_component("badge", {"label": label, "kind": kind}, context)


@register.simple_tag(takes_context=True)
def ui_tag(context, label):
    return render_component("tag", {"label": label}, context)


@register.simple_tag(takes_context=True)
def ui_breadcrumb(context, *pairs):
    links = [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs) - 1, 2)]
    return render_component("breadcrumb", {"links": links, "current": pairs[-1]}, context)


@register.simple_tag(takes_context=True)
def ui_pagination(context, page_obj, query="", label="Pagination"):
    return render_component("pagination", {"page_obj": page_obj, "query": query, "label": label}, context)


@register.simple_tag(takes_context=True)
def ui_search(context, action, label="Rechercher", name="q", value="", button="Rechercher", input_id="recherche"):
    return render_component(
        "search",
        {"action": action, "label": label, "name": name, "value": value, "button": button, "input_id": input_id},
        context,
    )


@register.simple_tag(takes_context=True)
def ui_tabs(context, items, label):
    return render_component("tabs", {"items": items, "label": label}, context)


@register.simple_tag(takes_context=True)
def ui_field(context, field):
    """A field with its label, hint and errors (the bound field's template follows the theme:
    maillage.core.forms.DsfrBaseForm)."""
    return field.as_field_group()


@register.simple_tag(takes_context=True)
def ui_form(context, form):
    """The form's fields, and in the neutral theme an error summary linking to each field in error."""
    return form.render()


@register.simple_tag
def ui_print_fonts() -> str:
    """The theme's print-font sheet, for printable pages (« Maillage Print » family); PDFs get it from
    maillage.core.pdf whatever their template links."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<link rel="stylesheet" href="{}">', static(themes.print_fonts_stylesheet()))


@register.simple_tag
def ui_error_summary(form, form_snippet=False):
    """The summary of a form's errors, each linking to its field. `form_snippet`: the form's own errors
    are written elsewhere (django-dsfr's form snippet, in the dsfr theme's whole-form rendering)."""
    return render_component("forms/error_summary", {"form": form, "form_snippet": form_snippet})


class ComponentNode(template.Node):
    def __init__(self, name, kwargs, nodelist):
        self.name, self.kwargs, self.nodelist = name, kwargs, nodelist

    def render(self, context):
        values = {key: value.resolve(context) for key, value in self.kwargs.items()}
        values["content"] = mark_safe(self.nodelist.render(context))  # noqa: S308
        return render_component(self.name, values, context)


def _block_component(name):
    def compile_tag(parser, token):
        bits = token.split_contents()
        kwargs = token_kwargs(bits[1:], parser, support_legacy=False)
        if len(kwargs) != len(bits) - 1:
            raise template.TemplateSyntaxError(f"{bits[0]} : paramètres nommés seulement (clé=valeur).")
        nodelist = parser.parse((f"end{bits[0]}",))
        parser.delete_first_token()
        return ComponentNode(name, kwargs, nodelist)

    return compile_tag


for _name in (
    "alert",
    "callout",
    "card",
    "table",
    "fieldset",
    "button_group",
    "summary_list",
    "summary_row",
    "modal",
    "grid",
    "grid_item",
    "narrow",
):
    register.tag(f"ui_{_name}", _block_component(_name))


@register.filter
def ui_field_errors(form) -> list:
    """(bound field, message) for each error of a visible field, in the fields' order."""
    return [(field, error) for field in form.visible_fields() for error in field.errors]


@register.filter
def ui_error_count(form) -> str:
    """« une erreur », « 2 erreurs »: the form's own errors and its fields' errors, as the summary counts them."""
    count = len(form.non_field_errors()) + sum(len(field.errors) for field in form)
    return "une erreur" if count == 1 else f"{count} erreurs"

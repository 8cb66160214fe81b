"""Forms in each theme: GOV.UK field groups (label, hint, error naming the field, aria-describedby,
an error summary linking to the fields) in neutral, django-dsfr's in the DSFR theme."""

import pytest
from django.template import Context, Template

from maillage.core.forms import LoginForm, MemberFilterForm


def _render(source, **context):
    return Template("{% load ui %}" + source).render(Context(context))


def test_neutral_field_has_label_hint_error_and_describedby():
    form = LoginForm(data={"username": "", "password": ""})
    form.is_valid()
    html = _render("{% ui_field form.username %}", form=form)
    assert '<label class="govuk-label" for="id_username">Adresse électronique</label>' in html
    assert '<div class="govuk-hint" id="id_username_helptext">' in html
    assert '<p class="govuk-error-message" id="id_username_error">' in html
    assert 'aria-describedby="id_username_helptext id_username_error"' in html
    assert 'aria-invalid="true"' in html
    assert "govuk-input govuk-input--error" in html
    assert "fr-" not in html


def test_neutral_form_starts_with_an_error_summary_linking_to_each_field():
    form = LoginForm(data={"username": "", "password": ""})
    form.is_valid()
    html = _render("{% ui_form form %}", form=form)
    assert html.index("govuk-error-summary") < html.index("govuk-form-group")
    assert '<a href="#id_username">Adresse électronique : Ce champ est obligatoire.</a>' in html
    assert '<a href="#id_password">Mot de passe : Ce champ est obligatoire.</a>' in html


def test_neutral_select_and_optional_marks():
    html = _render("{% ui_field form.role %}", form=MemberFilterForm())
    assert 'class="govuk-select"' in html
    assert "(facultatif)" not in html  # a filter form: every field is optional, no noise


@pytest.fixture
def dsfr(settings):
    settings.MAILLAGE_THEME = "dsfr"
    settings.MAILLAGE_STATE_SERVICE = "Ministère des Solidarités"


def test_dsfr_theme_renders_django_dsfr_field_groups(dsfr):
    form = LoginForm(data={"username": "", "password": ""})
    form.is_valid()
    html = _render("{% ui_form form %}", form=form)
    assert "fr-input-group fr-input-group--error" in html and 'class="fr-input"' in html
    assert '<a href="#id_username">Adresse électronique : Ce champ est obligatoire.</a>' in html
    assert "govuk-" not in html


def test_components_render_per_theme(settings):
    source = (
        '{% ui_button "Enregistrer" %}{% ui_badge "Actif" kind="success" %}'
        '{% ui_alert kind="error" title="Oups" %}<p>x</p>{% endui_alert %}'
    )
    neutral = _render(source)
    assert (
        'class="govuk-button"' in neutral and "govuk-tag ui-tag--success" in neutral and "ui-alert--error" in neutral
    )
    settings.MAILLAGE_THEME = "dsfr"
    settings.MAILLAGE_STATE_SERVICE = "Ministère des Solidarités"
    dsfr = _render(source)
    assert 'class="fr-btn"' in dsfr and "fr-badge--success" in dsfr and "fr-alert--error" in dsfr


def test_print_fonts_tag_links_the_theme_sheet(settings):
    assert 'href="/static/ui/print/neutral.css"' in _render("{% ui_print_fonts %}")
    settings.MAILLAGE_THEME = "dsfr"
    settings.MAILLAGE_STATE_SERVICE = "Ministère des Solidarités"
    assert 'href="/static/ui/print/dsfr.css"' in _render("{% ui_print_fonts %}")


def test_no_e_mail_template_carries_a_state_mark():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "maillage"
    for path in root.rglob("templates/**/emails/*.txt"):
        text = path.read_text(encoding="utf-8")
        assert "République" not in text and "Marianne" not in text, path


EVERY_COMPONENT = (
    '{% ui_card title="x" %}y{% endui_card %}{% ui_grid %}{% ui_grid_item %}z{% endui_grid_item %}{% endui_grid %}'
    '{% ui_alert %}a{% endui_alert %}{% ui_button "b" %}{% ui_button "b" href="/" %}{% ui_link "l" href="/" %}'
    '{% ui_badge "x" %}{% ui_tag "t" %}{% ui_breadcrumb "Accueil" "/" "Ici" %}{% ui_search action="/" %}'
    '{% ui_tabs items label="Onglets" %}{% ui_callout %}c{% endui_callout %}'
    '{% ui_table caption="t" %}{% endui_table %}'
    '{% ui_fieldset legend="l" %}{% endui_fieldset %}{% ui_modal id="m" title="t" opener="o" %}{% endui_modal %}'
    "{% ui_narrow %}{% endui_narrow %}{% ui_button_group %}{% endui_button_group %}"
    '{% ui_summary_list %}{% ui_summary_row key="k" %}v{% endui_summary_row %}{% endui_summary_list %}'
    "{% ui_pagination page_obj %}"
)


@pytest.mark.parametrize("theme", ["neutral", "dsfr"])
def test_every_component_renders_with_its_defaults(settings, theme):
    from django.core.paginator import Paginator

    settings.MAILLAGE_THEME = theme
    settings.MAILLAGE_STATE_SERVICE = "Ministère des Solidarités"
    page_obj = Paginator(list(range(30)), 10).page(2)
    html = _render(EVERY_COMPONENT, items=[{"label": "A", "url": "/", "current": True}], page_obj=page_obj)
    assert "INVALID_TEMPLATE_VARIABLE" not in html
    assert ("govuk-" in html) is (theme == "neutral") and ("fr-" in html) is (theme == "dsfr")


def test_neutral_multiple_checkboxes_are_checkboxes_not_radios():
    """Django's CheckboxSelectMultiple derives from RadioSelect: a list of checkboxes (the reception's
    subjects) must not be drawn as radios, which announce a single choice."""
    from django import forms

    from maillage.core.forms import DsfrBaseForm

    class Subjects(DsfrBaseForm):
        subjects = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple)

    html = _render("{% ui_field form.subjects %}", form=Subjects())
    assert "govuk-checkboxes__input" in html and "govuk-checkboxes" in html
    assert "govuk-radios" not in html

"""The theme settings and their start-up check: the DSFR only for a named State service."""

import pytest

from maillage.ui import themes
from maillage.ui.checks import check_theme


def test_neutral_is_the_default(settings):
    del settings.MAILLAGE_THEME
    assert themes.current_theme() == "neutral"
    assert check_theme() == []


def test_dsfr_without_a_state_service_is_refused_in_french(settings):
    settings.MAILLAGE_THEME = "dsfr"
    settings.MAILLAGE_STATE_SERVICE = "  "
    errors = check_theme()
    assert [error.id for error in errors] == ["maillage.E102"]
    assert "réservé aux sites de l'État" in errors[0].msg
    assert "MAILLAGE_STATE_SERVICE" in errors[0].msg
    # Until it is fixed, no page wears the State's identity.
    assert themes.current_theme() == "neutral"


def test_dsfr_for_a_named_state_service(settings):
    settings.MAILLAGE_THEME = "dsfr"
    settings.MAILLAGE_STATE_SERVICE = "Ministère des Solidarités"
    assert check_theme() == []
    assert themes.current_theme() == "dsfr"
    assert themes.component_template("button") == "ui/dsfr/button.html"


def test_an_unknown_theme_is_refused(settings):
    settings.MAILLAGE_THEME = "bleu"
    assert [error.id for error in check_theme()] == ["maillage.E101"]
    assert themes.current_theme() == "neutral"


def test_the_check_runs_with_manage_py_check(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.MAILLAGE_THEME = "dsfr"
    settings.MAILLAGE_STATE_SERVICE = ""
    with pytest.raises(SystemCheckError, match="maillage.E102"):
        call_command("check")


@pytest.mark.parametrize(("theme", "fonts"), [("neutral", "atkinson-hyperlegible"), ("dsfr", "Marianne")])
def test_print_fonts_follow_the_theme(settings, theme, fonts):
    settings.MAILLAGE_THEME = theme
    settings.MAILLAGE_STATE_SERVICE = "Ministère des Solidarités"
    assert all(fonts in name for name in themes.print_font_files().values())
    assert themes.print_fonts_stylesheet() == f"ui/print/{theme}.css"

"""The design system a deployment wears (docs/decisions.md, item 35).

- `neutral` (default): GOV.UK Frontend restyled as the deploying organisation's own (its name, logo
  and colour from `ui.SiteIdentity`, the Atkinson Hyperlegible font), for communes, CCAS, CIAS,
  CLIC, associations and any operator;
- `dsfr`: the State's design system (django-dsfr), **only** for a State service: its terms forbid
  it to anyone else (« Utilisation interdite en dehors des sites Internet de l'État »), so the
  deployment names its ministry or service in MAILLAGE_STATE_SERVICE, shown in the header's
  « République française » block; `dsfr` without it is refused by a system check.

Read at each call, never cached, so that tests may switch themes with the `settings` fixture.
"""

from django.conf import settings

NEUTRAL = "neutral"
DSFR = "dsfr"
THEMES = (NEUTRAL, DSFR)


def current_theme() -> str:
    """The theme of this deployment; an unknown value (refused by the checks) reads as neutral, so that
    no page ever wears the State's identity by mistake."""
    theme = getattr(settings, "MAILLAGE_THEME", NEUTRAL)
    if theme == DSFR and state_service():
        return DSFR
    return NEUTRAL


def state_service() -> str:
    """The ministry or service named for the DSFR header block (« Ministère des Solidarités »…)."""
    return (getattr(settings, "MAILLAGE_STATE_SERVICE", "") or "").strip()


def is_dsfr() -> bool:
    return current_theme() == DSFR


def component_template(name: str) -> str:
    """The template of component `name` in the current theme: `ui/<theme>/<name>.html`."""
    return f"ui/{current_theme()}/{name}.html"


# The fonts of the PDFs (plans, directory selections): the theme's, never Marianne in neutral.
PRINT_FONTS = {
    NEUTRAL: {
        "regular": "vendor/atkinson-hyperlegible/latin-400-normal.woff2",
        "bold": "vendor/atkinson-hyperlegible/latin-700-normal.woff2",
    },
    DSFR: {"regular": "dsfr/dist/fonts/Marianne-Regular.woff2", "bold": "dsfr/dist/fonts/Marianne-Bold.woff2"},
}


def print_font_files() -> dict[str, str]:
    """The static names of the current theme's print fonts, by weight (« regular », « bold »)."""
    return PRINT_FONTS[current_theme()]


def print_fonts_stylesheet() -> str:
    """The static stylesheet declaring the « Maillage Print » family in the current theme's font; the
    print stylesheets name that family, and every PDF gets this sheet (maillage.core.pdf)."""
    return f"ui/print/{current_theme()}.css"

"""A badge of the neutral theme stays on one line: govuk-frontend caps `.govuk-tag` at 160px, which
broke « Révision dépassée » on the coordinator's dashboard in two, its list bullet left above it."""

from pathlib import Path

import maillage

NEUTRAL_CSS = Path(maillage.__file__).parent / "ui" / "static" / "ui" / "neutral" / "neutral.css"


def test_compiled_neutral_css_lifts_govuk_s_cap_on_the_width_of_a_badge():
    css = NEUTRAL_CSS.read_text()
    assert ".govuk-tag[class*=ui-tag--]{max-width:none}" in css
    # Written after govuk-frontend's cap, and with a higher specificity: it wins both ways.
    assert css.index(".govuk-tag[class*=ui-tag--]{max-width:none}") > css.index("max-width:160px")

"""Accessibility audit with axe-core, the copy bundled in axe-playwright-python (no network call).

`assert_accessible(page, name)` runs axe in the page as it is now and fails, listing them, on every
violation whose impact is "serious" or "critical" (RGAA / WCAG 2.1 AA rules and best practices).

The pages' content security policy (script-src 'self' + nonce, no 'unsafe-eval') does not get in the
way: Playwright's `page.evaluate` goes through the DevTools protocol, which the policy does not
govern, and axe's few `new Function` calls are made from that evaluated code too. The tests check
it (they fail on any console error, a CSP refusal included), so no `bypass_csp` context is needed.

With MAILLAGE_E2E_SCREENSHOTS=/some/folder, each audited page is also saved there as a full-page
screenshot, to look at (never inside the repository).
"""

import json
import os
import re
import unicodedata
from pathlib import Path

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# MAILLAGE_E2E_AXE_IMPACTS=minor,moderate,serious,critical makes the audit stricter, for a review.
BLOCKING_IMPACTS = tuple(os.environ.get("MAILLAGE_E2E_AXE_IMPACTS", "serious,critical").split(","))

# WCAG 2.0/2.1/2.2 A and AA, plus axe's best practices (landmarks, headings, skip links…).
RUN_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


# True once the theme's script has set the page up for the viewport's current width. Axe must not
# audit the markup the script is about to change: on a loaded machine the DSFR starts after the
# « load » event, and adapts its header to a new width a frame or more after the resize. Until then
# the header's menu (`.fr-header__menu.fr-modal`) carries the `aria-labelledby` that the DSFR keeps
# on a phone (where it is a dialog) and removes on a wide screen (where it is a plain block): axe
# then reports « aria-prohibited-attr » on a page that has no fault. The DSFR also copies the
# header's tool links into that menu. GOV.UK Frontend (neutral theme) marks each component it has
# initialised with `data-<module>-init`. A page without the theme's scripts (the standalone 500
# page, printouts) has nothing to wait for.
THEME_SCRIPTS_READY = """() => {
  const html = document.documentElement;
  if (html.classList.contains("ui-dsfr")) {
    if (html.getAttribute("data-fr-js") !== "true") return false;
    const pending = ".fr-modal:not([data-fr-js-modal]), .fr-collapse:not([data-fr-js-collapse]),"
      + " .fr-header__menu.fr-modal:not([data-fr-js-header-modal]),"
      + " .fr-header__tools-links:not([data-fr-js-header-links])";
    if (document.querySelector(pending)) return false;
    const wide = window.matchMedia("(min-width: 62em)").matches;  // the DSFR's « lg » breakpoint
    for (const menu of document.querySelectorAll("[data-fr-js-header-modal]")) {
      if (menu.hasAttribute("aria-labelledby") === wide) return false;
    }
    return true;
  }
  if (html.classList.contains("ui-neutral")) {
    if (!document.body || !document.body.classList.contains("govuk-frontend-supported")) return false;
    for (const root of document.querySelectorAll('[data-module="govuk-service-navigation"]')) {
      if (!root.hasAttribute("data-govuk-service-navigation-init")) return false;
    }
  }
  return true;
}"""


def wait_for_theme_scripts(page) -> None:
    """Wait until the theme's script (DSFR or GOV.UK Frontend) has set the page up, at this width."""
    page.wait_for_function(THEME_SCRIPTS_READY)


def axe_violations(page) -> list[dict]:
    """Every violation axe finds in the page, whatever its impact. A click just before may have
    started a navigation: the page is then audited once the new document has loaded and the theme's
    script has set it up."""
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            wait_for_theme_scripts(page)
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.evaluate(AXE_SCRIPT)
            results = page.evaluate(f"() => axe.run(document, {json.dumps(RUN_OPTIONS)})")
            return results["violations"]
        except PlaywrightTimeoutError:
            raise
        except PlaywrightError:  # the document was replaced while axe ran
            if attempt == 2:
                raise
            page.wait_for_timeout(200)
    return []  # pragma: no cover


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}) : {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    · {target} : {node['html'][:200]}")
            summary = node.get("failureSummary")
            if summary:
                lines.extend(f"        {line}" for line in summary.splitlines())
    return "\n".join(lines)


def assert_accessible(page, name: str) -> None:
    """Fail when axe finds a serious or critical violation in the page `name` (a label for the report)."""
    folder = os.environ.get("MAILLAGE_E2E_SCREENSHOTS")
    if folder:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
        # caret="initial": Playwright otherwise hides the caret with an inline style, which the
        # content security policy refuses (a console error that failed DSFR pages now and then).
        page.screenshot(path=str(Path(folder) / f"{slug}.png"), full_page=True, caret="initial")
    _assert_no_blocking(page, name)
    # Every audited page is audited at a phone's width too (375 px: reflow, scrolling regions, targets).
    viewport = page.viewport_size
    if viewport and viewport["width"] > PHONE_WIDTH:
        page.set_viewport_size({"width": PHONE_WIDTH, "height": viewport["height"]})
        try:
            _assert_no_blocking(page, f"{name} (375 px)")
        finally:
            page.set_viewport_size(viewport)


PHONE_WIDTH = 375


def _assert_no_blocking(page, name: str) -> None:
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (
        f"Page « {name} » ({page.url}) : {len(blocking)} défaut(s) d'accessibilité ({', '.join(BLOCKING_IMPACTS)}) :\n"
        + format_violations(blocking)
    )

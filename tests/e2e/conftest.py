"""Browser tests: Debian's Chromium driven by Playwright (sync API) against pytest-django's live server.

One browser for the whole session, a fresh context (cookies, storage) per test. Never a downloaded
browser: without /usr/bin/chromium the browser tests are skipped, with the reason.
"""

import os
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

# Playwright's sync API runs an event loop in the test thread: Django would refuse ORM calls made
# from it (factories, assertions) without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Un-mot-de-passe-solide-1"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"Tests navigateur ignorés : Chromium est absent ({CHROMIUM}). "
            "Installez le paquet Debian « chromium » (sudo apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


STATE_SERVICE = "Ministère des Solidarités"


@pytest.fixture(params=["neutral", "dsfr"])
def theme(request, settings):
    """Run a test on both themes: the live server runs in this process and reads the settings at each
    request (maillage.ui.themes)."""
    settings.MAILLAGE_THEME = request.param
    settings.MAILLAGE_STATE_SERVICE = STATE_SERVICE if request.param == "dsfr" else ""
    return request.param


@pytest.fixture
def context(browser, live_server, transactional_db):
    # Browser tests commit for real and the database is emptied after each one: the vocabularies
    # a data migration loaded are gone for the next test, so load them again (idempotent).
    from django.core.management import call_command

    call_command("load_taxonomies", verbosity=0)
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const target = event.target;
  const element = target && target.outerHTML ? target.outerHTML.slice(0, 200) : String(target);
  const where = `${event.sourceFile}:${event.lineNumber}`;
  console.error(
    `Refus CSP ${event.violatedDirective} : « ${event.sample} » (${where}) sur ${element} — page ${location.pathname}`
  );
});
"""


@pytest.fixture
def page(context):
    """A page that records what the browser console reports as errors (a script or style refused by
    the content security policy shows up there) and fails the test if there is any."""
    page = context.new_page()
    errors = []

    def on_console(message):
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location.get("url") == page.url:
            return  # the document itself answered an error status (a 404 page under test)
        errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    # What a content-security refusal was about: the browser's own message names no element.
    page.add_init_script(CSP_REPORTER)
    page.console_errors = errors
    yield page
    if errors:
        pytest.fail("Erreurs dans la console du navigateur :\n" + "\n".join(errors))


def current_totp(device: TOTPDevice) -> str:
    """The code the user's authenticator application shows now."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(code).zfill(device.digits)


@pytest.fixture
def login_as(context, live_server):
    """`login_as(user)`: put a session that passed both factors into the browser's cookie jar,
    without going through the login pages (those have their own journey)."""
    from django.conf import settings
    from django.test import Client

    from tests.conftest import login_verified

    def login(user):
        client = login_verified(Client(), user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return user

    return login

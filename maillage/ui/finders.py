"""A static-files finder for the few files of the npm packages the neutral theme uses.

Only the listed files are served, under `vendor/`: GOV.UK Frontend's script and the Atkinson
Hyperlegible fonts. Never GOV.UK's crown, crest or Transport font, reserved to GOV.UK services, and
never a whole package folder.
"""

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

NODE_MODULES = settings.BASE_DIR / "node_modules"

_FONT = "@fontsource/atkinson-hyperlegible/files/atkinson-hyperlegible-{subset}-{weight}-{style}.woff2"
VENDOR_FILES = {
    "vendor/govuk-frontend/govuk-frontend.min.js": NODE_MODULES / "govuk-frontend/dist/govuk/govuk-frontend.min.js",
    **{
        f"vendor/atkinson-hyperlegible/{subset}-{weight}-{style}.woff2": NODE_MODULES
        / _FONT.format(subset=subset, weight=weight, style=style)
        for subset in ("latin", "latin-ext")
        for weight in ("400", "700")
        for style in ("normal", "italic")
    },
}


class VendorFinder(BaseFinder):
    def check(self, **kwargs):
        return []  # maillage.ui.checks says when npm ci was not run

    def find(self, path, find_all=False, **kwargs):
        found = VENDOR_FILES.get(path)
        if found is None or not found.is_file():
            return []  # as Django's finders: staticfiles.finders.find reads [] as « not here »
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns):
        for name, path in VENDOR_FILES.items():
            if path.is_file():
                yield name, _SingleFileStorage(name, path)


class _SingleFileStorage(FileSystemStorage):
    """collectstatic copies `storage.path(name)`: one file, under its vendor name."""

    def __init__(self, name, path):
        super().__init__(location=str(NODE_MODULES))
        self._name, self._path = name, path

    def path(self, name):
        return str(self._path) if name == self._name else super().path(name)

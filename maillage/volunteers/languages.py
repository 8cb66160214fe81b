"""The languages a caller may speak besides French (French is implied: every caller speaks it).

The codes and the labels are the directory's (ISO 639-1, or ISO 639-3 where there is none: ``fsl`` is the
French sign language), so that a person's language, a service's and a caller's can be matched one day."""

from maillage.directory.languages import LANGUAGES as SPOKEN

# Every language the directory knows but French: a person's call language is chosen from the same
# list (register.forms.entries.CALL_LANGUAGES), and a call in a language no caller could declare would
# wait in the shared pool for ever.
LANGUAGES: tuple[tuple[str, str], ...] = tuple((code, name) for code, name in SPOKEN if code != "fr")
LANGUAGE_NAMES: dict[str, str] = dict(LANGUAGES)


def language_labels(codes) -> list[str]:
    """French names of the codes, in the list's order (« Anglais », « Arabe »)."""
    return [label for code, label in LANGUAGES if code in set(codes)]

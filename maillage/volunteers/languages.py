"""The languages a caller may speak besides French (French is implied: every caller speaks it).

The codes are the directory's (ISO 639-1, or ISO 639-3 where there is none: ``fsl`` is the French sign
language), so that a person's language, a service's and a caller's can be matched one day; the labels
are French."""

LANGUAGES: tuple[tuple[str, str], ...] = (
    ("fsl", "Langue des signes française (LSF)"),
    ("en", "Anglais"),
    ("ar", "Arabe"),
    ("kab", "Kabyle"),
    ("es", "Espagnol"),
    ("pt", "Portugais"),
    ("it", "Italien"),
    ("de", "Allemand"),
    ("br", "Breton"),
    ("ro", "Roumain"),
    ("pl", "Polonais"),
    ("ru", "Russe"),
    ("uk", "Ukrainien"),
    ("tr", "Turc"),
    ("fa", "Persan (farsi, dari)"),
    ("zh", "Chinois"),
    ("vi", "Vietnamien"),
    ("wo", "Wolof"),
)
LANGUAGE_NAMES: dict[str, str] = dict(LANGUAGES)


def language_labels(codes) -> list[str]:
    """French names of the codes, in the list's order (« Anglais », « Arabe »)."""
    return [label for code, label in LANGUAGES if code in set(codes)]

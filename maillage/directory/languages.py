"""The languages of the directory's services, of a person's file (the register's call language) and of the
callers: one list, in plain Python so that models may import it."""

# The languages most spoken by the people French social services receive, with their French names
# (codes ISO 639-1, or ISO 639-3 where there is none: fsl is the French sign language).
LANGUAGES = [
    ("fr", "Français"),
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
    ("ps", "Pachto"),
    ("zh", "Chinois"),
    ("vi", "Vietnamien"),
    ("ta", "Tamoul"),
    ("wo", "Wolof"),
    ("bm", "Bambara"),
    ("ln", "Lingala"),
    ("sq", "Albanais"),
    ("hy", "Arménien"),
    ("ka", "Géorgien"),
]
LANGUAGE_NAMES = dict(LANGUAGES)

from maillage.core.models import Organisation
from maillage.volunteers import charter


def test_a_change_of_the_text_needs_a_new_version():
    """Signatures are per version: the text cannot change while the version stays (every caller must
    sign the new text). Changing the text: bump charter.VERSION and set TEXT_FINGERPRINT."""
    assert charter.fingerprint() == charter.TEXT_FINGERPRINT, (
        "Le texte de la charte a changé : changez charter.VERSION et TEXT_FINGERPRINT."
    )


def test_charter_covers_what_the_issue_asks():
    text = " ".join(" ".join((heading, *paragraphs)) for heading, paragraphs in charter.SECTIONS)
    for words in (
        "confidentiel",
        "pendant un appel qui m'est confié",
        "ne les copie pas",
        "santé",
        "aides",
        "15 (SAMU) ou le 112",
        "préviens sans attendre le ou la gestionnaire du registre",
        "choix de la personne",
        "{contact}",
    ):
        assert words in text, words


def test_contact_is_the_organisations():
    organisation = Organisation(name="CCAS de Rennes", phone="02 99 00 00 00", email="accueil@ccas.fr")
    last = charter.sections(organisation)[-1][1][0]
    assert last == (
        "Pour toute question ou difficulté, je m'adresse à ma structure : "
        "CCAS de Rennes, 02 99 00 00 00, accueil@ccas.fr."
    )
    bare = charter.contact_sentence(Organisation(name="CCAS de Rennes"))
    assert bare.endswith("CCAS de Rennes, par le ou la gestionnaire du registre.")

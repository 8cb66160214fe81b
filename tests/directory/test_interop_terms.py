"""How a producer's vocabulary is recognised (interop.terms): the words of its name, identifier
or URI, whatever their order, accents, punctuation or brand (DORA, di)."""

import pytest

from maillage.directory.interop.terms import TermMatcher, vocabulary_words
from maillage.directory.models import Taxonomy, TaxonomyTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def matcher():
    return TermMatcher(TaxonomyTerm.objects.select_related("taxonomy"), Taxonomy.objects.all())


@pytest.mark.parametrize(
    ("written", "slug"),
    [
        ("data·inclusion thématiques", Taxonomy.DI_THEMATIQUES),
        ("Thématiques data.inclusion", Taxonomy.DI_THEMATIQUES),
        ("thematiques-dora", Taxonomy.DI_THEMATIQUES),
        ("DORA - Thèmes", Taxonomy.DI_THEMATIQUES),
        ("Thématiques DataInclusion (v1)", Taxonomy.DI_THEMATIQUES),
        ("https://data-inclusion-schema.readthedocs.io/latest/referentiels/thematiques", Taxonomy.DI_THEMATIQUES),
        ("data·inclusion : typologies de services", Taxonomy.DI_TYPES),
        ("Publics (data·inclusion)", Taxonomy.DI_PUBLICS),
        ("Publics", Taxonomy.PUBLICS),
        ("Les 10 besoins essentiels (guide VISA)", Taxonomy.NEEDS),
        ("Domaines d'information des CLIC", Taxonomy.DOMAINS),
        ("AIRS/211 Taxonomy", None),
        ("data·inclusion", None),  # which of its vocabularies: the term's code will tell
        ("", None),
    ],
)
def test_a_vocabulary_is_recognised_by_its_words(matcher, written, slug):
    assert matcher.vocabulary(written) == slug


def test_vocabulary_words_ignore_order_accents_and_noise():
    assert vocabulary_words("Thématiques data·inclusion") == vocabulary_words("data-inclusion thematiques")
    assert vocabulary_words("https://www.example.org/taxonomie/") == frozenset({"example"})

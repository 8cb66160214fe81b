from django.core.management import call_command

from maillage.directory.models import Taxonomy, TaxonomyTerm
from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from tests.directory.factories import term


def test_migration_loads_the_ten_essential_needs_in_the_guide_order(db):
    needs = list(TaxonomyTerm.objects.filter(taxonomy__slug=Taxonomy.NEEDS).order_by("position"))
    assert [n.name for n in needs] == [name for _, name in ESSENTIAL_NEEDS]
    assert len(needs) == 10
    assert needs[0].name == "Se nourrir"
    assert needs[-1].name == "Maintenir des rituels symboliques ou spirituels"


def test_clic_domains_and_data_inclusion_vocabularies_are_loaded(db):
    assert TaxonomyTerm.objects.filter(taxonomy__slug=Taxonomy.DOMAINS).count() == 10
    assert TaxonomyTerm.objects.filter(taxonomy__slug=Taxonomy.DI_TYPES, code="aide-materielle").exists()
    thematique = term(Taxonomy.DI_THEMATIQUES, "famille--soutien-aidants")
    assert thematique.parent.code == "famille"


def test_needs_and_domains_map_to_data_inclusion_thematiques(db):
    assert [t.code for t in term(Taxonomy.NEEDS, "se-nourrir").mapped_terms.all()] == [
        "equipement-et-alimentation--alimentation"
    ]
    aidants = term(Taxonomy.DOMAINS, "soutien-aux-aidants")
    assert list(aidants.mapped_terms.values_list("code", flat=True)) == ["famille--soutien-aidants"]


def test_load_taxonomies_is_idempotent(db):
    before = TaxonomyTerm.objects.count()
    mappings = TaxonomyTerm.mapped_terms.through.objects.count()
    call_command("load_taxonomies", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_taxonomies", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert TaxonomyTerm.objects.count() == before
    assert TaxonomyTerm.mapped_terms.through.objects.count() == mappings

"""The managed vocabularies of the directory and their cross-walk to data·inclusion.

`load_taxonomies` is idempotent: it creates or updates every vocabulary and term, and the mapping.
It takes the model classes so that the data migration (historical models) and the command
`load_taxonomies` share it.
"""

from data_inclusion.schema import v1 as di

# Guide VISA (« Veille contre l'isolement social des âgés », 2020), § 4 : « Un plan d'actions autour
# des dix besoins essentiels des personnes âgées » — libellés du guide, dans son ordre.
ESSENTIAL_NEEDS = [
    ("se-nourrir", "Se nourrir"),
    ("prendre-soin-de-soi-et-se-soigner", "Prendre soin de soi et se soigner"),
    ("etre-informe-et-ecoute", "Être informé et écouté"),
    ("parler-avec-autrui", "Parler avec autrui"),
    ("pouvoir-sortir-et-maintenir-une-activite-physique", "Pouvoir sortir et maintenir une activité physique"),
    ("retirer-de-l-argent", "Retirer de l'argent"),
    ("se-premunir-des-arnaques", "Se prémunir des arnaques"),
    ("s-occuper-et-se-cultiver", "S'occuper et se cultiver"),
    ("organiser-sa-vie-quotidienne", "Organiser sa vie quotidienne"),
    ("maintenir-des-rituels-symboliques-ou-spirituels", "Maintenir des rituels symboliques ou spirituels"),
]

# The information domains of a CLIC.
CLIC_DOMAINS = [
    ("aides-financieres", "Aides financières"),
    ("maintien-a-domicile", "Maintien à domicile"),
    ("amenagement-du-logement", "Aménagement du logement"),
    ("hebergement", "Hébergement"),
    ("protection-juridique", "Protection juridique"),
    ("loisirs", "Loisirs"),
    ("vie-sociale", "Vie sociale"),
    ("sante", "Santé"),
    ("transport", "Transport"),
    ("soutien-aux-aidants", "Soutien aux aidants"),
]

# Who a service is for (eligibility). Mapped to data·inclusion « publics ».
PUBLICS = [
    ("tous-publics", "Tous publics"),
    ("personnes-agees", "Personnes âgées"),
    ("personnes-handicapees", "Personnes en situation de handicap"),
    ("aidants", "Aidants et proches"),
    ("personnes-isolees", "Personnes isolées"),
    ("personnes-en-precarite", "Personnes en situation de précarité"),
    ("familles", "Familles"),
    ("jeunes", "Jeunes"),
]

_T = di.Thematique
MAPPING: dict[tuple[str, str], list[str]] = {
    # Ten essential needs → data·inclusion thématiques
    ("besoins-essentiels", "se-nourrir"): [_T.EQUIPEMENT_ET_ALIMENTATION__ALIMENTATION],
    ("besoins-essentiels", "prendre-soin-de-soi-et-se-soigner"): [_T.SANTE__ACCES_AUX_SOINS, _T.SANTE__SANTE_MENTALE],
    ("besoins-essentiels", "etre-informe-et-ecoute"): [
        _T.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES__ACCOMPAGNEMENT_POUR_LACCES_AUX_DROITS,
        _T.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES__ACCOMPAGNEMENT_AUX_DEMARCHES_ADMINISTRATIVES,
    ],
    ("besoins-essentiels", "parler-avec-autrui"): [_T.REMOBILISATION__LIEN_SOCIAL],
    ("besoins-essentiels", "pouvoir-sortir-et-maintenir-une-activite-physique"): [
        _T.REMOBILISATION__ACTIVITES_SPORTIVES_ET_CULTURELLES,
        _T.MOBILITE__UTILISER_DES_SERVICES_DE_MOBILITE_DOUCE_PARTAGEE_COLLECTIVE,
    ],
    ("besoins-essentiels", "retirer-de-l-argent"): [_T.DIFFICULTES_FINANCIERES__AMELIORER_SA_GESTION_BUDGETAIRE],
    ("besoins-essentiels", "se-premunir-des-arnaques"): [
        _T.DIFFICULTES_FINANCIERES__PREVENIR_UNE_DEGRADATION_DE_LA_SITUATION_FINANCIERE,
        _T.NUMERIQUE__MAITRISER_LES_FONDAMENTAUX_DU_NUMERIQUE,
    ],
    ("besoins-essentiels", "s-occuper-et-se-cultiver"): [_T.REMOBILISATION__ACTIVITES_SPORTIVES_ET_CULTURELLES],
    ("besoins-essentiels", "organiser-sa-vie-quotidienne"): [
        _T.EQUIPEMENT_ET_ALIMENTATION__AIDE_MENAGERE,
        _T.MOBILITE__ETRE_ACCOMPAGNE_DANS_SON_PARCOURS_MOBILITE,
        _T.NUMERIQUE__ACCEDER_A_DES_SERVICES_EN_LIGNE,
    ],
    ("besoins-essentiels", "maintenir-des-rituels-symboliques-ou-spirituels"): [
        _T.REMOBILISATION__BIEN_ETRE_CONFIANCE_EN_SOI
    ],
    # CLIC domains → data·inclusion thématiques
    ("domaines-clic", "aides-financieres"): [
        _T.DIFFICULTES_FINANCIERES__PREVENIR_UNE_DEGRADATION_DE_LA_SITUATION_FINANCIERE,
        _T.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES__ACCOMPAGNEMENT_POUR_LACCES_AUX_DROITS,
    ],
    ("domaines-clic", "maintien-a-domicile"): [
        _T.EQUIPEMENT_ET_ALIMENTATION__AIDE_MENAGERE,
        _T.FAMILLE__PRISE_EN_CHARGE_PERSONNE_DEPENDANTE,
    ],
    ("domaines-clic", "amenagement-du-logement"): [_T.LOGEMENT_HEBERGEMENT__SE_MAINTENIR_DANS_LE_LOGEMENT],
    ("domaines-clic", "hebergement"): [
        _T.LOGEMENT_HEBERGEMENT__RECHERCHER_UNE_SOLUTION_DHEBERGEMENT_TEMPORAIRE,
        _T.LOGEMENT_HEBERGEMENT__CHANGER_DE_LOGEMENT,
    ],
    ("domaines-clic", "protection-juridique"): [
        _T.DIFFICULTES_FINANCIERES__METTRE_EN_PLACE_UNE_MESURE_DE_PROTECTION_FINANCIERE,
        _T.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES__BENEFICIER_DUNE_MESURE_DACCOMPAGNEMENT_ADAPTE,
    ],
    ("domaines-clic", "loisirs"): [_T.REMOBILISATION__ACTIVITES_SPORTIVES_ET_CULTURELLES],
    ("domaines-clic", "vie-sociale"): [_T.REMOBILISATION__LIEN_SOCIAL, _T.REMOBILISATION__BENEVOLAT_ACTION_CITOYENNE],
    ("domaines-clic", "sante"): [
        _T.SANTE__ACCES_AUX_SOINS,
        _T.SANTE__SANTE_MENTALE,
        _T.SANTE__CONSTITUER_UN_DOSSIER_MDPH_INVALIDITE,
    ],
    ("domaines-clic", "transport"): [
        _T.MOBILITE__UTILISER_DES_SERVICES_DE_MOBILITE_DOUCE_PARTAGEE_COLLECTIVE,
        _T.MOBILITE__ETRE_ACCOMPAGNE_DANS_SON_PARCOURS_MOBILITE,
    ],
    ("domaines-clic", "soutien-aux-aidants"): [_T.FAMILLE__SOUTIEN_AIDANTS],
}

_P = di.Public
PUBLICS_MAPPING: dict[str, list[str]] = {
    "tous-publics": [_P.TOUS_PUBLICS],
    "personnes-agees": [_P.SENIORS],
    "personnes-handicapees": [_P.PERSONNES_EN_SITUATION_DE_HANDICAP],
    "aidants": [_P.FAMILLES],
    "personnes-isolees": [_P.TOUS_PUBLICS],
    "personnes-en-precarite": [_P.BENEFICIAIRES_DES_MINIMAS_SOCIAUX, _P.PERSONNES_EN_SITUATION_D_URGENCE],
    "familles": [_P.FAMILLES],
    "jeunes": [_P.JEUNES],
}

DI_SOURCE = "data·inclusion (paquet data-inclusion-schema, v1)"
DI_VERSION = "1.0.10"


def _taxonomy(Taxonomy, slug, name, description, source="", version=""):
    taxonomy, _ = Taxonomy.objects.update_or_create(
        slug=slug, defaults={"name": name, "description": description, "source": source, "version": version}
    )
    return taxonomy


def _terms(TaxonomyTerm, taxonomy, rows, parents=None):
    """rows: (code, name, description); returns {code: term}. Terms no longer listed are kept."""
    result = {}
    for position, (code, name, description) in enumerate(rows):
        result[code] = TaxonomyTerm.objects.update_or_create(
            taxonomy=taxonomy,
            code=code,
            defaults={
                "name": name,
                "description": description or "",
                "position": position,
                "parent": (parents or {}).get(code),
            },
        )[0]
    return result


def load_taxonomies(Taxonomy, TaxonomyTerm) -> dict[str, int]:
    """Create or update every vocabulary, then the mapping to data·inclusion. Returns term counts."""
    needs = _taxonomy(
        Taxonomy,
        "besoins-essentiels",
        "Les dix besoins essentiels",
        "Les dix besoins essentiels d'une personne âgée isolée (guide VISA, 2020).",
        source="Guide « Veille contre l'isolement social des âgés » (VISA), 2020",
    )
    domains = _taxonomy(
        Taxonomy, "domaines-clic", "Domaines d'information CLIC", "Les domaines d'information d'un CLIC."
    )
    publics = _taxonomy(Taxonomy, "publics", "Publics", "À qui s'adresse le service.")
    di_thematiques = _taxonomy(
        Taxonomy, "di-thematiques", "Thématiques data·inclusion", "", source=DI_SOURCE, version=DI_VERSION
    )
    di_types = _taxonomy(
        Taxonomy, "di-types-de-services", "Types de services data·inclusion", "", source=DI_SOURCE, version=DI_VERSION
    )
    di_publics = _taxonomy(Taxonomy, "di-publics", "Publics data·inclusion", "", source=DI_SOURCE, version=DI_VERSION)

    _terms(TaxonomyTerm, needs, [(c, n, "") for c, n in ESSENTIAL_NEEDS])
    _terms(TaxonomyTerm, domains, [(c, n, "") for c, n in CLIC_DOMAINS])
    publics_terms = _terms(TaxonomyTerm, publics, [(c, n, "") for c, n in PUBLICS])
    categories = _terms(TaxonomyTerm, di_thematiques, [(c.value, c.label, c.description) for c in di.Categorie])
    thematiques = _terms(
        TaxonomyTerm,
        di_thematiques,
        [(t.value, t.label, t.description) for t in di.Thematique],
        parents={t.value: categories[t.value.split("--")[0]] for t in di.Thematique},
    )
    _terms(TaxonomyTerm, di_types, [(t.value, t.label, t.description) for t in di.TypeService])
    di_publics_terms = _terms(TaxonomyTerm, di_publics, [(p.value, p.label, p.description) for p in di.Public])

    by_slug = {"besoins-essentiels": needs, "domaines-clic": domains}
    for (slug, code), targets in MAPPING.items():
        term = TaxonomyTerm.objects.get(taxonomy=by_slug[slug], code=code)
        term.mapped_terms.add(*[thematiques[t.value] for t in targets])
    for code, targets in PUBLICS_MAPPING.items():
        publics_terms[code].mapped_terms.add(*[di_publics_terms[p.value] for p in targets])

    return {t.slug: TaxonomyTerm.objects.filter(taxonomy=t).count() for t in Taxonomy.objects.order_by("slug")}

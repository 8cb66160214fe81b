"""The interview guide's default texts, by section and by kind of event (issue 13, point 4).

The register manager edits them for each campaign; these are only the first draft, written from:
- guide VISA (« Veille contre l'Isolement Social des Âgés », 2020), fiches « Établir un guide
  d'entretien » (se présenter, rassurer, écouter sans juger, ne rien promettre qu'on ne peut tenir)
  and « Orienter les personnes en fonction de leurs besoins » (the ten essential needs);
- heatwave: Santé publique France and ministère de la Santé, « Canicule : les bons gestes »
  (boire régulièrement de l'eau, mouiller son corps et se ventiler, fermer volets et fenêtres le
  jour, passer quelques heures dans un lieu frais, éviter les efforts, manger normalement, éviter
  l'alcool, donner et prendre des nouvelles) and « Canicule info service » 0 800 06 66 66 (appel
  gratuit, ouvert pendant les épisodes de chaleur);
- cold: ministère de la Santé, « Grand froid : les bons gestes » (limiter les sorties, se couvrir
  en plusieurs couches, chauffer sans surchauffer, ne jamais boucher les aérations ni utiliser en
  continu un chauffage d'appoint — risque d'intoxication au monoxyde de carbone —, manger et boire
  chaud); the 115 (Samu social) for a person seen without shelter;
- flood: Georisques and Vigicrues, « Que faire en cas d'inondation » (se tenir informé, monter à
  l'étage, couper l'électricité et le gaz si l'eau monte, ne pas descendre au sous-sol, ne pas
  s'engager à pied ou en voiture dans une zone inondée, garder ses médicaments et papiers au sec);
- epidemic: Santé publique France, « Les gestes barrières » (se laver les mains, tousser dans son
  coude, porter un masque en cas de symptômes, aérer, appeler son médecin avant de se déplacer);
- numbers: 15 (Samu), 112 (numéro d'urgence européen), 114 (urgence pour les personnes sourdes,
  malentendantes ou qui ne peuvent pas parler : SMS, visio, tchat, application), 17 (police), 18
  (pompiers), 3977 (maltraitance des personnes âgées et des adultes handicapés, ministère des
  Solidarités), Solitud'écoute 0 800 47 47 88 (Petits Frères des Pauvres, écoute des personnes
  de 50 ans et plus, appel gratuit).
"""

from maillage.core import grammar
from maillage.register.enums import CallPurpose, CrisisKind

INTRODUCTION = (
    "Bonjour, je suis [votre prénom], {who_as}. Je vous appelle parce que vous êtes inscrit·e sur le "
    "registre des personnes vulnérables de la commune.\n"
    "Je ne vous demande rien et je ne vends rien : {why}\n"
    "Avez-vous quelques minutes pour parler avec moi ? Sinon, à quel moment puis-je vous rappeler ?"
)

WHY = {
    CallPurpose.EVALUATION: "nous prenons des nouvelles de chacun pour savoir si tout va bien{event}.",
    CallPurpose.WATCH: "je vous rappelle, comme convenu, pour savoir comment vous allez{event}.",
    CallPurpose.FRIENDLY: "je vous appelle simplement pour prendre de vos nouvelles et discuter un peu.",
    CallPurpose.CONFIRMATION: (
        "chaque année, nous vérifions avec vous que vous souhaitez rester inscrit·e sur le registre et que "
        "vos coordonnées sont toujours exactes."
    ),
}

EVENT_WORDS = {
    CrisisKind.HEATWAVE: " pendant les fortes chaleurs",
    CrisisKind.COLD: " pendant la vague de froid",
    CrisisKind.FLOOD: " pendant les inondations",
    CrisisKind.EPIDEMIC: " pendant l'épidémie",
    CrisisKind.OTHER: " pendant l'événement en cours",
}

LISTENING = (
    "Parlez lentement et clairement ; laissez la personne finir ses phrases, même si c'est long.\n"
    "Écoutez sans juger ni conseiller trop vite ; reformulez ce que vous avez compris.\n"
    "Ne promettez rien que la commune ne peut pas tenir : dites que vous transmettez.\n"
    "Si la personne entend mal, proposez de rappeler un proche ou de passer par un autre moyen.\n"
    "Ce que la personne vous confie reste confidentiel : vous ne le notez que dans Maillage.\n"
    "Si vous sentez un danger (malaise, chute, détresse, maltraitance), cochez « danger immédiat » et, "
    "en cas d'urgence vitale, appelez le 15 ou le 112 tout de suite."
)

QUESTIONS = {
    "common": (
        "Comment allez-vous aujourd'hui ?\n"
        "Vivez-vous seul·e en ce moment ? Quelqu'un passe-t-il vous voir ?\n"
        "Arrivez-vous à faire vos courses et à préparer vos repas ?\n"
        "Avez-vous vos médicaments ? Votre médecin ou votre infirmier passe-t-il comme d'habitude ?\n"
        "Quelqu'un peut-il vous aider si vous en avez besoin ?"
    ),
    CrisisKind.HEATWAVE: (
        "Fait-il très chaud chez vous ? Arrivez-vous à rafraîchir votre logement ?\nBuvez-vous assez d'eau ?"
    ),
    CrisisKind.COLD: "Votre logement est-il assez chauffé ? Votre chauffage fonctionne-t-il ?",
    CrisisKind.FLOOD: (
        "L'eau est-elle entrée chez vous ou dans votre rue ? Avez-vous de l'électricité et de l'eau potable ?"
    ),
    CrisisKind.EPIDEMIC: (
        "Avez-vous de la fièvre, de la toux ou une grande fatigue ? Avez-vous pu joindre votre médecin ?"
    ),
    CallPurpose.CONFIRMATION: (
        "Souhaitez-vous rester inscrit·e sur le registre ?\n"
        "Votre adresse et vos numéros de téléphone sont-ils toujours les mêmes ?\n"
        "Quel est le meilleur moment pour vous appeler ?"
    ),
}

OFFER = (
    "Dites ce que la commune et ses partenaires proposent, sans rien promettre de plus :\n"
    "[à compléter : portage de repas, courses solidaires, visites de convivialité, transport solidaire, "
    "lieux rafraîchis ou chauffés ouverts au public, permanence du CCAS…]\n"
    "Si la personne a besoin d'aide, cochez les besoins repérés : le gestionnaire du registre reprend contact avec "
    "elle."
)

ADVICE = {
    CrisisKind.HEATWAVE: (
        "Boire de l'eau régulièrement, sans attendre d'avoir soif ; éviter l'alcool.\n"
        "Manger en quantité suffisante, des fruits et des légumes.\n"
        "Mouiller son corps (brumisateur, gant de toilette) et se ventiler.\n"
        "Fermer les volets et les fenêtres le jour, les ouvrir la nuit quand il fait plus frais.\n"
        "Passer quelques heures dans un lieu frais (pièce la plus fraîche, lieu rafraîchi de la commune).\n"
        "Éviter de sortir aux heures les plus chaudes et les efforts physiques.\n"
        "Donner et prendre des nouvelles de ses proches.\n"
        "Canicule info service : 0 800 06 66 66 (appel gratuit)."
    ),
    CrisisKind.COLD: (
        "Limiter les sorties, surtout le soir et tôt le matin ; se couvrir en plusieurs couches, avec bonnet, "
        "écharpe et gants.\n"
        "Chauffer son logement sans le surchauffer ; aérer quelques minutes chaque jour.\n"
        "Ne jamais boucher les aérations, ne pas utiliser de chauffage d'appoint en continu ni le four ou un "
        "barbecue pour se chauffer : risque d'intoxication au monoxyde de carbone (maux de tête, nausées → "
        "sortir et appeler le 15, le 18 ou le 112).\n"
        "Manger suffisamment et boire chaud, sans alcool.\n"
        "Une personne à la rue : appeler le 115 (Samu social)."
    ),
    CrisisKind.FLOOD: (
        "Se tenir informé (radio, consignes de la mairie, vigicrues.gouv.fr).\n"
        "Si l'eau monte : couper l'électricité et le gaz, monter à l'étage avec ses médicaments, ses papiers et "
        "un téléphone chargé.\n"
        "Ne pas descendre à la cave ni au sous-sol ; ne pas s'engager à pied ou en voiture dans une zone inondée.\n"
        "Ne boire l'eau du robinet que si la mairie dit qu'elle est potable."
    ),
    CrisisKind.EPIDEMIC: (
        "Se laver les mains souvent, à l'eau et au savon ou avec une solution hydroalcoolique.\n"
        "Tousser ou éternuer dans son coude ; utiliser un mouchoir à usage unique.\n"
        "Porter un masque en cas de symptômes et avec les personnes fragiles ; aérer son logement.\n"
        "En cas de symptômes, appeler son médecin traitant avant de se déplacer ; en cas de difficulté à "
        "respirer, appeler le 15.\n"
        "Continuer à prendre des nouvelles de ses proches, par téléphone si besoin."
    ),
    CrisisKind.OTHER: (
        "Suivre les consignes de la mairie et de la préfecture.\n"
        "Garder près de soi ses médicaments, ses papiers et un téléphone chargé.\n"
        "Donner et prendre des nouvelles de ses proches."
    ),
    None: (
        "Boire régulièrement, manger équilibré, bouger un peu chaque jour.\n"
        "Garder près du téléphone la liste des numéros utiles.\n"
        "Ne jamais donner ses codes bancaires ni ouvrir à un inconnu : en cas de doute, appeler la mairie."
    ),
}

NUMBERS_COMMON = (
    "Urgence vitale : 15 (Samu) ou 112 (numéro d'urgence européen).\n"
    "Personnes sourdes, malentendantes ou qui ne peuvent pas parler : 114 (par SMS, visio, tchat ou "
    "l'application).\n"
    "Police : 17 — Pompiers : 18.\n"
    "Maltraitance des personnes âgées et des adultes handicapés : 3977.\n"
    "Solitud'écoute (Petits Frères des Pauvres), pour parler à quelqu'un : 0 800 47 47 88 (appel gratuit)."
)

NUMBERS_BY_KIND = {
    CrisisKind.HEATWAVE: "Canicule info service : 0 800 06 66 66 (appel gratuit).",
    CrisisKind.COLD: "Personne sans abri : 115 (Samu social).",
    CrisisKind.FLOOD: "Vigilance crues : vigicrues.gouv.fr.",
}


def _named(name: str) -> str:
    """« le CCAS de Rennes », « la Mairie de Bruz »; the name alone when its noun is unknown."""
    try:
        return grammar.with_article(name)
    except grammar.UnknownNoun:
        return name


def default_script(*, purpose: str, crisis_kind: str | None, organisation) -> dict[str, str]:
    """The six sections of a new campaign's guide (models.campaigns.SCRIPT_SECTIONS), for a campaign
    of `purpose` during an event of `crisis_kind` (None: no crisis), signed by `organisation` (its
    name, and its own phone number among the useful numbers)."""
    event = EVENT_WORDS.get(crisis_kind, "") if crisis_kind else ""
    why = WHY.get(purpose, WHY[CallPurpose.EVALUATION]).format(event=event)
    who_as = f"bénévole ou agent pour {_named(organisation.name)}"
    questions = [QUESTIONS["common"]]
    if purpose == CallPurpose.CONFIRMATION:
        questions = [QUESTIONS[CallPurpose.CONFIRMATION], QUESTIONS["common"]]
    elif crisis_kind in QUESTIONS:
        questions.append(QUESTIONS[crisis_kind])
    own = f"{organisation.name} : {organisation.phone}" if organisation.phone else ""
    numbers = [line for line in (own, NUMBERS_BY_KIND.get(crisis_kind, ""), NUMBERS_COMMON) if line]
    return {
        "script_introduction": INTRODUCTION.format(who_as=who_as, why=why),
        "script_listening": LISTENING,
        "script_questions": "\n".join(questions),
        "script_offer": OFFER,
        "script_advice": ADVICE.get(crisis_kind, ADVICE[None]),
        "script_numbers": "\n".join(numbers),
    }

"""The demo's partner directory: four partners per Mission locale, of rotating kinds, with services.

Each partner serves its Mission locale's territory, except in the two rural EPCI of the Pays de
Saverne left without a partner able to identify young people: the seed's « zones rurales sans
partenaire », so that the coverage page shows a real gap at first start."""

from dataclasses import dataclass

# EPCI that no demo partner able to identify young people serves.
RURAL_GAP_EPCIS = {"200067841", "200067783"}  # CC de l'Alsace Bossue, CC de Hanau-La Petite Pierre


@dataclass(frozen=True)
class PartnerTemplate:
    kind: str
    name: str  # « {place} » is replaced by the Mission locale's seat
    can_identify: bool
    service: str
    themes: list[str]
    publics: list[str]
    types: list[str]
    how_to_refer: str


TEMPLATES = [
    PartnerTemplate(
        "prevention_specialisee",
        "Prévention spécialisée de {place}",
        True,
        "Travail de rue et accueil de jour",
        ["remobilisation--lien-social", "remobilisation--bien-etre-confiance-en-soi"],
        ["jeunes"],
        ["accompagnement"],
        "Les éducateurs vont à la rencontre des jeunes ; appeler l'équipe pour un premier contact accompagné.",
    ),
    PartnerTemplate(
        "csapa",
        "CSAPA et consultation jeunes consommateurs de {place}",
        False,
        "Consultation jeunes consommateurs",
        ["sante--addictions"],
        ["jeunes"],
        ["accompagnement"],
        "Consultation anonyme et gratuite, avec ou sans rendez-vous ; le jeune peut venir accompagné.",
    ),
    PartnerTemplate(
        "hebergement",
        "Foyer de jeunes travailleurs de {place}",
        False,
        "Logement temporaire pour jeunes",
        [
            "logement-hebergement--rechercher-une-solution-dhebergement-temporaire",
            "logement-hebergement--louer-un-logement",
        ],
        ["jeunes"],
        ["accompagnement"],
        "Dossier d'admission avec le ou la conseiller·ère ; commission mensuelle.",
    ),
    PartnerTemplate(
        "sport_culture",
        "Club sportif et culturel de {place}",
        True,
        "Ateliers sportifs du mercredi",
        ["remobilisation--activites-sportives-et-culturelles"],
        ["jeunes"],
        ["atelier"],
        "Accès libre les mercredis ; une séance d'essai sans inscription.",
    ),
    PartnerTemplate(
        "centre_social",
        "Centre social et culturel de {place}",
        True,
        "Accueil jeunes et accès aux droits",
        [
            "remobilisation--lien-social",
            "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
        ],
        ["jeunes", "familles"],
        ["accompagnement", "information"],
        "Permanences sans rendez-vous en semaine.",
    ),
    PartnerTemplate(
        "pjj",
        "Unité éducative de milieu ouvert de {place}",
        True,
        "Suivi éducatif en milieu ouvert",
        ["difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire"],
        ["personnes-en-situation-juridique-specifique"],
        ["accompagnement"],
        "Sur mandat judiciaire ; contact entre professionnels pour articuler les suivis.",
    ),
    PartnerTemplate(
        "sante",
        "Maison des adolescents de {place}",
        False,
        "Écoute et consultation santé des 12-25 ans",
        ["sante--sante-mentale", "sante--acces-aux-soins"],
        ["jeunes"],
        ["accompagnement"],
        "Accueil sans rendez-vous, gratuit et confidentiel.",
    ),
    PartnerTemplate(
        "autre",
        "Plateforme mobilité de {place}",
        False,
        "Permis et aides à la mobilité",
        ["mobilite--preparer-un-permis", "mobilite--acceder-a-un-vehicule", "mobilite--financer-ma-mobilite"],
        ["jeunes", "demandeurs-emploi"],
        ["accompagnement", "aide-financiere"],
        "Orientation par la Mission locale avec une fiche de liaison.",
    ),
    PartnerTemplate(
        "organisme_formation",
        "Organisme de formation de {place}",
        False,
        "Remise à niveau et préqualification",
        ["se-former--trouver-sa-formation", "lecture-ecriture-calcul--maitriser-le-francais"],
        ["jeunes"],
        ["formation"],
        "Entrées permanentes après un entretien de positionnement.",
    ),
    PartnerTemplate(
        "education",
        "Mission de lutte contre le décrochage scolaire de {place}",
        True,
        "Retour en formation initiale",
        ["se-former--trouver-sa-formation", "choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite"],
        ["jeunes"],
        ["accompagnement"],
        "Entretien de situation avec le CIO ; listes de décrocheurs partagées.",
    ),
    PartnerTemplate(
        "e2c",
        "École de la 2e chance de {place}",
        False,
        "Parcours E2C de remise en formation",
        ["se-former--trouver-sa-formation", "choisir-un-metier--confirmer-son-choix-de-metier"],
        ["jeunes"],
        ["formation", "accompagnement"],
        "Information collective chaque mois ; pour les 16-25 ans sans diplôme ni qualification.",
    ),
]

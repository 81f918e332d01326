"""The demo's geography: the Missions locales of Alsace and the EPCI each one covers.

Organisation names are illustrative; territories are made of real communes (INSEE COG).
An Alsace commune outside the listed EPCI falls to the Mission locale of its arrondissement."""

from dataclasses import dataclass


@dataclass(frozen=True)
class MissionLocaleSeed:
    name: str
    seat: str  # INSEE code of the commune where its office stands
    epcis: list[str]
    arrondissements: list[str]


MISSIONS_LOCALES: list[MissionLocaleSeed] = [
    MissionLocaleSeed(
        name="Mission locale de Strasbourg",
        seat="67482",
        epcis=["246700488"],
        arrondissements=["678"],
    ),
    MissionLocaleSeed(
        name="Mission locale d'Alsace du Nord",
        seat="67180",
        epcis=[
            "200067874",
            "200013050",
            "200040178",
            "200041283",
            "200041325",
            "246700843",
            "246700926",
            "246701098",
        ],
        arrondissements=["672"],
    ),
    MissionLocaleSeed(
        name="Mission locale du Pays de Saverne",
        seat="67437",
        epcis=["200068112", "200067783", "200067841", "200034635", "246700959"],
        arrondissements=["674"],
    ),
    MissionLocaleSeed(
        name="Mission locale de Molsheim et de la Bruche",
        seat="67300",
        epcis=["200068864", "246700306", "246700744", "246701064"],
        arrondissements=["673"],
    ),
    MissionLocaleSeed(
        name="Mission locale du Centre Alsace (Sélestat)",
        seat="67462",
        epcis=["246700967", "200030526", "246700777", "200034270", "200067924", "246701080"],
        arrondissements=["675"],
    ),
    MissionLocaleSeed(
        name="Mission locale de Colmar",
        seat="68066",
        epcis=["200066025", "246800395", "246800577", "246800551", "246800585", "246800494", "246800726"],
        arrondissements=["682"],
    ),
    MissionLocaleSeed(
        name="Mission locale de Mulhouse",
        seat="68224",
        epcis=["200066009"],
        arrondissements=["684"],
    ),
    MissionLocaleSeed(
        name="Mission locale des Trois Frontières (Saint-Louis)",
        seat="68297",
        epcis=["200066058"],
        arrondissements=[],
    ),
    MissionLocaleSeed(
        name="Mission locale du Sundgau (Altkirch)",
        seat="68004",
        epcis=["200066041", "200066033"],
        arrondissements=["681"],
    ),
    MissionLocaleSeed(
        name="Mission locale Thur-Doller et Florival",
        seat="68334",
        epcis=["200036465", "246800205", "246800445", "246800569", "246800676"],
        arrondissements=["686"],
    ),
]

ALSACE_DEPARTEMENTS = ("67", "68")

FUNDER = {"name": "Région Alsace", "seat": "67482"}
OPERATOR = {"name": "Repères — exploitation de la plateforme", "seat": "67482"}

# A few partners of different kinds; later steps add the full directory.
PARTNERS: list[dict[str, str]] = [
    {"name": "Association Horizons — prévention spécialisée", "kind": "prevention_specialisee", "seat": "67482"},
    {"name": "CSAPA Le Relais", "kind": "csapa", "seat": "67482"},
    {"name": "Foyer de jeunes travailleurs Les Tilleuls", "kind": "hebergement", "seat": "67437"},
    {"name": "Unité éducative de milieu ouvert de Colmar", "kind": "pjj", "seat": "68066"},
    {"name": "Club sportif Rhin-Ill Boxe", "kind": "sport_culture", "seat": "68224"},
    {"name": "École de la 2e chance d'Alsace", "kind": "e2c", "seat": "68224"},
]

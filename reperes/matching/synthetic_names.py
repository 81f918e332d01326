"""Name lists of the synthetic generator (`synthetic.py`), with frequencies. Written by hand for
Repères; nobody here is real, and no list was downloaded.

Each sex has a head of about 220 real first names common in France among people born 2000–2010,
most frequent first, and a tail of rarer names built from syllables (« Maëlia », « Kylan »).
Surnames have a head of about 500 real names common in France (Alsace, the Maghreb, West Africa,
Portugal, Turkey and Eastern Europe included), most frequent first, and a long tail built from
roots and endings of each origin (« Montier », « Kirchbauer », « Benhaddou »).

Shares are set to look like France's: the commonest first name is given to about 2 % of its sex,
the commonest surname (Martin) to about 0.4 % of people, and two people out of three bear a
surname outside the head. Blocks on names are then as small as they are in a real registry.
"""

import bisect
import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass

FEMALE_HEAD = (
    "Emma Léa Chloé Manon Inès Camille Sarah Jade Clara Océane Lola Lucie Zoé Louise Anaïs Marie "
    "Mathilde Lisa Laura Julie Eva Maëlys Lilou Juliette Romane Pauline Charlotte Ambre Alice Lina Lou "
    "Margaux Justine Noémie Elisa Louna Marine Célia Clémence Mélissa Anna Léna Jeanne Émilie Nina "
    "Maëlle Lana Élise Axelle Morgane Salomé Margot Agathe Amandine Laurine Yasmine Nour Aya Kenza "
    "Fatoumata Aïcha Mariam Amel Sofia Coralie Laetitia Clarisse Capucine Cassandra Candice Maéva "
    "Audrey Emeline Estelle Fanny Gwendoline Héloïse Jessica Jennifer Julia Katia Laurie Léana Léonie "
    "Lily Lise Lorine Lucile Lydia Marion Maya Mélanie Méline Mia Naomi Noa Ophélie Perrine Rose "
    "Sabrina Samia Sophie Tiffany Valentine Victoria Wendy Yasmina Alicia Aurélie Cindy Élodie Elsa "
    "Enora Eloïse Kelly Ilona Iris Inaya Jasmine Louane Loane Lyna Manel Myriam Nadia Naïs Nora "
    "Oriane Rania Sana Selma Sirine Tessa Thaïs Yousra Zineb Anissa Assia Chaïma Dounia Hajar Ikram "
    "Imane Khadija Lamia Malak Maryam Meryem Nawel Rim Safa Salma Soumaya Zeynep Elif Esra Merve "
    "Ayşe Aminata Awa Binta Coumba Djeneba Kadiatou Mariama Oumou Marie-Lou Anne-Sophie Lou-Anne "
    "Anne-Laure Marie-Ange Alexandra Adèle Apolline Bérénice Blandine Chiara Constance Daphné Diane "
    "Eléa Emy Faustine Gabrielle Hanna Hélène Ines Inès-Marie Jennifer Joséphine Kimberley Laly Lara "
    "Léane Lilia Lindsay Lucie-Anne Luna Maelia Mathilda Mélodie Mila Nesrine Océana Paola Prune "
    "Rébecca Sixtine Solène Stella Suzanne Tatiana Tina Vanessa Violette Yaëlle Zélie Charline"
).split()
MALE_HEAD = (
    "Lucas Hugo Thomas Théo Enzo Nathan Maxime Louis Mathis Alexandre Clément Antoine Baptiste "
    "Quentin Julien Romain Nicolas Valentin Tom Arthur Paul Gabriel Raphaël Jules Adam Noah Ethan "
    "Mattéo Axel Kylian Dylan Florian Corentin Alexis Benjamin Victor Kevin Anthony Mathéo Samuel "
    "Yanis Rayan Evan Noé Tristan Robin Bastien Pierre Guillaume Loïc Jérémy Adrien Simon Killian Léo "
    "Sacha Timéo Matthieu Vincent Jordan Lenny Nolan Titouan Aurélien Martin Erwan Esteban Gaël "
    "Dorian Damien Rémi Sébastien Mickaël Jonathan William Oscar Marius Mehdi Mohamed Yassine Bilal "
    "Ilyes Sofiane Amine Ayoub Hamza Karim Nassim Walid Youssef Zakaria Ibrahim Ismaël Moussa "
    "Mamadou Ousmane Souleymane Abdoulaye Amadou Boubacar Cheikh Emre Kerem Yusuf Burak Mert Enes "
    "Furkan Hakan Baran Ali Omar Anas Ilias Idriss Jibril Soufiane Younes Samir Malik Wassim Nabil "
    "Jean-Baptiste Pierre-Louis Paul-Antoine Louis-Marie Steven Teddy Jimmy Jason Brandon Bryan Ryan "
    "Logan Maël Elouan Eliott Tiago Diego Noam Naël Ilan Liam Sami Anis Lucien Gaspard Félix Jean "
    "Étienne Cyril Fabien Grégoire Hadrien Jérôme Joris Lilian Loris Ludovic Marc Morgan Olivier "
    "Pablo Samy Thibault Thibaut Tony Yann Yohan Mathias Matis Timothée Antonin Benoît Charles "
    "Christopher Colin Cédric Édouard Émilien Evann Alan Aymeric Bruno Côme Dimitri Elias Enzo-Lou "
    "Gauthier Hector Ibrahima Jessy Joachim Johan Kenzo Kilian Léon Luca Lukas Mael Mathys Maxence "
    "Milan Nathanaël Nils Noa Pierre-Antoine Rafael Sofian Swann Terence Thiago Tim Tanguy Ugo Warren "
    "Wilfried Xavier Yoann Zinédine Abdel Adem Aziz Bakary Djibril Issa Kader Lassana Modibo Seydou"
).split()
SURNAME_HEAD = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre "
    "Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent "
    "Muller Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand "
    "Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand "
    "Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière "
    "Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin "
    "Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois "
    "Pierre Benoît Rey Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot "
    "Hubert Berger Carpentier Sanchez Dupuis Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury "
    "Royer Klein Jacquet Adam Paris Poirier Marty Aubry Guyot Carré Charles Renault Charpentier "
    "Ménard Maillard Baron Bertin Bailly Hervé Schneider Fernandez Le Gall Collet Léger Bouvier "
    "Julien Prévost Millet Perrot Daniel Le Roux Cousin Germain Breton Besson Langlois Rémy Le Goff "
    "Pelletier Lévêque Perrier Leblanc Barré Lebrun Marchal Weber Mallet Hamon Boulanger Jacob "
    "Monnier Michaud Rodriguez Guichard Gillet Étienne Grondin Poulain Tessier Chevallier Collin "
    "Chauvin Da Silva Bouchet Gay Lemaître Bénard Maréchal Humbert Reynaud Antoine Hoarau Perret "
    "Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier Laporte Wagner "
    "Fischer Hoffmann Koenig Schmidt Zimmermann Kieffer Hueber Bauer Roth Wolff Keller Herrmann Jung "
    "Heitz Ehrhart Stoeffler Hertzog Lutz Schaeffer Ott Walter Haas Kuntz Meyer-Klein Schwartz Kern "
    "Fuchs Frey Graff Vogel Brucker Lang Ritter Siegel Metz Engel Hummel Burger Wendling Gross Huber "
    "Kopp Bieber Stoll Kuhn Haller Mertz Spitz Ackermann Dietrich Ehrhardt Erhard Friedrich Gerber "
    "Kessler Lehmann Maurer Obrecht Reinhardt Scherer Schott Sutter Ulrich Wurtz Zeller Bronner "
    "Benali Haddad Mansouri Belkacem Bouzid Saidi Hamidi Cherif Amrani Brahimi Khelifi Rahmani Ziani "
    "Benaissa Bensaid Boudjema Chaouch Djebbar Ferhat Guerfi Hadjadj Kaci Laouar Mebarki Messaoudi "
    "Mokrani Nouri Ouali Rezki Slimani Taleb Yahiaoui Zerrouki Bouaziz Ait Ahmed El Amrani El Idrissi "
    "Benmoussa Ouazzani Tahiri Alaoui Bennani Berrada Chraibi Fassi Lahlou Tazi Zahraoui Trabelsi "
    "Diallo Traoré Diop Ndiaye Camara Koné Cissé Sow Sylla Keita Coulibaly Touré Bamba Ba Barry Bah "
    "Dembélé Diabaté Diakité Diarra Doumbia Fofana Gueye Kanté Konaté Mbaye Niang Sall Sangaré "
    "Sissoko Soumaré Tall Thiam Wade Kamara Mendy Gomis Sarr Faye Kouassi Yao Kouamé N'Guessan "
    "Dos Santos Ferreira Pereira Rodrigues Fernandes Gonçalves Lopes Martins Oliveira Alves Carvalho "
    "Costa Gomes Ribeiro Teixeira Sousa Pinto Correia Mendes Moreira Silva Marques Almeida Nunes "
    "Yilmaz Kaya Demir Çelik Şahin Öztürk Yıldız Aydın Arslan Doğan Kılıç Aslan Çetin Kara Koç Kurt "
    "Özdemir Polat Erdoğan Güler Nguyen Tran Pham Le Hoang Vo Dang Bui Ngo Duong Ly Chen Wang Zhang "
    "Kowalski Nowak Wiśniewski Wójcik Kamiński Lewandowski Rossi Russo Ferrari Esposito Bianchi "
    "Romano Colombo Ricci Marino Greco Bruno Gallo Conti Costa-Rossi Lombardi Popescu Ionescu Popa "
    "Martinez-Lopez Sanchez Gomez Fernandes-Silva Hernandez Jimenez Ruiz Diaz Alvarez Moreno Romero "
    "Navarro Torres Dominguez Vazquez Ramos Gil Serrano Blanco Molina Castro Ortiz Rubio Marin Sanz "
    "De Oliveira D'Angelo N'Diaye Le Bihan Le Corre Le Guen Le Floch Saint-Martin Du Pont De La Cruz "
    "Ivanov Petrov Smirnov Popov Sokolov Kuznetsov Horvat Kovac Novak Jovanovic Petrovic Nikolic "
    "Hakobyan Grigoryan Sargsyan Harutyunyan Beridze Kapanadze Mahmoud Hassan Hussein Ahmed Ibrahim "
    "Abdallah Osman Mohamed Ismail Youssef Salah Karimi Hosseini Ahmadi Rahimi Mohammadi Sultani"
).split()
# Multi-word surnames were split above; join the words that go together.
_PARTICLES = {"Le", "Da", "Dos", "De", "Du", "El", "Ait"}


def _join_particles(words: Sequence[str]) -> list[str]:
    names: list[str] = []
    pending = ""
    for word in words:
        if word in _PARTICLES and not pending:
            pending = word
        elif pending and word in {"La"}:
            pending = f"{pending} {word}"
        elif pending:
            names.append(f"{pending} {word}")
            pending = ""
        else:
            names.append(word)
    return list(dict.fromkeys(names))


# Roots and endings per origin for the tail of surnames, with the origin's share of the tail.
_SURNAME_PARTS: tuple[tuple[float, str, str], ...] = (
    (
        0.46,
        "Mont Bour Chap Fau Lac Ros Vall Ber Bon Char Chaz Court Dela Esc Fer Gal Gar Gir Lab Lam Lan "
        "Lar Lav Mal Mar Mas Mich Mor Pel Pér Pon Pouj Rab Rich Roch Rou Sab Saul Tell Thib Tour Vach "
        "Vern Vial Vill Aub Baill Barr Bell Bess Boiss Bord Bouv Brun Cass Cham Chast Clav Coud Dauph "
        "Desp Duch Fav Foss Gauth Gren Guill Jou Lamb Laur Lem Lhom Mart Maur Mén Merc Moreil Nau "
        "Pasc Perr Pich Plan Prad Rég Rey Riv Sauv Seg Tard Teyss Vauq Verd",
        "and ard ier eau et in ot on oux aud ault elle ette illon ac as ès el ay ey eaux ière ois ois "
        "ange in et ard ier eau",
    ),
    (
        0.16,
        "Schw Kirch Wald Stein Hof Berg Ober Unter Bach Brand Eck Feld Gold Grün Hart Heil Holz Kalt "
        "Klein Krieg Lind Mühl Neu Rein Ros Schön Sieg Sonn Stahl Wein Wiss Zimm Bren Dorn Fried Hell "
        "Lieb Mohr Roth Sand Schul Stoll Vogt Weid Will",
        "mann er ler inger bach bauer berger hardt heimer hofer meyer mayer reiter schmitt wald "
        "eiser hauser lin le lé",
    ),
    (
        0.14,
        "Ben Bou Bel Hadj Sid Ould Ait Ab Am Bak Ch Dj Fer Gh Har Kh Lah Mah Mes Moh Nad Rah Sal Sl "
        "Tah Yah Zer Zit Ham Bra Kar Lak Mou Nas Ouah Rez Saad Tay Zou",
        "haddou azza ouali amri diri chiri lal rahi nani kaci ssaoud mani djema hadj ali yahia sba zidi toumi abdi",
    ),
    (
        0.09,
        "Di Ko Sa Ba Ca Dou Fo Ga Ka Ma Ndi Sou Ta To Ya Ba Ma Kou Ma Dia Sis N'Go Ous",
        "abaté mara ssé koro né ssoko kité wara bo mbia ra ré gaye lo ssé diaye mbaye kaba ta",
    ),
    (
        0.08,
        "Al Bar Cab Cor Fig Mach Mor Nog Pach Rib Sal Tav Val Bar Cast Esp Fern Gall Mar Pin Rig Ros San Vel",
        "eira ado ito inho ares ela ão uez ez ano elli etti ucci ini one esco escu",
    ),
    (
        0.07,
        "Ak Ar Ay Bal Bay Bil Boz Çak Dem Doğ Er Gök Gül Kar Kay Kes Kıl Koç Öz Şen Tek Tun Uç Yıl Yüc",
        "soy dağ kaya demir taş han oğlu türk can er men gül bay ay",
    ),
    (
        0.04,
        "Kow Now Wiś Zieli Szym Wojc Kwiat Paw Mich Ivan Petr Nik Dmitr Sokol Novak Horv Kov Jov Mark",
        "alski ak ewski ewicz ińska ov ova enko uk ić ovic ovski",
    ),
)
_FIRST_SYLLABLES = (
    "Ma Lé Li Ka Na Sa Ya No Lo Mé Ja Ky Ti Ro Ni Ma Ela Al Am An Ay El Il In Is Ja Ka Ke Ma Se Sy Th Zy"
)
_FEMALE_ENDINGS = "na lia ya line ane rine lys ssa ra nie elle ëlle lie dine sha mia nne lou"
_MALE_ENDINGS = "lan ris nis no ryan lio mas vin ssim lan ran dan tis lian zio sen ël mir bin"

# The tail's sizes: distinct names built, and their share of people.
FIRST_TAIL_SIZE, FIRST_TAIL_SHARE = 1_500, 0.20
SURNAME_TAIL_SIZE, SURNAME_TAIL_SHARE = 40_000, 0.66
# The generator's own seed: the lists are the same whatever the population's seed.
_LIST_SEED = 20_260_101


@dataclass(frozen=True)
class Weighted:
    """A list of names and their cumulative weights, for an O(log n) draw."""

    names: tuple[str, ...]
    cumulative: tuple[float, ...]

    def draw(self, rng: random.Random) -> str:
        return self.names[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]

    def share(self, name: str) -> float:
        position = self.names.index(name)
        low = self.cumulative[position - 1] if position else 0.0
        return (self.cumulative[position] - low) / self.cumulative[-1]


def _zipf_weights(size: int, offset: float, exponent: float, mass: float) -> list[float]:
    raw = [1 / (rank + offset) ** exponent for rank in range(size)]
    total = sum(raw)
    return [weight * mass / total for weight in raw]


def _weighted(head: Sequence[str], tail: Sequence[str], head_offset: float, tail_share: float) -> Weighted:
    names: list[str] = []
    weights: list[float] = []
    seen: set[str] = set()
    for group, group_weights in (
        (head, _zipf_weights(len(head), head_offset, 1.0, 1 - tail_share)),
        (tail, _zipf_weights(len(tail), len(tail) / 20, 0.9, tail_share)),
    ):
        for name, weight in zip(group, group_weights, strict=True):
            if name not in seen:
                seen.add(name)
                names.append(name)
                weights.append(weight)
    cumulative: list[float] = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    return Weighted(tuple(names), tuple(cumulative))


def _tail_first_names(rng: random.Random, endings: str, avoid: set[str]) -> list[str]:
    starts, ends = _FIRST_SYLLABLES.split(), endings.split()
    names: list[str] = []
    seen = set(avoid)
    while len(names) < FIRST_TAIL_SIZE:
        name = rng.choice(starts) + rng.choice(ends).lower()
        if rng.random() < 0.15:
            name = rng.choice(starts) + rng.choice(starts).lower() + rng.choice(ends).lower()
        name = name[0] + name[1:].replace("ëë", "ë")
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _tail_surnames(rng: random.Random, avoid: set[str]) -> list[str]:
    shares = [share for share, _roots, _endings in _SURNAME_PARTS]
    names: list[str] = []
    seen = set(avoid)
    attempts = 0
    while len(names) < SURNAME_TAIL_SIZE and attempts < SURNAME_TAIL_SIZE * 20:
        attempts += 1
        origin = rng.choices(range(len(_SURNAME_PARTS)), shares)[0]
        _share, roots, endings = _SURNAME_PARTS[origin]
        root = rng.choice(roots.split())
        if origin == 0:  # Delacour, Dumont, Lafont
            root = rng.choice(("", "", "", "", "Du", "La", "Le", "De", "Des")) + root.lower()
        elif origin == 1 and rng.random() < 0.5:  # Steinbach, Kirchhofer
            root += rng.choice(roots.split()).lower()
        elif origin == 2 and rng.random() < 0.4:  # Benrahmani
            root = rng.choice(("Ben", "Bou", "El")) + root.lower()
        name = root[0].upper() + root[1:] + rng.choice(endings.split())
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


@functools.cache
def name_lists() -> tuple[Weighted, Weighted, Weighted]:
    """Female first names, male first names, surnames; built once (about a second)."""
    rng = random.Random(_LIST_SEED)
    female_head = list(dict.fromkeys(FEMALE_HEAD))
    male_head = list(dict.fromkeys(MALE_HEAD))
    surname_head = _join_particles(SURNAME_HEAD)
    everyone = set(female_head) | set(male_head)
    female = _weighted(female_head, _tail_first_names(rng, _FEMALE_ENDINGS, everyone), 14, FIRST_TAIL_SHARE)
    male = _weighted(male_head, _tail_first_names(rng, _MALE_ENDINGS, everyone), 14, FIRST_TAIL_SHARE)
    surnames = _weighted(surname_head, _tail_surnames(rng, set(surname_head)), 25, SURNAME_TAIL_SHARE)
    return female, male, surnames

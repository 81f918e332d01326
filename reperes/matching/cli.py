"""The command line for data officers:

    python -m reperes.matching link LEFT.csv RIGHT.csv -o PAIRS.csv
    python -m reperes.matching dedupe IN.csv -o PAIRS.csv

Input: UTF-8 CSV (with or without BOM), separated by « ; » or « , », with the columns
id, first_name, last_name, birth_date (AAAA-MM-JJ, AAAA or empty), and optionally sex, postcode,
commune, birth_name; other columns are ignored. Output: id_left,id_right,score,decision.
A bad input stops the run with its file, line and reason, and exit status 2.

`--apprendre` fits the weights and the prior to the lists (learn.py); `--sans-garde-fous` lets the score decide
alone, for lists known to hold no twins, siblings or namesakes (Thresholds.guard).
"""

import argparse
import csv
import operator
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from reperes.matching.decide import Outcome, Thresholds
from reperes.matching.engine import Engine, Index, Pair, link, pairs
from reperes.matching.learn import estimate
from reperes.matching.records import Record, parse_birth_date
from reperes.matching.score import DEFAULT_MODEL

REQUIRED = ("id", "first_name", "last_name", "birth_date")
OPTIONAL = ("sex", "postcode", "commune", "birth_name")


class InputError(Exception):
    pass


def parse_columns(text: str) -> dict[str, str]:
    """`first_name=prenom,last_name=nom` → {"first_name": "prenom", "last_name": "nom"}."""
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        field, sep, column = item.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not column:
            raise InputError(f"--columns : « {item} » n'est pas de la forme champ=colonne")
        if field not in REQUIRED + OPTIONAL:
            raise InputError(f"--columns : champ inconnu « {field} » (champs : {', '.join(REQUIRED + OPTIONAL)})")
        mapping[field] = column
    return mapping


def _delimiter(header: str) -> str:
    return max(";,\t", key=header.count)


def read_records(path: Path, columns: dict[str, str]) -> Iterator[Record]:
    """The records of one CSV file; raises InputError naming the file, line and reason."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise InputError(f"{path} : impossible de lire le fichier ({error.strerror})") from None
    with handle:
        try:
            header = handle.readline()
        except UnicodeDecodeError:
            raise InputError(f"{path} : le fichier n'est pas en UTF-8") from None
        handle.seek(0)
        yield from _rows(path, handle, _delimiter(header), columns)


def _rows(path: Path, handle: TextIO, delimiter: str, columns: dict[str, str]) -> Iterator[Record]:
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        names = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise InputError(f"{path} : fichier vide") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} : le fichier n'est pas en UTF-8") from None
    position: dict[str, int] = {}
    for field in REQUIRED + OPTIONAL:
        # A mapping serves both files of a link: a file that uses our own name is read as is.
        wanted = columns.get(field, field).lower()
        if wanted in names:
            position[field] = names.index(wanted)
        elif field in names:
            position[field] = names.index(field)
        elif field in REQUIRED:
            raise InputError(f"{path} : colonne « {wanted} » absente (colonnes trouvées : {', '.join(names)})")
    # The eight fields in Record's order; an optional column the file lacks is read from an empty
    # cell added at the end of each row (-1).
    columns_at = [position.get(field, -1) for field in Record._fields]
    fields_of = operator.itemgetter(*columns_at)
    width = max(columns_at) + 2
    seen: dict[str, int] = {}
    try:
        for row in reader:
            if not "".join(row).strip():
                continue
            row.append("")
            if len(row) < width:  # a short row: its missing cells are empty
                row[-1:] = [""] * (width - len(row) + 1)
            yield _record(path, reader.line_num, fields_of(row), seen)
    except UnicodeDecodeError:
        raise InputError(f"{path}, ligne {reader.line_num + 1} : texte qui n'est pas en UTF-8") from None
    except csv.Error as error:
        raise InputError(f"{path}, ligne {reader.line_num} : CSV illisible ({error})") from None


def _record(path: Path, line: int, fields: tuple[str, ...], seen: dict[str, int]) -> Record:
    id_, first, last, birth, sex, postcode, commune, birth_name = fields
    id_ = id_.strip()
    if not id_:
        raise InputError(f"{path}, ligne {line} : identifiant vide")
    if id_ in seen:
        raise InputError(f"{path}, ligne {line} : identifiant « {id_} » déjà vu ligne {seen[id_]}")
    seen[id_] = line
    try:
        birth_date = parse_birth_date(birth)
    except ValueError as error:
        raise InputError(f"{path}, ligne {line} : {error}") from None
    # Names and places repeat: one copy of each (a million people's records take half the memory).
    intern = sys.intern
    return Record(
        id_,
        intern(first.strip()),
        intern(last.strip()),
        birth_date,
        intern(sex.strip()),
        intern(postcode.strip()),
        intern(commune.strip()),
        intern(birth_name.strip()),
    )


def write_pairs(found: Sequence[Pair], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("id_left", "id_right", "score", "decision"))
    for pair in found:
        writer.writerow((pair.left, pair.right, f"{pair.score:.2f}", pair.outcome.value))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reperes.matching",
        description="Rapprochement de listes de personnes (même personne, à revoir, nouvelle personne).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    link = commands.add_parser("link", help="trouver les personnes de LEFT déjà présentes dans RIGHT")
    link.add_argument("left", type=Path, metavar="LEFT.csv")
    link.add_argument("right", type=Path, metavar="RIGHT.csv")
    link.add_argument(
        "--processus",
        type=int,
        default=1,
        metavar="N",
        help="répartir le registre RIGHT entre N processus (Linux ; un par cœur, 1 par défaut)",
    )
    dedupe = commands.add_parser("dedupe", help="trouver les doublons d'une liste")
    dedupe.add_argument("input", type=Path, metavar="IN.csv")
    for command in (link, dedupe):
        command.add_argument("-o", "--output", type=Path, help="fichier des paires (sortie standard sinon)")
        command.add_argument("--review", action="store_true", help="ajouter les paires à revoir")
        command.add_argument(
            "--columns", default="", help="noms des colonnes, par exemple first_name=prenom,last_name=nom"
        )
        command.add_argument(
            "--apprendre",
            action="store_true",
            help="ajuster les poids et la part attendue de correspondances aux listes elles-mêmes "
            "(espérance-maximisation) plutôt qu'aux fichiers d'un registre",
        )
        command.add_argument(
            "--sans-garde-fous",
            action="store_true",
            help="le score décide seul : jumeaux, frères et sœurs ou homonymes ne sont plus envoyés en revue "
            "(listes qui n'en contiennent pas, comme un jeu d'essai)",
        )
    return parser


def run(arguments: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(arguments)
    try:
        columns = parse_columns(options.columns)
        thresholds = Thresholds(guard=not options.sans_garde_fous)
        if options.command == "link":
            right: Iterable[Record] = read_records(options.right, columns)
            left: Iterable[Record] = read_records(options.left, columns)
            model = DEFAULT_MODEL
            if options.apprendre:
                left, right = list(left), list(right)
                model = estimate(left, right)
            decisions = link(right, left, thresholds=thresholds, model=model, processes=max(1, options.processus))
            found = pairs(decisions, review=options.review)
        else:
            records = list(read_records(options.input, columns))
            model = estimate(records) if options.apprendre else DEFAULT_MODEL
            engine = Engine(Index.from_records(records), thresholds, model)
            found = pairs(engine.dedupe(), review=options.review, symmetric=True)
    except InputError as error:
        print(f"erreur : {error}", file=sys.stderr)
        return 2
    if options.output is None:
        write_pairs(found, sys.stdout)
    else:
        with options.output.open("w", encoding="utf-8", newline="") as out:
            write_pairs(found, out)
    same = sum(1 for pair in found if pair.outcome == Outcome.SAME)
    print(f"{same} paire(s) « même personne », {len(found) - same} à revoir", file=sys.stderr)
    return 0

"""The registry fields a list may fill, how their columns are recognised, and the validation of
one line. Reasons are in French and name the column as the file does; they never quote the value
(the report is kept, the file is not)."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reperes.registry.enums import BirthPrecision, SchoolLevel, Sex
from reperes.registry.imports.reading import cell_text
from reperes.territory.models import Commune
from reperes.territory.selectors import resolve_commune
from reperes.territory.text import fold


@dataclass(frozen=True)
class Target:
    name: str
    label: Promise
    required: bool
    # Folded headers that name this field in the lists we receive (SIEI/RIO extracts, partners' sheets).
    headers: tuple[str, ...]


TARGETS = [
    Target(
        "last_name",
        gettext_lazy("Nom de naissance"),
        True,
        ("nom", "nom de naissance", "nom eleve", "nom famille", "nom de famille", "last name", "lastname"),
    ),
    Target("usage_name", gettext_lazy("Nom d'usage"), False, ("nom d usage", "nom usage", "nom marital")),
    Target(
        "first_names",
        gettext_lazy("Prénom(s)"),
        True,
        ("prenom", "prenoms", "prenom eleve", "prenom 1", "first name", "firstname"),
    ),
    Target("sex", gettext_lazy("Sexe"), False, ("sexe", "genre", "sex", "civilite")),
    Target(
        "birth_date",
        gettext_lazy("Date de naissance"),
        False,
        (
            "date de naissance",
            "date naissance",
            "naissance",
            "ne le",
            "nee le",
            "ne e le",
            "date nais",
            "birth date",
            "dob",
        ),
    ),
    Target(
        "commune",
        gettext_lazy("Commune de résidence"),
        True,
        ("commune", "commune de residence", "ville", "localite", "commune residence", "code insee", "insee"),
    ),
    Target("postcode", gettext_lazy("Code postal"), False, ("code postal", "cp", "postcode")),
    Target("ine", gettext_lazy("INE"), False, ("ine", "numero ine", "identifiant national eleve")),
    Target(
        "phone", gettext_lazy("Téléphone"), False, ("telephone", "tel", "portable", "mobile", "telephone portable")
    ),
    Target("email", gettext_lazy("E-mail"), False, ("email", "e mail", "mail", "courriel", "adresse mail")),
    Target(
        "left_school_on",
        gettext_lazy("Date de sortie du système scolaire"),
        False,
        ("date de sortie", "date sortie", "sortie le", "date de decrochage"),
    ),
    Target(
        "last_level",
        gettext_lazy("Dernière classe suivie"),
        False,
        ("derniere classe", "classe", "niveau", "dernier niveau", "formation"),
    ),
]
TARGET_BY_NAME = {t.name: t for t in TARGETS}


def guess_mapping(columns: list[str]) -> dict[str, int]:
    """Field name -> column index, for the headers we recognise; each column used once."""
    folded = [fold(c) for c in columns]
    mapping: dict[str, int] = {}
    for target in TARGETS:
        for index, header in enumerate(folded):
            if header in target.headers and index not in mapping.values():
                mapping[target.name] = index
                break
    return mapping


def check_mapping(mapping: dict[str, int], columns: list[str]) -> list[str]:
    errors = []
    missing = [str(t.label) for t in TARGETS if t.required and t.name not in mapping]
    if missing:
        errors.append(_("Associez une colonne à : %(fields)s.") % {"fields": ", ".join(missing)})
    used = [i for i in mapping.values()]
    if len(used) != len(set(used)):
        errors.append(_("Une même colonne est associée à deux champs."))
    if any(not 0 <= i < len(columns) for i in used):
        errors.append(_("Colonne inconnue."))
    return errors


@dataclass
class Row:
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column as in the file, reason)


_LEVELS = {
    "college": SchoolLevel.COLLEGE,
    "6e": SchoolLevel.COLLEGE,
    "5e": SchoolLevel.COLLEGE,
    "4e": SchoolLevel.COLLEGE,
    "3e": SchoolLevel.TROISIEME,
    "3eme": SchoolLevel.TROISIEME,
    "troisieme": SchoolLevel.TROISIEME,
    "cap": SchoolLevel.CAP_BEP,
    "bep": SchoolLevel.CAP_BEP,
    "cap bep": SchoolLevel.CAP_BEP,
    "1re annee cap": SchoolLevel.CAP_BEP,
    "2e annee cap": SchoolLevel.CAP_BEP,
    "lycee": SchoolLevel.LYCEE,
    "seconde": SchoolLevel.LYCEE,
    "2nde": SchoolLevel.LYCEE,
    "premiere": SchoolLevel.LYCEE,
    "1re": SchoolLevel.LYCEE,
    "1ere": SchoolLevel.LYCEE,
    "terminale": SchoolLevel.BAC_NOT_OBTAINED,
    "tle": SchoolLevel.BAC_NOT_OBTAINED,
}
_SEXES = {
    "f": Sex.FEMALE,
    "femme": Sex.FEMALE,
    "feminin": Sex.FEMALE,
    "fille": Sex.FEMALE,
    "mme": Sex.FEMALE,
    "2": Sex.FEMALE,
    "m": Sex.MALE,
    "h": Sex.MALE,
    "homme": Sex.MALE,
    "masculin": Sex.MALE,
    "garcon": Sex.MALE,
    "mr": Sex.MALE,
    "1": Sex.MALE,
}
_INE = re.compile(r"^[0-9A-Z]{10}[A-Z]$")
_PHONE = re.compile(r"^(?:0\d{9}|\+\d{8,14})$")
_FULL_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")


class Reason(Exception):
    pass


def parse_date(cell: Any, *, partial: bool = False) -> tuple[date, str]:
    """A date and its precision, from a spreadsheet date or JJ/MM/AAAA, AAAA-MM-JJ, and (when
    partial dates are allowed) MM/AAAA or AAAA."""
    if isinstance(cell, datetime):
        return cell.date(), BirthPrecision.DAY
    if isinstance(cell, date):
        return cell, BirthPrecision.DAY
    text = cell_text(cell)
    try:
        if m := _FULL_DATE.match(text):
            return date(int(m[3]), int(m[2]), int(m[1])), BirthPrecision.DAY
        if m := _ISO_DATE.match(text):
            return date(int(m[1]), int(m[2]), int(m[3])), BirthPrecision.DAY
        if partial and (m := _MONTH_YEAR.match(text)):
            return date(int(m[2]), int(m[1]), 1), BirthPrecision.MONTH
        if partial and (m := _YEAR.match(text)):
            return date(int(m[1]), 1, 1), BirthPrecision.YEAR
    except ValueError:
        raise Reason(_("cette date n'existe pas")) from None
    raise Reason(_("date illisible : écrivez-la JJ/MM/AAAA"))


class LineChecker:
    """Validates lines for one Mission locale; communes are resolved once per distinct value."""

    def __init__(self, columns: list[str], mapping: dict[str, int], territory_codes: set[str]) -> None:
        self.columns = columns
        self.mapping = mapping
        self.territory_codes = territory_codes
        self.today = timezone.localdate()
        self._communes: dict[tuple[str, str], Commune | str] = {}

    def check(self, line: int, cells: list[Any]) -> Row:
        row = Row(line)
        raw = {name: cells[index] for name, index in self.mapping.items()}
        for target in TARGETS:
            if target.name == "postcode" or target.name not in raw:
                continue
            cell = raw[target.name]
            column = self.columns[self.mapping[target.name]]
            if not cell_text(cell):
                if target.required:
                    row.errors.append((column, _("valeur obligatoire manquante")))
                continue
            try:
                self._clean(row, target.name, cell, raw)
            except Reason as reason:
                row.errors.append((column, str(reason)))
        return row

    def _clean(self, row: Row, name: str, cell: Any, raw: dict[str, Any]) -> None:
        text = cell_text(cell)
        values = row.values
        if name in ("last_name", "usage_name", "first_names"):
            if len(text) > 150 or not any(ch.isalpha() for ch in text):
                raise Reason(_("nom illisible"))
            values[name] = " ".join(text.split())
        elif name == "sex":
            folded = fold(text)
            if folded not in _SEXES:
                raise Reason(_("sexe inconnu : F ou M attendu"))
            values["sex"] = _SEXES[folded]
        elif name == "birth_date":
            born, precision = parse_date(cell, partial=True)
            from reperes.registry.services import check_birth_date

            try:
                check_birth_date(born, self.today)
            except ValidationError as error:
                raise Reason(error.message_dict["birth_date"][0].rstrip(".")) from None
            values["birth_date"], values["birth_precision"] = born, precision
        elif name == "left_school_on":
            left, _precision = parse_date(cell)
            if left > self.today:
                raise Reason(_("date dans le futur"))
            values["left_school_on"] = left
        elif name == "commune":
            values["commune"] = self._commune(text, cell_text(raw.get("postcode", "")))
        elif name == "ine":
            ine = text.replace(" ", "").upper()
            if not _INE.match(ine):
                raise Reason(_("INE mal formé : 11 caractères attendus, 10 chiffres ou lettres puis une lettre"))
            values["ine"] = ine
        elif name == "phone":
            phone = re.sub(r"[\s.\-()]", "", text)
            if re.fullmatch(r"[1-9]\d{8}", phone):  # a spreadsheet number lost its leading 0
                phone = "0" + phone
            if not _PHONE.match(phone):
                raise Reason(_("numéro de téléphone mal formé"))
            values["phone"] = phone
        elif name == "email":
            try:
                validate_email(text)
            except ValidationError:
                raise Reason(_("adresse e-mail mal formée")) from None
            values["email"] = text
        elif name == "last_level":
            level = _LEVELS.get(fold(text))
            if level is None:
                raise Reason(_("classe inconnue : collège, 3e, CAP/BEP, seconde, première ou terminale"))
            values["last_level"] = level

    def _commune(self, text: str, postcode: str) -> Commune:
        # Codes typed as numbers in a spreadsheet lose their leading 0 (Ain, Aisne…): 1053 is 01053.
        text = text.zfill(5) if text.isdigit() and len(text) == 4 else text
        postcode = postcode.zfill(5) if postcode.isdigit() and len(postcode) == 4 else postcode
        key = (text, postcode)
        if key not in self._communes:
            self._communes[key] = self._resolve(text, postcode)
        found = self._communes[key]
        if isinstance(found, str):
            raise Reason(found)
        return found

    def _resolve(self, text: str, postcode: str) -> Commune | str:
        commune, candidates = resolve_commune(text)
        if commune is None and candidates:
            # A list names communes of its own territory: that settles most homonyms.
            narrowed = [c for c in candidates if postcode in c.postcode_list] if postcode else candidates
            local = [c for c in narrowed if c.code in self.territory_codes]
            if len(local) == 1:
                commune = local[0]
            elif len(narrowed) == 1:
                commune = narrowed[0]
            else:
                return _("plusieurs communes portent ce nom : ajoutez le code postal ou le code INSEE")
        if commune is None:
            return _("commune inconnue")
        if commune.code not in self.territory_codes:
            return _("commune hors du territoire de la Mission locale")
        return commune

"""The French catalogue (locale/fr) holds every plural message of the code, so that French plurals
follow the French rule (« 0 jeune », plural=(n > 1)) and not Django's fallback (n != 1).

French is the source language: each entry's msgstr repeats its source. The .po is committed; the
.mo is compiled from it by `make install` (`manage.py compilemessages`). The messages are read from
the code the way `makemessages` reads them: templates through Django's own `templatize`, Python
files through their syntax tree.
"""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
PLURAL_FORMS = "nplurals=2; plural=(n > 1);"
SOURCES = [ROOT / "reperes", ROOT / "config"]

# A Python string literal as templatize writes it (u'…' or u"…").
_STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_TEMPLATE_PLURAL = re.compile(
    rf"\b(?:npgettext\(\s*(?P<context>{_STRING})\s*,|ngettext\()\s*(?P<singular>{_STRING})\s*,\s*(?P<plural>{_STRING})\s*,\s*count\)"
)
_PLURAL_FUNCTIONS = {"ngettext": False, "ngettext_lazy": False, "npgettext": True, "npgettext_lazy": True}

Message = tuple[str | None, str, str]  # (context, singular, plural)


def _literal(text: str | None) -> str | None:
    return None if text is None else ast.literal_eval(text)


def template_plurals(path: Path) -> set[Message]:
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    return {
        (_literal(m["context"]), _literal(m["singular"]), _literal(m["plural"]))  # type: ignore[misc]
        for m in _TEMPLATE_PLURAL.finditer(code)
    }


def python_plurals(path: Path) -> set[Message]:
    found: set[Message] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in _PLURAL_FUNCTIONS:
            continue
        texts = node.args[: 3 if _PLURAL_FUNCTIONS[name] else 2]
        assert all(isinstance(t, ast.Constant) and isinstance(t.value, str) for t in texts), (
            f"{path}:{node.lineno}: {name} needs literal strings, or makemessages cannot read them"
        )
        values = [t.value for t in texts]  # type: ignore[attr-defined]
        found.add((values[0], values[1], values[2]) if _PLURAL_FUNCTIONS[name] else (None, values[0], values[1]))
    return found


def code_plurals() -> dict[Message, str]:
    """Every plural message of the project, with the first file that uses it."""
    messages: dict[Message, str] = {}
    for source in SOURCES:
        for path in sorted(source.rglob("*")):
            if path.suffix == ".py":
                found = python_plurals(path)
            elif path.suffix in {".html", ".txt"} and "templates" in path.parts:
                found = template_plurals(path)
            else:
                continue
            for message in found:
                messages.setdefault(message, str(path.relative_to(ROOT)))
    return messages


def read_po(path: Path) -> tuple[dict[str, str], dict[Message, list[str]]]:
    """The header's fields and the plural entries (msgstr[0], msgstr[1]…) of a .po file."""
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if current:
                entries.append(current)
            current, key = {}, ""
        elif line.startswith("#"):
            assert not line.startswith("#,") or "fuzzy" not in line, f"fuzzy entry in {path}: msgfmt drops it"
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _space, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    header = next(e for e in entries if e.get("msgid") == "" and "msgctxt" not in e)
    fields = dict(line.split(": ", 1) for line in header["msgstr"].splitlines() if ": " in line)
    plurals = {
        (e.get("msgctxt"), e["msgid"], e["msgid_plural"]): [e[k] for k in sorted(e) if k.startswith("msgstr[")]
        for e in entries
        if "msgid_plural" in e
    }
    return fields, plurals


def po_entry(message: Message) -> str:
    context, singular, plural = message
    quoted = {
        name: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        for name, text in (("s", singular), ("p", plural))
    }
    lines = [f'msgctxt "{context}"'] if context is not None else []
    lines += [
        f"msgid {quoted['s']}",
        f"msgid_plural {quoted['p']}",
        f"msgstr[0] {quoted['s']}",
        f"msgstr[1] {quoted['p']}",
    ]
    return "\n".join(lines)


def test_the_catalogue_declares_the_french_plural_rule():
    fields, _plurals = read_po(CATALOGUE)
    assert fields["Plural-Forms"] == PLURAL_FORMS
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert settings.LOCALE_PATHS == [ROOT / "locale"]


def test_every_plural_message_of_the_code_is_in_the_french_catalogue():
    _fields, plurals = read_po(CATALOGUE)
    used = code_plurals()
    missing = [message for message in used if message not in plurals]
    assert not missing, (
        f"{len(missing)} plural message(s) missing from {CATALOGUE.relative_to(ROOT)}; add (then `make install`):\n\n"
        + "\n\n".join(f"#: {used[m]}\n#, python-format\n{po_entry(m)}" for m in missing)
    )
    unused = [message for message in plurals if message not in used]
    assert not unused, f"entries no code uses any more, to remove: {unused}"


def test_each_entry_repeats_its_french_source():
    _fields, plurals = read_po(CATALOGUE)
    assert plurals
    for (_context, singular, plural), translations in plurals.items():
        assert translations == [singular, plural], f"{singular!r}: msgstr[0] and msgstr[1] are the source texts"


def test_the_compiled_catalogue_is_that_of_the_po():
    assert COMPILED.exists(), (
        f"{COMPILED.relative_to(ROOT)} is missing: run `make install` (manage.py compilemessages)"
    )
    with COMPILED.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    assert compiled.info()["plural-forms"] == PLURAL_FORMS
    _fields, plurals = read_po(CATALOGUE)
    stale = []
    for context, singular, plural in plurals:
        # Zero tells a compiled entry (French rule: singular) from a missing one (fallback: plural).
        if context is None:
            answers = [compiled.ngettext(singular, plural, n) for n in (0, 1, 2)]
        else:
            answers = [compiled.npgettext(context, singular, plural, n) for n in (0, 1, 2)]
        if answers != [singular, singular, plural]:
            stale.append(singular)
    assert not stale, f"{COMPILED.relative_to(ROOT)} is older than the .po: run `make install`. Not compiled: {stale}"


def test_zero_takes_the_singular_in_french():
    with translation.override("fr"):
        assert translation.ngettext("%(n)s jeune", "%(n)s jeunes", 0) % {"n": 0} == "0 jeune"
        assert translation.ngettext("%(n)s jeune", "%(n)s jeunes", 1) % {"n": 1} == "1 jeune"
        assert translation.ngettext("%(n)s jeune", "%(n)s jeunes", 2) % {"n": 2} == "2 jeunes"

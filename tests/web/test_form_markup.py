"""The required-field asterisk appears once per question: on its label or legend, never on each answer.

The asterisk is drawn by site.css (`content: " *"`), so the markup cannot show it. STARRED lists the
stylesheet's selectors; `starred` applies the same rules to the rendered page, and the tests check
which labels and legends they pick.
"""

import re
from collections.abc import Iterator

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.test.html import Element, parse_html
from django.urls import reverse

from reperes.registry.imports.fields import TARGETS
from reperes.registry.imports.forms import MappingForm

pytestmark = pytest.mark.django_db

STARRED = (
    ".required > label:not(.visually-hidden)::after",
    ".required > .form-check > .form-check-label::after",
    "fieldset:has(> legend + .required:last-child) > legend::after",
    "label.required::after",
)


def classes(element: Element) -> set[str]:
    return set((dict(element.attributes).get("class") or "").split())


def walk(element: Element, ancestors: tuple[Element, ...] = ()) -> Iterator[tuple[Element, tuple[Element, ...]]]:
    """Every element under `element`, with its ancestors, the nearest first."""
    for child in element.children:
        if isinstance(child, Element):
            yield child, (element, *ancestors)
            yield from walk(child, (element, *ancestors))


def text(element: Element) -> str:
    return " ".join(str(child) for child in element.children)


def starred(html: str) -> list[str]:
    """The text of every label and legend that STARRED gives an asterisk, in page order."""
    found = []
    for element, (parent, *above) in walk(parse_html(html)):
        if element.name == "label":
            marked = (
                ("required" in classes(parent) and "visually-hidden" not in classes(element))
                or (
                    "form-check-label" in classes(element)
                    and "form-check" in classes(parent)
                    and bool(above)
                    and "required" in classes(above[0])
                )
                or "required" in classes(element)
            )
        elif element.name == "legend" and parent.name == "fieldset":
            siblings = [child for child in parent.children if isinstance(child, Element)]
            following = siblings[siblings.index(element) + 1 :]
            marked = len(following) == 1 and "required" in classes(following[0])
        else:
            continue
        if marked:
            found.append(text(element))
    return found


def test_the_stylesheet_marks_what_the_tests_expect():
    path = finders.find("reperes/site.css")
    assert isinstance(path, str)
    with open(path, encoding="utf-8") as css:
        rules = re.sub(r"\s+", " ", css.read())
    for selector in STARRED:
        assert selector in rules
    assert ".required label::after" not in rules  # every label of the field, each answer included


def test_the_signal_form_stars_the_consent_question_not_its_answers(client, partner_worker):
    client.force_login(partner_worker)
    html = client.get(reverse("registry:signal_create")).content.decode()

    assert starred(html) == [
        "Prénom ou surnom",
        "Commune où vit le jeune (ou où vous l'avez rencontré)",
        "Le jeune accepte-t-il d'être contacté par la Mission locale ?",
    ]
    answers = [
        text(element)
        for element, _ancestors in walk(parse_html(html))
        if element.name == "label" and (dict(element.attributes).get("for") or "").startswith("id_consent_")
    ]
    assert answers == [
        "Oui, il ou elle accepte d'être contacté·e",
        "Non, ou pas encore : la Mission locale passera par moi",
    ]


def test_the_column_mapping_stars_each_required_field_once():
    form = MappingForm(columns=["NOM", "PRENOM"], mapping={})
    html = Template("{% load django_bootstrap5 %}{% bootstrap_form form %}").render(Context({"form": form}))

    assert starred(html) == [str(target.label) for target in TARGETS if target.required]
    assert "*" not in html  # the stylesheet draws it, the label text has none

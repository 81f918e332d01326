"""The permission matrix's lines for reperes.pathways (merged into EXPECTED by test_permission_matrix).

EXPECTED: URL name -> Rule, written from the rules' docstrings (see test_permission_matrix).
RELATIONS: a new argument name -> the relations it is exercised with (as RELATIONS_BY_ARGUMENTS).
populate(world): creates the objects those relations name; returns argument name -> relation -> pk.
"""

from typing import Any

from tests.privacy.test_permission_matrix import Rule

EXPECTED: dict[str, Rule] = {}
RELATIONS: dict[frozenset[str], tuple[str, ...]] = {}


def populate(world: Any) -> dict[str, dict[str, int]]:
    return {}

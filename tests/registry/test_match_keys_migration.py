"""Migration 0006 writes every youth's blocking keys again from plain fields (historical models
have no properties): the keys must be those the registry writes itself."""

import importlib
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from reperes.matching import blocking_keys
from reperes.registry.enums import BirthPrecision
from reperes.registry.identity import record_of
from reperes.registry.models import YouthMatchKey
from reperes.registry.services import draft_youth
from reperes.territory.models import Commune

migration = importlib.import_module("reperes.registry.migrations.0006_rebuild_match_keys")
pytestmark = pytest.mark.django_db


def test_the_rebuilt_keys_are_those_of_record_of(mission):
    saverne = Commune.objects.get(code="67437")
    youths = [
        draft_youth(first_name="Léa", last_name="Dupont", commune=saverne, birth_date=date(2007, 3, 2), sex="F"),
        draft_youth(first_name="Hugo", last_name="Weber", commune=None, approximate_age=18),
        draft_youth(first_name="Inès", last_name="Martin", commune=saverne, birth_date=date(2006, 5, 1)),
    ]
    youths[2].usage_name, youths[2].birth_precision = "Benali", BirthPrecision.MONTH
    for youth in youths:
        youth.mission_locale = mission
        youth.save()
    # As `migrate` runs it: with the historical models, which have no properties.
    historical = MigrationLoader(connection).project_state(("registry", "0006_rebuild_match_keys")).apps
    migration.rebuild(historical, None)
    for youth in youths:
        stored = set(YouthMatchKey.objects.filter(youth=youth).values_list("key", flat=True))
        assert stored == blocking_keys(record_of(youth))
        assert any(key.startswith("g:") for key in stored) == bool(youth.commune)

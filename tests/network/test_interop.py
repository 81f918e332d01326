import copy
import json
from io import StringIO

import pytest
from data_inclusion.schema.v1 import Service as SchemaService
from data_inclusion.schema.v1 import Structure as SchemaStructure
from django.core.management import CommandError, call_command
from django.utils import timezone

from reperes.demo.steps import STEPS
from reperes.network.enums import OrganisationKind, Vocabulary
from reperes.network.interop import (
    MAX_FILE_BYTES,
    MAX_RECORDS,
    InvalidDocument,
    export_directory,
    import_directory,
)
from reperes.network.models import ChangeRecord, Membership, Organisation, Service, Term
from reperes.network.selectors import search_services
from reperes.network.services import create_service
from reperes.territory.models import Commune
from tests.network.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIEN_SOCIAL = "remobilisation--lien-social"


def plain_document():
    """A data·inclusion file from another directory, without Repères' sidecar."""
    return {
        "structures": [
            {
                "source": "dora",
                "id": "dora--mjc-haguenau",
                "nom": "Maison des jeunes et de la culture de Haguenau",
                "date_maj": "2025-01-15",
                "description": "Accueil, loisirs et accompagnement des 11-25 ans.",
                "code_insee": "67180",
                "commune": "Haguenau",
                "code_postal": "67500",
                "adresse": "12 rue des Jeunes",
                "courriel": "contact@mjc-haguenau.fr",
                "site_web": "https://mjc-haguenau.fr",
                "reseaux_porteurs": ["mjc"],
            },
            {
                "source": "dora",
                "id": "dora--epicerie-ried",
                "nom": "Épicerie solidaire du Ried",
                "date_maj": "2025-02-01",
                "code_insee": "68066",
            },
        ],
        "services": [
            {
                "source": "dora",
                "id": "dora--accueil-jeunes",
                "structure_id": "dora--mjc-haguenau",
                "nom": "Accueil jeunes du mercredi",
                "description": "Un lieu pour se retrouver, monter des projets et parler de ses soucis.",
                "date_maj": "2025-01-15",
                "type": "accompagnement",
                "thematiques": [LIEN_SOCIAL],
                "publics": ["jeunes"],
                "zone_eligibilite": ["67180", "200067841"],
                "horaires_accueil": "We 14:00-18:00",
            },
            {
                "source": "dora",
                "id": "dora--colis",
                "structure_id": "dora--epicerie-ried",
                "nom": "Colis alimentaires",
                "description": "Colis alimentaires chaque semaine, sur orientation.",
                "date_maj": "2025-02-01",
                "thematiques": ["equipement-et-alimentation--alimentation"],
                "zone_eligibilite": ["68"],
            },
        ],
    }


def row_counts():
    return (
        Organisation.objects.count(),
        Service.objects.count(),
        Service.themes.through.objects.count(),
        Service.communes.through.objects.count(),
        Organisation.networks.through.objects.count(),
    )


def directory_snapshot():
    return list(Organisation.objects.order_by("pk").values()), list(Service.objects.order_by("pk").values())


def test_export_of_the_demo_directory_fits_the_data_inclusion_schema(demo):
    document = export_directory()

    partners = Organisation.objects.active().partners()
    assert len(document["structures"]) == partners.count() > 0
    assert len(document["services"]) == Service.objects.active().filter(organisation__in=partners).count()
    for record in document["structures"]:
        SchemaStructure.model_validate(record)
    for record in document["services"]:
        SchemaService.model_validate(record)
    assert json.loads(json.dumps(document)) == document
    relais = Organisation.objects.get(name="CSAPA Le Relais")
    structure = next(r for r in document["structures"] if r["nom"] == relais.name)
    assert structure["source"] == "reperes"
    assert structure["id"] == f"reperes--{relais.pk}"
    assert (structure["code_insee"], structure["commune"], structure["code_postal"]) == (
        "67482",
        "Strasbourg",
        "67000",
    )
    assert document["reperes"]["structures"][structure["id"]]["kind"] == "csapa"
    service = next(r for r in document["services"] if r["structure_id"] == structure["id"])
    assert service["thematiques"] == ["sante--addictions"]
    # No commune listed: the service serves its organisation's area.
    assert service["zone_eligibilite"] == sorted(relais.territory.communes.values_list("code", flat=True))


def test_export_keeps_what_the_schema_cannot_carry_in_the_sidecar(db):
    organisation = OrganisationFactory(name="Club de boxe", kind=OrganisationKind.SPORT_CULTURE, can_identify=True)
    terms = {(t.vocabulary, t.code): t for t in Term.objects.all()}
    service = create_service(
        organisation,
        name="Boxe éducative",
        themes=[terms[(Vocabulary.THEME, "remobilisation--activites-sportives-et-culturelles")]],
        publics=[terms[(Vocabulary.PUBLIC, "jeunes")]],
        types=[terms[(Vocabulary.SERVICE_TYPE, "atelier")], terms[(Vocabulary.SERVICE_TYPE, "accompagnement")]],
        opening_hours="le mercredi après-midi",
        is_itinerant=True,
        acting_user=None,
    )
    # Services now refuse this combination; older rows (or the admin) may still hold it.
    service.publics.add(terms[(Vocabulary.PUBLIC, "tous-publics")])

    document = export_directory()

    record = document["services"][0]
    assert record["publics"] == ["tous-publics"]  # the schema forbids « tous-publics » with others
    assert record["type"] == "accompagnement"
    assert record["description"] == "Boxe éducative"  # the schema requires one
    assert "horaires_accueil" not in record  # ours is free text, the schema expects OSM opening_hours
    assert document["reperes"]["services"][f"reperes--{service.pk}"] == {
        "publics": ["jeunes", "tous-publics"],
        "types": ["accompagnement", "atelier"],
        "description": "",
        "opening_hours": "le mercredi après-midi",
        "is_itinerant": True,
    }
    assert document["reperes"]["structures"][f"reperes--{organisation.pk}"] == {
        "kind": "sport_culture",
        "can_identify": True,
        "themes": [],
    }


def test_round_trip_into_an_empty_directory_gives_the_same_document(demo):
    exported = export_directory()
    # The demo's signals, actions, referrals and projects point at the partners: undo them first.
    for step in reversed(STEPS[STEPS.index(next(s for s in STEPS if s.name == "jeunes")) :]):
        step.reset()
    partners = Organisation.objects.partners()
    Service.objects.filter(organisation__in=partners).delete()
    Membership.objects.filter(organisation__in=partners).delete()
    partners.delete()

    report = import_directory(copy.deepcopy(exported))

    assert report.structures.created == len(exported["structures"])
    assert report.services.created == len(exported["services"])
    assert export_directory() == exported
    # The imported services are found by need and commune, like the ones typed in.
    strasbourg = Commune.objects.get(code="67482")
    assert search_services(theme="sante", commune=strasbourg, text="consultation").exists()


def test_importing_our_own_export_changes_nothing(demo):
    exported = export_directory()
    before = directory_snapshot()

    report = import_directory(exported)

    assert (report.structures.created, report.structures.updated) == (0, 0)
    assert report.structures.unchanged == len(exported["structures"])
    assert (report.services.created, report.services.updated) == (0, 0)
    assert report.services.unchanged == len(exported["services"])
    assert directory_snapshot() == before


def test_importing_the_same_file_twice_changes_nothing_the_second_time(db):
    first = import_directory(plain_document())
    assert (first.structures.created, first.services.created) == (2, 2)
    before = directory_snapshot()

    second = import_directory(plain_document())

    assert (second.structures.created, second.structures.updated, second.structures.unchanged) == (0, 0, 2)
    assert (second.services.created, second.services.updated, second.services.unchanged) == (0, 0, 2)
    assert directory_snapshot() == before


def test_a_plain_data_inclusion_file_imports_with_defaults(db):
    import_directory(plain_document())

    mjc = Organisation.objects.get(source="dora", external_id="dora--mjc-haguenau")
    assert (mjc.kind, mjc.can_identify, mjc.territory) == (OrganisationKind.OTHER_PARTNER, False, None)
    assert (mjc.commune_id, mjc.email, mjc.website) == ("67180", "contact@mjc-haguenau.fr", "https://mjc-haguenau.fr")
    assert list(mjc.networks.values_list("code", flat=True)) == ["mjc"]
    accueil = mjc.services.get()
    assert accueil.opening_hours == "We 14:00-18:00"
    assert list(accueil.types.values_list("code", flat=True)) == ["accompagnement"]
    # An EPCI in the zone stands for its communes, a département for all of its own.
    bossue = set(Commune.objects.current().filter(epci_id="200067841").values_list("code", flat=True))
    assert set(accueil.communes.values_list("code", flat=True)) == bossue | {"67180"}
    colis = Service.objects.get(external_id="dora--colis")
    assert colis.communes.count() == Commune.objects.current().filter(departement_id="68").count()
    assert search_services(theme="equipement-et-alimentation", commune=Commune.objects.get(code="68066")).exists()


def test_a_changed_record_updates_the_row_and_keeps_our_own_values(db):
    import_directory(plain_document())
    mjc = Organisation.objects.get(external_id="dora--mjc-haguenau")
    mjc.kind = OrganisationKind.SOCIAL_CENTRE
    mjc.save(update_fields=["kind"])
    document = plain_document()
    document["structures"][0]["nom"] = "MJC Robert Schuman"
    document["structures"][0]["date_maj"] = "2025-03-01"
    document["services"][1]["description"] = "Colis et paniers de légumes chaque semaine, sur orientation."
    document["services"][1]["thematiques"].append("famille--soutien-aidants")
    importer = UserFactory()

    report = import_directory(document, acting_user=importer)

    assert (report.structures.updated, report.structures.unchanged) == (1, 1)
    assert (report.services.updated, report.services.unchanged) == (1, 1)
    mjc.refresh_from_db()
    assert (mjc.name, mjc.kind) == ("MJC Robert Schuman", OrganisationKind.SOCIAL_CENTRE)
    assert timezone.localdate(mjc.updated_at).isoformat() == "2025-03-01"
    # The words of the organisation's new name and of the new description are searchable.
    assert search_services(text="schuman").get().external_id == "dora--accueil-jeunes"
    assert search_services(text="legumes", theme="famille").get().external_id == "dora--colis"
    # The change history of the edit pages shows who imported what.
    record = ChangeRecord.objects.get(organisation=mjc, service=None)
    assert record.user == importer
    assert record.changes["nom"] == ["Maison des jeunes et de la culture de Haguenau", "MJC Robert Schuman"]
    record = ChangeRecord.objects.get(service__external_id="dora--colis")
    assert record.changes["thématiques"] == ["Alimentation", "Alimentation, Soutien aux aidants"]


def test_what_repères_cannot_hold_is_imported_with_a_warning(db):
    document = plain_document()
    document["services"][1]["description"] = "Une très longue description. " * 100
    document["services"][1]["zone_eligibilite"] = ["france"]

    report = import_directory(document)

    assert [(w.position, w.field) for w in report.warnings] == [
        ("services[1]", "description"),
        ("services[1]", "zone_eligibilite"),
    ]
    colis = Service.objects.get(external_id="dora--colis")
    assert len(colis.description) == 2000
    assert not colis.communes.exists()


def test_the_sidecar_is_checked_like_the_records(db):
    document = plain_document()
    document["reperes"] = {
        "structures": {"dora--mjc-haguenau": {"kind": "mission_locale", "can_identify": "oui"}},
        "services": {"dora--colis": {"themes": ["inconnu"]}},
    }

    with pytest.raises(InvalidDocument) as refused:
        import_directory(document)

    assert [(e.position, e.field) for e in refused.value.report.errors] == [
        ("structures[0]", "reperes.kind"),
        ("structures[0]", "reperes.can_identify"),
        ("services[1]", "reperes.themes"),
    ]


def test_a_file_with_bad_records_is_refused_whole_and_every_problem_is_listed(db):
    document = plain_document()
    good_service = document["services"][0]
    document["structures"] += [
        {"source": "dora", "id": "dora--sans-nom", "date_maj": "2025-01-01"},
        {
            "source": "dora",
            "id": "dora--atlantide",
            "nom": "Atlantide",
            "date_maj": "2025-01-01",
            "code_insee": "00000",
        },
    ]
    document["services"] += [
        {**good_service, "id": "dora--magie", "thematiques": ["sante--magie-noire"]},
        {**good_service, "id": "dora--orphelin", "structure_id": "dora--disparue"},
        {**good_service, "id": "dora--sans-theme", "thematiques": []},
        {**good_service},
    ]
    before = row_counts()

    with pytest.raises(InvalidDocument) as refused:
        import_directory(document)

    errors = {(e.position, e.field): e for e in refused.value.report.errors}
    assert list(errors) == [
        ("structures[2]", "nom"),
        ("structures[3]", "code_insee"),
        ("services[2]", "thematiques"),
        ("services[3]", "structure_id"),
        ("services[4]", "thematiques"),
        ("services[5]", "id"),
    ]
    assert errors[("structures[2]", "nom")].message == "champ obligatoire"
    assert errors[("services[2]", "thematiques")].message == "valeur inconnue : « sante--magie-noire »"
    assert errors[("services[3]", "structure_id")].record_id == "dora--orphelin"
    assert errors[("services[4]", "thematiques")].message == (
        "un service sans thématique ne peut pas être trouvé par besoin"
    )
    assert str(errors[("structures[3]", "code_insee")]) == (
        "structures[3] (dora--atlantide) — code_insee : commune inconnue : « 00000 »"
    )
    assert row_counts() == before
    assert not Organisation.objects.filter(source="dora").exists()


def test_an_import_never_overwrites_a_mission_locale(db):
    mission_locale = OrganisationFactory(mission_locale=True)
    document = plain_document()
    document["structures"][0]["id"] = f"reperes--{mission_locale.pk}"
    document["structures"][0]["source"] = "reperes"
    document["services"][0]["structure_id"] = f"reperes--{mission_locale.pk}"

    with pytest.raises(InvalidDocument) as refused:
        import_directory(document)

    assert [(e.position, e.field) for e in refused.value.report.errors] == [("structures[0]", "id")]


def test_a_dry_run_reports_but_writes_nothing(db):
    before = row_counts()

    report = import_directory(plain_document(), dry_run=True)

    assert (report.structures.created, report.services.created) == (2, 2)
    assert "Simulation : rien n'a été enregistré." in report.summary_lines()
    assert row_counts() == before


def test_too_many_records_are_refused_before_checking_them(db):
    with pytest.raises(InvalidDocument) as refused:
        import_directory({"structures": [{}] * (MAX_RECORDS + 1)})

    assert "la limite est de 50000" in str(refused.value.report.errors[0])


def test_the_commands_export_then_import_a_file(demo, tmp_path):
    path = tmp_path / "annuaire.json"
    call_command("export_data_inclusion", "-o", str(path), stderr=StringIO())
    text = path.read_text(encoding="utf-8")
    assert "é" in text  # not escaped
    assert json.loads(text) == export_directory()
    stdout = StringIO()
    call_command("export_data_inclusion", stdout=stdout)
    assert json.loads(stdout.getvalue()) == json.loads(text)

    partners = Organisation.objects.partners().count()
    out = StringIO()
    call_command("import_data_inclusion", str(path), stdout=out, stderr=StringIO())
    assert f"Structures — créées : 0, mises à jour : 0, inchangées : {partners}." in out.getvalue()


def test_the_import_command_dry_run_writes_nothing(db, tmp_path):
    path = tmp_path / "dora.json"
    path.write_text(json.dumps(plain_document()), encoding="utf-8")
    out = StringIO()

    call_command("import_data_inclusion", str(path), "--dry-run", stdout=out, stderr=StringIO())

    assert "Structures — créées : 2, mises à jour : 0, inchangées : 0." in out.getvalue()
    assert "Simulation : rien n'a été enregistré." in out.getvalue()
    assert not Organisation.objects.filter(source="dora").exists()


def test_the_import_command_lists_every_error_and_fails(db, tmp_path):
    document = plain_document()
    del document["structures"][1]["nom"]
    document["services"][1]["thematiques"] = []
    path = tmp_path / "dora.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError, match="2 erreur"):
        call_command("import_data_inclusion", str(path), stdout=StringIO(), stderr=err)

    assert "structures[1] (dora--epicerie-ried) — nom : champ obligatoire" in err.getvalue()
    assert "services[1] (dora--colis) — thematiques : un service sans thématique" in err.getvalue()
    assert not Organisation.objects.filter(source="dora").exists()


def test_the_import_command_refuses_a_file_too_large_before_reading_it(db, tmp_path):
    path = tmp_path / "enorme.json"
    with open(path, "wb") as stream:
        stream.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is actually written
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_data_inclusion", str(path), stdout=StringIO(), stderr=err)

    assert "Le fichier pèse 20,0 Mo : la limite est de 20 Mo." in err.getvalue()


def test_the_import_command_explains_a_file_that_is_not_json(db, tmp_path):
    path = tmp_path / "pas-du-json.json"
    path.write_text("{structures: ", encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_data_inclusion", str(path), stdout=StringIO(), stderr=err)

    assert "n'est pas un JSON valide (ligne 1, colonne 2)" in err.getvalue()

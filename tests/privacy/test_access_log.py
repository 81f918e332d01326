"""The access log: every read of a youth's file, every result list and every merge leaves exactly
one entry per youth shown (issue 4, ADR 003: « the access log holds exactly one entry per read in a
test that exercises every read path »).

The URLs come from the resolver, as in the permission matrix: a new page cannot ship without a line
in READS saying what it shows and so what it must log. Each request runs in a transaction rolled
back afterwards, so every read sees the same world; the entries it added are collected first.

Every read is checked twice:

* against the entries written by hand in READS: who, which youth, which action, and for a file
  read which sections — each exactly once;
* against the page itself: every youth whose (unusual, unique) last name appears on the page has
  exactly one entry, and no other youth has one. Form fields are left out, so that a name typed in
  a search box does not count as shown.

Run with ``-s`` to see « N URLs classées, M lectures, 0 écart ».
"""

import io
import logging
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from reperes.network.enums import Role, Vocabulary
from reperes.network.models import FundingScheme, Organisation, Service, Term, User
from reperes.network.services import create_service, load_funding_schemes
from reperes.privacy.enums import AccessAction, Section
from reperes.privacy.models import AccessLog
from reperes.registry.enums import Barrier, ImportStatus, InformedHow, SignalStatus
from reperes.registry.models import DuplicateCandidate, ListImport, Merge, Signal, Youth
from reperes.registry.review import sweep_duplicates
from reperes.registry.services import ask_partner_for_meeting, merge_youths
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.privacy.test_permission_matrix import Route, resolver_routes
from tests.registry.factories import ConsentFactory, ListImportFactory, SignalFactory, commune, mission_locale

READ, LIST, MERGE, UNMERGE = AccessAction.READ, AccessAction.LIST, AccessAction.MERGE, AccessAction.UNMERGE
EXPORT = AccessAction.EXPORT
FILE = frozenset({Section.IDENTITY, Section.PATHWAY})


# --- The world ----------------------------------------------------------------------------------
#
# Mission locale A (Saverne) holds:
#   KELLER      Inès, reported by partner P with her agreement; référent: the counsellor; her
#               consent shares housing and health with P. Also a line of the imported list.
#   KELLLER     Ines, reported by partner R without a birth date: a new record, « peut-être déjà
#               connue » as KELLER.
#   ZIMMERLIN   Nadia, reported twice identically by R: one record, two new signals.
#   VOGTLANDER / VOGTLENDER  two records the sweep proposes as one person.
#   WENDLING    Karim, who absorbed WENDLINGER (Karime) in a merge; both signals now on WENDLING.
#   PFISTERER   Yanis, reported by P, who then withdrew his consent: P no longer sees the file.
#   HUFSCHMITT / OBERLECHNER  opened by the imported dropout list, still to inform.
# Mission locale B (Strasbourg) holds HERTZOG (Lucas), reported by R.
# P also sent a contact opportunity (« Samir », no agreement, no record); A asked P to propose a
# meeting to him.


def born(years: int, days: int = 0) -> date:
    """A birth date some years and days ago: the world never ages out of the programme's public."""
    return timezone.localdate() - timedelta(days=years * 365 + years // 4 + days)


BIRTH = born(19, 120)
LIST_HEADER = "NOM;PRENOM;DATE_NAISSANCE;SEXE;COMMUNE;INE;DERNIERE CLASSE"


def _list(*lines: str) -> bytes:
    return ("\n".join([LIST_HEADER, *lines]) + "\n").encode()


KELLER_LINE = f"Keller;Inès;{BIRTH:%d/%m/%Y};F;Saverne;;3e"
DONE_LIST = _list(
    KELLER_LINE,
    f"Hufschmitt;Léa;{born(18, 30):%d/%m/%Y};F;Saverne;;3e",
    f"Oberlechner;Kevin;{born(19):%Y};M;67437;;CAP",
)
CHECKED_LIST = _list(KELLER_LINE, f"Rieffenacht;Jade;{born(18, 90):%d/%m/%Y};F;Saverne;;")
MAPPING_LIST = _list(f"Kleinhanser;Marie;{born(18, 200):%d/%m/%Y};F;Saverne;;")


@dataclass
class World:
    users: dict[str, User]
    youths: dict[str, Youth]  # by last name, as typed
    signals: dict[str, Signal]
    merge: Merge
    candidate: DuplicateCandidate
    imports: dict[str, ListImport]
    partner: Organisation
    service: Service
    scheme: FundingScheme
    reset_link: dict[str, str]
    # What the extensions (tests/privacy/access_*.py) add to the world, by name.
    extra: dict[str, Any] = field(default_factory=dict)

    def id(self, name: str) -> int:
        return self.youths[name].pk


def _member(role: str, organisation: Organisation, first_name: str, last_name: str) -> User:
    return MembershipFactory(
        role=role, organisation=organisation, user__first_name=first_name, user__last_name=last_name
    ).user


def _report(author: User, first_name: str, last_name: str, code: str = "67437", **extra: Any) -> Signal:
    """A named signal; an approximate age of 19 when no birth date is given."""
    extra.setdefault("birth_date", None)
    if extra["birth_date"] is None:
        extra.setdefault("approximate_age", 19)
    return SignalFactory(author=author, first_name=first_name, last_name=last_name, commune=commune(code), **extra)


def _import(user: User, name: str, content: bytes, *, check: bool = True, commit: bool = False) -> ListImport:
    return ListImportFactory(created_by=user, file_name=name, content=content, check=check, commit=commit)


@pytest.fixture
def world(db) -> World:
    mission_a = mission_locale("Mission locale A", "67437", "67300")
    mission_b = mission_locale("Mission locale B", "67482")
    partner_p = OrganisationFactory(name="Partenaire P", territory=area("P", "67437"), commune_id="67437")
    partner_r = OrganisationFactory(name="Partenaire R", commune_id="67482")
    users = {
        "counsellor": _member(Role.COUNSELLOR, mission_a, "Claire", "Conseil"),
        "colleague": _member(Role.COUNSELLOR, mission_a, "Paul", "Collegue"),
        "coordinator": _member(Role.COORDINATOR, mission_a, "Alice", "Coordination"),
        "partner": _member(Role.PARTNER_WORKER, partner_p, "Bruno", "Educateur"),
        "funder": _member(Role.FUNDER_OFFICER, OrganisationFactory(funder=True), "Rita", "Region"),
        "admin": _member(Role.ADMIN, OrganisationFactory(operator=True), "Omar", "Operateur"),
        "counsellor_b": _member(Role.COUNSELLOR, mission_b, "Berthe", "Ailleurs"),
    }
    worker_r = _member(Role.PARTNER_WORKER, partner_r, "Remi", "Rue")
    counsellor, partner = users["counsellor"], users["partner"]

    signals = {
        # Taken in by the counsellor, her référent. Barriers signalled: the file shows their flag to
        # those granted the health section.
        "Keller": _report(partner, "Inès", "Keller", birth_date=BIRTH, barriers=[Barrier.HEALTH], referent=counsellor),
        "Kelller": _report(worker_r, "Ines", "Kelller"),
        "Zimmerlin": _report(worker_r, "Nadia", "Zimmerlin", birth_date=born(19, 200)),
        "Zimmerlin again": _report(worker_r, "Nadia", "Zimmerlin", birth_date=born(19, 200)),
        "Vogtlander": _report(worker_r, "Zoé", "Vogtlander", birth_date=born(19, 60)),
        "Vogtlender": _report(worker_r, "Zoe", "Vogtlender"),
        "Wendling": _report(worker_r, "Karim", "Wendling", birth_date=born(20, 150)),
        "Wendlinger": _report(worker_r, "Karime", "Wendlinger"),
        "Pfisterer": _report(partner, "Yanis", "Pfisterer", birth_date=born(18, 10)),
        "Hertzog": _report(worker_r, "Lucas", "Hertzog", code="67482"),
        "opportunity": SignalFactory(author=partner, first_name="Samir", opportunity=True, approximate_age=None),
    }
    youths = {name: signal.youth for name, signal in signals.items() if signal.youth is not None}
    del youths["Zimmerlin again"]
    assert signals["Zimmerlin again"].youth == youths["Zimmerlin"]
    assert signals["Zimmerlin again"].status == SignalStatus.NEW

    assert youths["Keller"].referent == counsellor
    ConsentFactory(
        youth=youths["Keller"],
        informed_how=InformedHow.IN_PERSON,
        share_with=[partner_p],
        sensitive_sections=[Section.HOUSING, Section.HEALTH],
        acting_user=counsellor,
    )
    ConsentFactory(
        youth=youths["Pfisterer"],
        informed_how=InformedHow.PHONE,
        share_with=[partner_p],
        acting_user=counsellor,
        withdrawn=True,
    )
    merge = merge_youths(youths["Wendling"], youths["Wendlinger"], acting_user=counsellor)

    done = _import(counsellor, "decrocheurs.csv", DONE_LIST, commit=True)
    assert done.status == ImportStatus.DONE, done.report
    for name in ("Hufschmitt", "Oberlechner"):
        youths[name] = Youth.objects.get(last_name__iexact=name)
    checked = _import(counsellor, "relance.csv", CHECKED_LIST)
    assert checked.status == ImportStatus.CHECKED, checked.report

    sweep_duplicates(mission_a)
    pairs = {
        (candidate.youth_a.last_name, candidate.youth_b.last_name) for candidate in DuplicateCandidate.objects.all()
    }
    assert pairs == {("Keller", "Kelller"), ("Vogtlander", "Vogtlender")}, pairs

    theme = Term.objects.get(vocabulary=Vocabulary.THEME, code="remobilisation--lien-social")
    load_funding_schemes()
    scheme = FundingScheme.objects.active().order_by("pk").first()
    assert scheme is not None
    for youth in youths.values():
        youth.refresh_from_db()
    world = World(
        users=users,
        youths=youths,
        signals=signals,
        merge=merge,
        candidate=DuplicateCandidate.objects.get(youth_a=youths["Vogtlander"]),
        imports={
            "done": done,
            "checked": checked,
            "mapping": _import(counsellor, "nouvelle.csv", MAPPING_LIST, check=False),
            "other": _import(users["counsellor_b"], "b.csv", MAPPING_LIST, check=False),
        },
        partner=partner_p,
        service=create_service(partner_p, name="Accueil de jour", themes=[theme], acting_user=None),
        scheme=scheme,
        reset_link={
            "uidb64": urlsafe_base64_encode(force_bytes(users["counsellor_b"].pk)),
            "token": default_token_generator.make_token(users["counsellor_b"]),
        },
    )
    # The Mission locale asked P to propose a meeting to the youth of the opportunity.
    ask_partner_for_meeting(signals["opportunity"], acting_user=counsellor)
    for extension in EXTENSIONS:
        world.extra |= extension.populate(world)
    for youth in world.youths.values():
        youth.refresh_from_db()
    return world


# --- What each URL shows, and so what it must log -----------------------------------------------

# An entry expected from one read: the youth (by last name), the action, and for a file read the
# sections named (None for the other actions, whose sections are not checked).
Entry = tuple[str, str, frozenset[str] | None]
Kwargs = Callable[[World], dict[str, Any]]


def read(name: str, sections: frozenset[str] = frozenset({Section.IDENTITY})) -> Entry:
    return (name, READ, sections)


def listed(*names: str) -> tuple[Entry, ...]:
    return tuple((name, LIST, None) for name in names)


def both(action: str, *names: str) -> tuple[Entry, ...]:
    return tuple((name, action, None) for name in names)


def no_arguments(world: World) -> dict[str, Any]:
    return {}


def youth(name: str) -> Kwargs:
    return lambda world: {"youth_id": world.id(name)}


def signal(name: str) -> Kwargs:
    return lambda world: {"signal_id": world.signals[name].pk}


def opportunity(name: str) -> Kwargs:
    return lambda world: {"opportunity_id": world.signals[name].pk}


def list_import(name: str) -> Kwargs:
    return lambda world: {"import_id": world.imports[name].pk}


@dataclass(frozen=True)
class Read:
    """One request by one member of the world, and the entries it must add to the log."""

    who: str
    kwargs: Kwargs = no_arguments
    method: str = "GET"
    data: Kwargs = no_arguments
    htmx: bool = False
    status: int = 200
    entries: tuple[Entry, ...] = ()


def get(who: str, kwargs: Kwargs = no_arguments, *entries: Entry, htmx: bool = False, status: int = 200) -> Read:
    return Read(who=who, kwargs=kwargs, htmx=htmx, status=status, entries=entries)


def post(
    who: str,
    kwargs: Kwargs = no_arguments,
    data: Kwargs = no_arguments,
    *entries: Entry,
    htmx: bool = False,
    status: int = 302,
) -> Read:
    return Read(who=who, kwargs=kwargs, method="POST", data=data, htmx=htmx, status=status, entries=entries)


@dataclass(frozen=True)
class NoYouth:
    """A page that never shows a young person: opened by every member, it logs nothing."""

    why: str
    method: str = "GET"


# Every active record Mission locale A holds, as its staff see them.
HELD_BY_A = (
    "Keller",
    "Kelller",
    "Zimmerlin",
    "Vogtlander",
    "Vogtlender",
    "Wendling",
    "Pfisterer",
    "Hufschmitt",
    "Oberlechner",
)
# The triage queue (new named signals, each youth once even when reported twice) and the youths a
# list brought in who are still to inform: all Mission locale A holds but Keller, who has a référent.
TRIAGE_PAGE = tuple(name for name in HELD_BY_A if name != "Keller")
MISSING = 10**9


def _search(q: str, **extra: str) -> Kwargs:
    return lambda world: {"q": q, **extra}


def _form_known(first_name: str, last_name: str, **extra: Any) -> Kwargs:
    data = {"first_name": first_name, "last_name": last_name, "commune": "67437", "consent": "contact", **extra}
    return lambda world: data


def _consent(world: World) -> dict[str, Any]:
    return {
        "informed_on": timezone.localdate().isoformat(),
        "informed_how": InformedHow.IN_PERSON,
        "share_with": [world.partner.pk],
        "sensitive_sections": [Section.HOUSING],
    }


def _attempt(world: World) -> dict[str, Any]:
    return {"happened_on": timezone.localdate().isoformat(), "channel": "partner", "outcome": "reached_agrees"}


def _open_file(world: World) -> dict[str, Any]:
    return {
        "first_name": "Samir",
        "last_name": "Quellmatt",
        "approximate_age": "19",
        "informed_on": timezone.localdate().isoformat(),
        "informed_how": InformedHow.PARTNER,
        "share_with_partner": "on",
    }


def _mapping(world: World) -> dict[str, Any]:
    return {name: str(index) for name, index in world.imports["mapping"].mapping.items()}


def _upload(world: World) -> dict[str, Any]:
    content = _list(f"Lautenbacher;Emma;{born(18, 250):%d/%m/%Y};F;Saverne;;")
    return {"file": SimpleUploadedFile("autre.csv", content, content_type="text/csv"), "kind": "dropout"}


READS: dict[str, NoYouth | tuple[Read, ...]] = {
    # --- Pages that never name a young person ---
    "web:home": NoYouth("counts of signals, never a name"),
    "web:legal_notice": NoYouth("legal text"),
    "web:personal_data": NoYouth("legal text"),
    "web:accessibility": NoYouth("legal text"),
    "login": NoYouth("authentication"),
    "logout": NoYouth("authentication", method="POST"),
    "password_reset": NoYouth("authentication"),
    "password_reset_done": NoYouth("authentication"),
    "password_reset_confirm": NoYouth("authentication"),
    "password_reset_complete": NoYouth("authentication"),
    "password_change": NoYouth("authentication"),
    "password_change_done": NoYouth("authentication"),
    "second_factor": NoYouth("one's own second factor"),
    "second_factor_setup": NoYouth("authentication"),
    "second_factor_verify": NoYouth("authentication"),
    "second_factor_new_codes": NoYouth("one's own recovery codes", method="POST"),
    "territory:commune_search": NoYouth("reference data: communes"),
    "network:directory": NoYouth("organisations and their services"),
    "network:organisation_detail": NoYouth("an organisation and its services"),
    "network:service_detail": NoYouth("a service"),
    "network:directory_export": NoYouth("organisations and their services (data·inclusion)"),
    "network:funding_schemes": NoYouth("funding schemes"),
    "network:funding_scheme_detail": NoYouth("a funding scheme"),
    "network:organisation_edit": NoYouth("an organisation's profile"),
    "network:service_create": NoYouth("a service form"),
    "network:service_edit": NoYouth("a service form"),
    "network:coverage": NoYouth("communes with or without a partner"),
    "network:directory_import": NoYouth("an import of organisations"),
    "network:members": NoYouth("members of an organisation"),
    "network:member_add": NoYouth("a form to add a member"),
    "network:member_deactivate": NoYouth("a removal of a member", method="POST"),
    "network:member_second_factor_reset": NoYouth("a member's second factor reset", method="POST"),
    "network:access_overview": NoYouth("members and partners with access, and who granted it"),
    # --- The caseload: one list entry per youth on the page shown, whatever the way it is asked ---
    "registry:youth_list": (
        get("counsellor", no_arguments, *listed(*HELD_BY_A)),
        get("counsellor", no_arguments, *listed(*HELD_BY_A), htmx=True),
        post("counsellor", no_arguments, _search("keller"), *listed("Keller"), status=200),
        post("counsellor", no_arguments, _search("ines"), *listed("Keller", "Kelller"), htmx=True, status=200),
        post("counsellor", no_arguments, _search("", mine="1"), *listed("Keller"), htmx=True, status=200),
        # Nothing found, nothing logged: a youth of another Mission locale stays out of sight.
        post("counsellor", no_arguments, _search("hertzog"), status=200),
        post("coordinator", no_arguments, _search("", mine="1"), status=200),
        get("partner", no_arguments, *listed("Keller")),
        get("counsellor_b", no_arguments, *listed("Hertzog")),
        get("funder", status=404),
        get("admin", status=404),
    ),
    # --- A file: one read entry naming the sections the reader may see ---
    # The edit form shows identity and school situation: one read entry.
    "registry:youth_edit": (
        get("counsellor", youth("Keller"), read("Keller", FILE)),
        get("partner", youth("Keller"), status=404),
        get("counsellor_b", youth("Keller"), status=404),
    ),
    # The right of access: the référent hands over the whole file, logged as one export.
    "registry:youth_subject_access": (
        get("counsellor", youth("Keller"), *both(EXPORT, "Keller")),
        get("colleague", youth("Keller"), status=404),
        get("coordinator", youth("Keller"), status=404),
        get("partner", youth("Keller"), status=404),
    ),
    "registry:youth_detail": (
        # What the page shows, not all the reader may see: the référent and the partner her consent
        # shares health with see the flag of barriers; the référent also reads, in the consent
        # history, that housing is shared (a section named is a section shown); justice has no part.
        get("counsellor", youth("Keller"), read("Keller", FILE | {Section.HEALTH, Section.HOUSING})),  # the référent
        get("colleague", youth("Keller"), read("Keller", FILE)),
        get("coordinator", youth("Keller"), read("Keller", FILE)),
        get("partner", youth("Keller"), read("Keller", FILE | {Section.HEALTH, Section.HOUSING})),
        get("counsellor", youth("Hufschmitt"), read("Hufschmitt", FILE)),
        # The file names the record it absorbed: that record is shown too.
        get("counsellor", youth("Wendling"), read("Wendling", FILE), *listed("Wendlinger")),
        get("partner", youth("Pfisterer"), status=404),  # consent withdrawn
        get("counsellor", youth("Wendlinger"), status=404),  # merged away
        get("counsellor", youth("Hertzog"), status=404),
        get("counsellor_b", youth("Keller"), status=404),
        get("counsellor", lambda world: {"youth_id": MISSING}, status=404),
        get("funder", youth("Keller"), status=404),
    ),
    # --- Signals ---
    "registry:signal_list": (
        get("counsellor", no_arguments, *listed(*TRIAGE_PAGE)),
        get("coordinator", no_arguments, *listed(*TRIAGE_PAGE)),
        get("counsellor_b", no_arguments, *listed("Hertzog")),
        # What the partner sent: the names it typed are names of records, shown again.
        get("partner", no_arguments, *listed("Keller", "Pfisterer")),
        get("funder", status=404),
        get("admin", status=404),
    ),
    "registry:signal_create": (
        get("partner"),
        get("counsellor"),
        post("partner", no_arguments, _form_known("Quentin", "Rohrbacher", approximate_age="20")),
        get("funder", status=404),
    ),
    "registry:signal_known": (
        # While the form is filled: the records the user may see are named (the exact one and the
        # one a letter away), each logged once.
        post(
            "counsellor",
            no_arguments,
            _form_known("Ines", "Kelller", approximate_age="19"),
            *listed("Keller", "Kelller"),
            htmx=True,
            status=200,
        ),
        # The partner sees the record it reported; the other one is only « déjà connu·e ».
        post(
            "partner",
            no_arguments,
            _form_known("Inès", "Keller", birth_date=BIRTH.isoformat()),
            *listed("Keller"),
            status=200,
        ),
        # Without the youth's agreement no name is compared, and nothing is shown.
        post("partner", no_arguments, _form_known("Inès", "Keller", consent="none"), htmx=True, status=200),
        post("funder", no_arguments, _form_known("Inès", "Keller"), status=404),
    ),
    "registry:signal_detail": (
        # The file of the signal's record, and the records it may be.
        get("counsellor", signal("Kelller"), read("Kelller"), *listed("Keller")),
        get("coordinator", signal("Zimmerlin"), read("Zimmerlin")),
        get("counsellor", signal("Wendlinger"), read("Wendling")),  # the signal followed the merge
        # Already triaged: no « peut-être déjà connu ». The barrier P ticked (health) is named to
        # her référent only: a section shown.
        get("counsellor", signal("Keller"), read("Keller", frozenset({Section.IDENTITY, Section.HEALTH}))),
        get("coordinator", signal("Keller"), read("Keller")),  # « 1 frein signalé, à confirmer sur le dossier »
        get("counsellor", signal("opportunity")),  # no record, no name
        get("counsellor", signal("Hertzog"), status=404),
        get("counsellor_b", signal("Kelller"), status=404),
        get("partner", signal("Keller"), status=404),
    ),
    "registry:signal_assign": (
        post("counsellor", signal("Kelller"), lambda world: {"referent": world.users["colleague"].pk}),
        post("counsellor_b", signal("Kelller"), lambda world: {"referent": world.users["colleague"].pk}, status=404),
    ),
    "registry:signal_dismiss": (
        post("counsellor", signal("Zimmerlin"), lambda world: {"status": "ineligible"}),
        post("counsellor", signal("opportunity"), lambda world: {"status": "unreachable"}),
        post("counsellor_b", signal("Zimmerlin"), lambda world: {"status": "unreachable"}, status=404),
    ),
    # --- Contact opportunities: no record, no name, until the youth agrees ---
    "registry:opportunity_contact": (
        post("counsellor", opportunity("opportunity"), _attempt),
        post("counsellor_b", opportunity("opportunity"), _attempt, status=404),
        post("partner", opportunity("opportunity"), _attempt, status=404),
    ),
    "registry:opportunity_ask_meeting": (
        post("coordinator", opportunity("opportunity")),  # already asked: refused, back to the page
        post("counsellor_b", opportunity("opportunity"), status=404),
    ),
    # The form shows only the first name P typed; the record it opens is not shown (a redirect).
    "registry:opportunity_open_file": (
        get("counsellor", opportunity("opportunity")),
        post("counsellor", opportunity("opportunity"), _open_file),
        post("counsellor", opportunity("opportunity"), lambda world: {}, status=200),
        get("counsellor_b", opportunity("opportunity"), status=404),
        get("partner", opportunity("opportunity"), status=404),
    ),
    "registry:opportunity_answer": (
        post("partner", opportunity("opportunity"), lambda world: {"answer": "not_seen"}),
        post("counsellor", opportunity("opportunity"), lambda world: {"answer": "not_seen"}, status=404),
    ),
    # --- Merges: one merge or unmerge entry for each of the two records ---
    "registry:signal_merge": (
        post(
            "counsellor",
            lambda world: {"signal_id": world.signals["Kelller"].pk, "youth_id": world.id("Keller")},
            no_arguments,
            *both(MERGE, "Keller", "Kelller"),
        ),
        post(
            "counsellor_b",
            lambda world: {"signal_id": world.signals["Kelller"].pk, "youth_id": world.id("Keller")},
            status=404,
        ),
    ),
    "registry:merge_undo": (
        post(
            "counsellor",
            lambda world: {"merge_id": world.merge.pk},
            no_arguments,
            *both(UNMERGE, "Wendling", "Wendlinger"),
        ),
        post("partner", lambda world: {"merge_id": world.merge.pk}, status=404),
    ),
    "registry:consent_record": (post("counsellor", youth("Keller"), _consent),),
    "registry:consent_withdraw": (post("counsellor", youth("Keller")), post("partner", youth("Keller"), status=404)),
    # --- Duplicates ---
    "registry:duplicate_list": (
        get("counsellor", no_arguments, *listed("Keller", "Kelller", "Vogtlander", "Vogtlender")),
        get("partner", status=404),
    ),
    "registry:duplicate_detail": (
        # Side by side: identity and school situation of both records.
        get(
            "counsellor",
            lambda world: {"candidate_id": world.candidate.pk},
            read("Vogtlander", FILE),
            read("Vogtlender", FILE),
        ),
        get("counsellor_b", lambda world: {"candidate_id": world.candidate.pk}, status=404),
    ),
    "registry:duplicate_merge": (
        post(
            "counsellor",
            lambda world: {"candidate_id": world.candidate.pk},
            lambda world: {"keep": world.id("Vogtlander")},
            *both(MERGE, "Vogtlander", "Vogtlender"),
        ),
    ),
    "registry:duplicate_distinct": (post("counsellor", lambda world: {"candidate_id": world.candidate.pk}),),
    # --- List imports: the report's lines name records ---
    "registry:import_list": (get("counsellor"), post("counsellor", no_arguments, _upload)),
    "registry:import_detail": (
        get("counsellor", list_import("done"), *listed("Keller", "Hufschmitt", "Oberlechner")),
        # Checked, not imported: the lines that join a known record name it.
        get("coordinator", list_import("checked"), *listed("Keller")),
        # Columns to map: the preview shows the file, which names nobody in the registry yet.
        get("counsellor", list_import("mapping")),
        get("counsellor", list_import("other"), status=404),
    ),
    "registry:import_progress": (get("counsellor", list_import("checked")),),
    "registry:import_errors_csv": NoYouth("line numbers, column names and reasons, never a value"),
    "registry:import_mapping": (post("counsellor", list_import("mapping"), _mapping),),
    "registry:import_commit": (post("counsellor", list_import("checked")),),
    "registry:import_cancel": (post("counsellor", list_import("mapping")),),
}

MEMBERS = ("counsellor", "coordinator", "partner", "funder", "admin")

# Each later app writes its lines in its own module (READS, populate(world), no_youth_kwargs), read
# here once the helpers above exist; they import this module, never the other way round.
from tests.privacy import (  # noqa: E402
    access_exports,
    access_mobilisation,
    access_operations,
    access_pathways,
    access_programme,
    access_referrals,
    access_reporting,
)

EXTENSIONS = (
    access_pathways,
    access_mobilisation,
    access_referrals,
    access_exports,
    access_programme,
    access_reporting,
    access_operations,
)
for _extension in EXTENSIONS:
    assert not set(_extension.READS) & set(READS), _extension.__name__
    READS |= _extension.READS


def no_youth_kwargs(route: Route, world: World) -> dict[str, Any]:
    arguments = route.arguments
    if arguments == {"uidb64", "token"}:
        return world.reset_link
    if arguments == {"scheme_id"}:
        return {"scheme_id": world.scheme.pk}
    if arguments == {"organisation_id"}:
        return {"organisation_id": world.partner.pk}
    if arguments == {"service_id"}:
        return {"service_id": world.service.pk}
    if arguments == {"organisation_id", "service_id"}:
        return {"organisation_id": world.partner.pk, "service_id": world.service.pk}
    if arguments == {"import_id"}:
        return {"import_id": world.imports["checked"].pk}
    for extension in EXTENSIONS:
        if (kwargs := extension.no_youth_kwargs(route, world)) is not None:
            return kwargs
    assert not arguments, f"{route.name}: arguments {sorted(arguments)} — add them to no_youth_kwargs"
    return {}


def test_every_url_says_what_it_logs():
    names = {route.name for route in resolver_routes()}
    unnamed = [route.route for route in resolver_routes() if route.name is None]
    assert not unnamed, f"URLs sans nom : {unnamed}"
    missing = sorted(str(name) for name in names - set(READS))
    assert not missing, f"URLs sans règle de journalisation : {missing} — ajoutez-les à READS"
    gone = sorted(set(READS) - names)
    assert not gone, f"READS nomme des URLs qui n'existent plus : {gone}"
    for name, reads in READS.items():
        if isinstance(reads, tuple):
            assert reads, f"{name} : au moins une lecture"


def test_the_admin_site_shows_no_young_person():
    """The walk leaves the admin site out (as the matrix does): it must hold no youth's data."""
    for label in ("registry", "privacy"):
        for model in apps.get_app_config(label).get_models():
            assert not admin.site.is_registered(model), f"{model._meta.label} est dans l'admin, hors journal"


# --- The walk -----------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def _request(client: Client, read: Read, path: str, world: World) -> tuple[HttpResponse, list[AccessLog]]:
    """One request whose writes are undone afterwards, and the log entries it added."""
    headers = {"HX-Request": "true"} if read.htmx else {}
    last = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response, added = None, []
    try:
        with transaction.atomic():
            if read.method == "POST":
                response = client.post(path, read.data(world), headers=headers)
            else:
                response = client.get(path, headers=headers)
            added = list(AccessLog.objects.filter(pk__gt=last).order_by("pk"))
            raise _Rollback
    except _Rollback:
        pass
    assert response is not None
    return response, added


INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)


def response_text(response: HttpResponse) -> str:
    """A page's text; a PDF's (pdftotext) or a workbook's cells, for a download."""
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        run = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
        return run.stdout.decode()
    if kind.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            " ".join(str(value) for value in row if value is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return response.content.decode()


def names_shown(response: HttpResponse, youths: list[Youth]) -> set[int]:
    """The youths whose last name the page shows, outside form fields (a typed search); a PDF or an
    XLSX file is read as its text."""
    text = INPUT.sub("", response_text(response))
    return {y.pk for y in youths if re.search(rf"\b{re.escape(y.last_name)}\b", text, re.IGNORECASE)}


def check_entries(read: Read, response: HttpResponse, added: list[AccessLog], world: World) -> list[str]:
    problems = []
    user = world.users[read.who]
    if response.status_code != read.status:
        problems.append(f"statut {response.status_code}, attendu {read.status}")
    names = {youth.pk: name for name, youth in world.youths.items()}
    expected = Counter((world.id(name), action, sections) for name, action, sections in read.entries)
    actual = Counter(
        (entry.youth_id, entry.action, frozenset(entry.sections.split(",")) if entry.action == READ else None)
        for entry in added
    )
    if actual != expected:

        def show(counter: Counter) -> list[str]:
            return sorted(
                f"{names.get(pk, pk)} {action}{'' if sections is None else sorted(map(str, sections))}"
                + (f" ×{n}" if n > 1 else "")
                for (pk, action, sections), n in counter.items()
            )

        problems.append(f"journal {show(actual)}, attendu {show(expected)}")
    for entry in added:
        if entry.user_id != user.pk:
            problems.append(f"entrée au nom de user={entry.user_id}, pas du lecteur")
        if not entry.reason:
            problems.append(f"entrée sans motif : {entry.action} {names.get(entry.youth_id)}")
        if any(name.lower() in entry.reason.lower() for name in world.youths):
            problems.append(f"donnée personnelle dans le motif : {entry.reason!r}")
    if response.status_code == 200:
        shown = names_shown(response, list(Youth.objects.filter(pk__in=names)))
        logged = Counter(entry.youth_id for entry in added if entry.action in (READ, LIST, EXPORT))
        if set(logged) != shown:
            problems.append(
                f"noms affichés {sorted(names[pk] for pk in shown)}, "
                f"journalisés {sorted(names.get(pk, str(pk)) for pk in logged)}"
            )
        twice = sorted(names.get(pk, str(pk)) for pk, n in logged.items() if n > 1)
        if twice:
            problems.append(f"journalisés deux fois pour un seul affichage : {twice}")
    return problems


def test_the_access_log_holds_exactly_one_entry_per_youth_shown(client, world, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")  # the expected 404
    problems, urls, reads = [], set(), 0
    for route in resolver_routes():
        assert route.name is not None
        rule = READS[route.name]
        if isinstance(rule, NoYouth):
            cases = [(Read(who=who, method=rule.method, status=0), no_youth_kwargs(route, world)) for who in MEMBERS]
        else:
            cases = [(read, read.kwargs(world)) for read in rule]
        for read, kwargs in cases:
            client.force_login(world.users[read.who])
            path = reverse(route.name, kwargs=kwargs)
            response, added = _request(client, read, path, world)
            if isinstance(rule, NoYouth):
                found = [f"{entry.action} youth={entry.youth_id}" for entry in added]
                found += [f"nom affiché : youth={pk}" for pk in names_shown(response, list(world.youths.values()))]
            else:
                found = check_entries(read, response, added, world)
            for problem in found:
                tag = " htmx" if read.htmx else ""
                problems.append(f"{route.name} {read.who} {read.method}{tag} {path} : {problem}")
            reads += 1
        urls.add(route.name)

    summary = f"{len(urls)} URLs classées, {reads} lectures, {len(problems)} écarts"
    print(f"\n{summary}")
    assert not problems, "\n".join([summary, *problems])


def test_a_result_page_logs_only_the_youths_it_shows(client, world, monkeypatch):
    monkeypatch.setattr("reperes.registry.views.PAGE_SIZE", 4)
    client.force_login(world.users["counsellor"])
    last = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.post(reverse("registry:youth_list"), {"q": "", "page": "2"}, headers={"HX-Request": "true"})
    added = list(AccessLog.objects.filter(pk__gt=last))
    shown = names_shown(response, list(world.youths.values()))
    assert len(shown) == 4
    assert sorted(entry.youth_id for entry in added) == sorted(shown)
    assert {entry.action for entry in added} == {LIST}

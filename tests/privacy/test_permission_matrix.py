"""The permission matrices: every URL × every role × every relation to the object it names, read
with a GET (the read matrix) and acted on with a POST (the action matrix).

The URLs come from the resolver, so a new page cannot ship without a line in EXPECTED. The
expectations are written by hand from the docstrings of ``reperes/privacy/policy.py`` (and,
for pages the policy does not mention, from the project rules below), never copied from what
the views happen to answer: when a view disagrees, this test fails.

Project rules the table relies on:

* every page needs a logged-in user (``LoginRequiredMiddleware``) unless it is public: the
  login and password-reset pages and the legal pages. An anonymous visitor on a protected
  page is sent to the login page with ``?next=``;
* an object outside the user's scope answers 404 exactly like a missing one, and so does a
  page the user's role may not open (STYLE.md §3);
* POST-only views (``require_POST``) answer 405 to a GET; a page that takes no action answers
  405 to a POST (``require_safe``), so that an action cannot hide in a page: every view that
  accepts a POST has its own line saying who may act, for each relation (``action=``).

Outcome classes: « ok » (200, or a redirect to a page other than the login page; the plain
login page that follows a logout counts as ok), « login » (redirect to the login page with
``next=``), « 404 », « 405 ».

Run with ``-s`` to see the summary lines « N URLs × M rôles × K relations, U inattendus » and
« N actions × M rôles × K relations, U inattendus ».
"""

import logging
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from reperes.network.enums import Role, Vocabulary
from reperes.network.models import FundingScheme, Organisation, Service, Term, User
from reperes.network.services import create_service, load_funding_schemes
from reperes.privacy import policy
from reperes.registry.models import DuplicateCandidate, ListImport, Merge, Signal, Youth
from reperes.registry.services import ask_partner_for_meeting
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.factories import (
    ConsentFactory,
    DuplicateCandidateFactory,
    ListImportFactory,
    SignalFactory,
    YouthFactory,
    commune,
    mission_locale,
)

# --- Roles and relations ------------------------------------------------------------------------

ANONYMOUS = "anonymous"
COUNSELLOR = "counsellor"
COORDINATOR = "coordinator"
PARTNER = "partner_worker"
FUNDER = "funder_officer"
ADMIN = "admin"
ROLES = (ANONYMOUS, COUNSELLOR, COORDINATOR, PARTNER, FUNDER, ADMIN)

EVERYONE = frozenset(ROLES)
MEMBERS = EVERYONE - {ANONYMOUS}
ML_STAFF = frozenset({COUNSELLOR, COORDINATOR})
NOBODY: frozenset[str] = frozenset()

# Which relations a URL is exercised with, from the names of its arguments.
# organisation_id: own (the user's organisation; P for anonymous, the funder and the admin),
#   partner (P, the partner that serves Mission locale A's territory), other (Q, far away).
# service_id (with or without its organisation_id): own (P's service), other (Q's service).
# signal_id: own (the signal Mission locale A received), other (the one B received).
# youth_id: shared (held by A, shared with P by a consent in force), referred (held by A, reported
#   by P with the youth's agreement to be contacted, no consent naming P), unrelated (held by B).
# scheme_id, uidb64/token: any (not scoped to a person or an organisation).
RELATIONS_BY_ARGUMENTS: dict[frozenset[str], tuple[str, ...]] = {
    frozenset(): ("none",),
    frozenset({"organisation_id"}): ("own", "partner", "other"),
    frozenset({"organisation_id", "service_id"}): ("own", "other"),
    frozenset({"service_id"}): ("own", "other"),
    frozenset({"signal_id"}): ("own", "other"),
    frozenset({"youth_id"}): ("shared", "referred", "unrelated"),
    # signal_id + youth_id (merge a new signal's record into a known youth): own (A's signal and a
    # youth A holds), other (B's signal and a youth B holds).
    frozenset({"signal_id", "youth_id"}): ("own", "other"),
    # merge_id: own (a merge kept in a file A holds and shares with P), other (one kept by B).
    frozenset({"merge_id"}): ("own", "other"),
    # candidate_id: own (a pair of records A holds), other (a pair B holds).
    frozenset({"candidate_id"}): ("own", "other"),
    # import_id: own (a list import of Mission locale A), other (one of B).
    frozenset({"import_id"}): ("own", "other"),
    # opportunity_id: own (a contact opportunity P sent to A, on which A asked P to propose a
    # meeting), other (one R sent to B).
    frozenset({"opportunity_id"}): ("own", "other"),
    frozenset({"scheme_id"}): ("any",),
    frozenset({"uidb64", "token"}): ("any",),
}

LIST = "nom;prénom;commune\nKeller;Inès;Saverne\n".encode()

PostData = Callable[["World"], dict[str, Any]]


@dataclass(frozen=True)
class Action:
    """Who may POST to a page that is also read with a GET (a form), per relation, and the body."""

    allowed: dict[str, AbstractSet[str]]
    data: PostData = field(default=lambda world: {})


@dataclass(frozen=True)
class Rule:
    """Who may open a URL, per relation; anybody else gets « login » (anonymous) or « 404 »."""

    allowed: dict[str, AbstractSet[str]]
    method: str = "GET"
    # For POST-only views: the body sent. Every request (GET too) runs in a rolled-back transaction.
    data: PostData = field(default=lambda world: {})
    # For a page read with a GET that also acts on a POST; None: a POST answers 405.
    action: Action | None = None

    @property
    def acts(self) -> bool:
        return self.method == "POST" or self.action is not None


def get(action: Action | None = None, **allowed: AbstractSet[str]) -> Rule:
    return Rule(allowed=allowed, action=action)


def form(data: PostData = lambda world: {}, **allowed: AbstractSet[str]) -> Action:
    """The POST side of a page; an empty body is refused by the form (200) and counts as reaching the view."""
    return Action(allowed=allowed, data=data)


def post(data: PostData, **allowed: AbstractSet[str]) -> Rule:
    return Rule(allowed=allowed, method="POST", data=data)


# --- The table, written from the policy docstrings ----------------------------------------------

EXPECTED: dict[str, Rule] = {
    # Home: one page per role, for every logged-in member.
    "web:home": get(none=MEMBERS),
    # Legal pages are public.
    "web:legal_notice": get(none=EVERYONE),
    "web:personal_data": get(none=EVERYONE),
    "web:accessibility": get(none=EVERYONE),
    # Login and password reset are public; a logged-in user may still open them.
    "login": get(none=EVERYONE, action=form(none=EVERYONE)),
    # Logout is POST-only and for logged-in users; it ends on the plain login page (ok).
    # Empty body: logging out needs nothing else.
    "logout": post(lambda world: {}, none=MEMBERS),
    "password_reset": get(none=EVERYONE, action=form(none=EVERYONE)),
    "password_reset_done": get(none=EVERYONE),
    # A valid link of a user who is not the one browsing: redirects to the set-password form.
    "password_reset_confirm": get(any=EVERYONE, action=form(any=EVERYONE)),
    "password_reset_complete": get(none=EVERYONE),
    # Changing one's password needs an account.
    "password_change": get(none=MEMBERS, action=form(none=MEMBERS)),
    "password_change_done": get(none=MEMBERS),
    # The second factor (ADR 012), for one's own account: every member (the funder may activate
    # one). The matrix's sessions have passed it (tests/conftest.py), so the code page sends on (ok)
    # and new recovery codes are shown (an empty body needs nothing else).
    "second_factor": get(none=MEMBERS),
    "second_factor_setup": get(none=MEMBERS, action=form(none=MEMBERS)),
    "second_factor_verify": get(none=MEMBERS, action=form(none=MEMBERS)),
    "second_factor_new_codes": post(lambda world: {}, none=MEMBERS),
    # Reference data (communes): no rule in the policy, so the default one: any logged-in member.
    "territory:commune_search": get(none=MEMBERS),
    # organisations_visible_to: every logged-in person with an active membership reads the
    # directory (organisations, services, funding schemes, the data·inclusion export).
    "network:directory": get(none=MEMBERS),
    "network:organisation_detail": get(own=MEMBERS, partner=MEMBERS, other=MEMBERS),
    "network:service_detail": get(own=MEMBERS, other=MEMBERS),
    "network:directory_export": get(none=MEMBERS),
    "network:funding_schemes": get(none=MEMBERS),
    "network:funding_scheme_detail": get(any=MEMBERS),
    # organisations_editable_by: administrators edit every organisation; a coordinator edits
    # their Mission locale and the partners serving its territory; a partner worker edits their
    # own organisation's profile and services. Counsellors and the funder edit nothing.
    "network:organisation_edit": get(
        own={COORDINATOR, PARTNER, ADMIN},
        partner={COORDINATOR, PARTNER, ADMIN},
        other={ADMIN},
        action=form(own={COORDINATOR, PARTNER, ADMIN}, partner={COORDINATOR, PARTNER, ADMIN}, other={ADMIN}),
    ),
    "network:service_create": get(
        own={COORDINATOR, PARTNER, ADMIN},
        partner={COORDINATOR, PARTNER, ADMIN},
        other={ADMIN},
        action=form(own={COORDINATOR, PARTNER, ADMIN}, partner={COORDINATOR, PARTNER, ADMIN}, other={ADMIN}),
    ),
    # « own » is P's service: P is the partner worker's organisation and serves A's territory.
    "network:service_edit": get(
        own={COORDINATOR, PARTNER, ADMIN}, other={ADMIN}, action=form(own={COORDINATOR, PARTNER, ADMIN}, other={ADMIN})
    ),
    # missions_locales_for_coverage: Mission locale staff, the funder and administrators.
    "network:coverage": get(none={COUNSELLOR, COORDINATOR, FUNDER, ADMIN}),
    # can_import_directory: administrators only.
    "network:directory_import": get(none={ADMIN}, action=form(none={ADMIN})),
    # privacy.rules.accounts (ADR 007): a Mission locale's coordinator manages the members of the
    # organisations they manage and sees who has access to its files; nobody else, the
    # administrator included. POST-only removal: an empty body is refused with a message and a
    # redirect to the members page (reaching the view).
    "network:members": get(none={COORDINATOR}),
    "network:member_add": get(none={COORDINATOR}, action=form(none={COORDINATOR})),
    "network:member_deactivate": post(lambda world: {}, none={COORDINATOR}),
    # can_reset_second_factor: the same coordinator, for another member (empty body: refused with a message).
    "network:member_second_factor_reset": post(lambda world: {}, none={COORDINATOR}),
    "network:access_overview": get(none={COORDINATOR}),
    # signal_list: the triage queue for Mission locale staff, the signals sent for a partner.
    "registry:signal_list": get(none={COUNSELLOR, COORDINATOR, PARTNER}),
    # can_send_signals: partner workers and Mission locale staff.
    "registry:signal_create": get(
        none={COUNSELLOR, COORDINATOR, PARTNER}, action=form(none={COUNSELLOR, COORDINATOR, PARTNER})
    ),
    # POST-only, asked by the signal form while it is filled (the names travel in the body).
    "registry:signal_known": post(
        lambda world: {"first_name": "Inès", "last_name": "Keller", "commune": "67437", "consent": "contact"},
        none={COUNSELLOR, COORDINATOR, PARTNER},
    ),
    # can_triage_signals + signals_visible_to: staff of the Mission locale that received it.
    "registry:signal_detail": get(own=ML_STAFF, other=NOBODY),
    # POST-only. Valid bodies, so that an allowed user goes through the whole service (the
    # change is rolled back): a referent of Mission locale A; a dismissal as ineligible.
    "registry:signal_assign": post(lambda world: {"referent": world.users[COUNSELLOR].pk}, own=ML_STAFF, other=NOBODY),
    "registry:signal_dismiss": post(lambda world: {"status": "ineligible"}, own=ML_STAFF, other=NOBODY),
    # POST-only: triage staff merging the signal's record into a youth they can see.
    "registry:signal_merge": post(lambda world: {}, own=ML_STAFF, other=NOBODY),
    # privacy.rules.signals: opportunities_workable_by — staff of the Mission locale that received
    # the contact opportunity record attempts through the partner, ask it to propose a meeting (A
    # already asked: refused with a message, reaching the view) and open a file once the youth
    # agreed (a form page; an empty body is refused by the form).
    "registry:opportunity_contact": post(
        lambda world: {
            "happened_on": timezone.localdate().isoformat(),
            "channel": "partner",
            "outcome": "not_reached",
        },
        own=ML_STAFF,
        other=NOBODY,
    ),
    "registry:opportunity_ask_meeting": post(lambda world: {}, own=ML_STAFF, other=NOBODY),
    "registry:opportunity_open_file": get(own=ML_STAFF, other=NOBODY, action=form(own=ML_STAFF, other=NOBODY)),
    # opportunities_sent_by: the partner that sent the opportunity answers the request, nobody else.
    "registry:opportunity_answer": post(lambda world: {"answer": "accepted"}, own={PARTNER}, other=NOBODY),
    # POST-only. can_undo_merge: the triage staff of the Mission locale holding the kept file; the
    # partner worker reads that file (a consent shares it with P) but never undoes the merge.
    "registry:merge_undo": post(lambda world: {}, own=ML_STAFF, other=NOBODY),
    # can_view_personal_data: counsellors, coordinators and partner workers; never the funder
    # nor the administrator.
    # The name searched travels in a POST body (never in the URL): a search, not a change.
    "registry:youth_list": get(
        none={COUNSELLOR, COORDINATOR, PARTNER}, action=form(none={COUNSELLOR, COORDINATOR, PARTNER})
    ),
    # youths_visible_to: staff of the Mission locale that holds the file; a partner worker only
    # while a consent in force names its organisation — having reported the youth is not enough.
    "registry:youth_detail": get(shared={COUNSELLOR, COORDINATOR, PARTNER}, referred=ML_STAFF, unrelated=NOBODY),
    # can_edit_youth: staff of the Mission locale holding the file; partners only report, even
    # those a consent shares the file with.
    "registry:youth_edit": get(
        shared=ML_STAFF,
        referred=ML_STAFF,
        unrelated=NOBODY,
        action=form(shared=ML_STAFF, referred=ML_STAFF, unrelated=NOBODY),
    ),
    # can_export_subject_access: the file's référent only. No file of this world has one, so nobody
    # reaches it here (a colleague, the coordinator, a partner under consent included); the
    # référent's export is tested in tests/registry/test_subject_access.py.
    "registry:youth_subject_access": get(shared=NOBODY, referred=NOBODY, unrelated=NOBODY),
    # POST-only. can_manage_consent: staff of the Mission locale holding the file (an empty body is
    # refused by the form and redirects back to the file, which counts as reaching the view).
    "registry:consent_record": post(lambda world: {}, shared=ML_STAFF, referred=ML_STAFF, unrelated=NOBODY),
    "registry:consent_withdraw": post(lambda world: {}, shared=ML_STAFF, referred=ML_STAFF, unrelated=NOBODY),
    # The duplicate review queue: triage staff (can_triage_signals), for pairs whose two records
    # they may see (youths_visible_to). POST: keep the left record; mark as two people.
    "registry:duplicate_list": get(none=ML_STAFF),
    "registry:duplicate_detail": get(own=ML_STAFF, other=NOBODY),
    "registry:duplicate_merge": post(
        lambda world: {"keep": world.candidates["own"].youth_a_id}, own=ML_STAFF, other=NOBODY
    ),
    "registry:duplicate_distinct": post(lambda world: {}, own=ML_STAFF, other=NOBODY),
    # can_import_lists + list_imports_visible_to: staff of the Mission locale, for its own imports.
    "registry:import_list": get(none=ML_STAFF, action=form(none=ML_STAFF)),
    "registry:import_detail": get(own=ML_STAFF, other=NOBODY),
    "registry:import_progress": get(own=ML_STAFF, other=NOBODY),
    "registry:import_errors_csv": get(own=ML_STAFF, other=NOBODY),
    # POST-only; an empty mapping and an import not yet checked are refused with a message and a
    # redirect to the import page (reaching the view); abandoning goes through.
    "registry:import_mapping": post(lambda world: {}, own=ML_STAFF, other=NOBODY),
    "registry:import_commit": post(lambda world: {}, own=ML_STAFF, other=NOBODY),
    "registry:import_cancel": post(lambda world: {}, own=ML_STAFF, other=NOBODY),
}


def expected_outcome(rule: Rule, relation: str, role: str, method: str) -> str:
    if method == "POST" and rule.method == "GET":
        if rule.action is None:  # a page that takes no action
            public = ANONYMOUS in rule.allowed[relation]
            return "login" if role == ANONYMOUS and not public else "405"
        allowed = role in rule.action.allowed[relation]
    else:
        allowed = role in rule.allowed[relation]
    if method != rule.method and method == "GET":  # a GET on a POST-only view
        return "login" if role == ANONYMOUS and not allowed else "405"
    if allowed:
        return "ok"
    return "login" if role == ANONYMOUS else "404"


# --- URLs from the resolver ---------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str
    arguments: frozenset[str]


def _routes(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin" and not namespace:
                continue  # the admin site has its own permissions (is_staff)
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.lookup_str.startswith(("django.views.static", "django.contrib.staticfiles")):
                continue
            arguments = frozenset(pattern.pattern.regex.groupindex)
            yield Route(f"{namespace}{pattern.name}" if pattern.name else None, route, arguments)


def resolver_routes() -> list[Route]:
    return list(_routes(get_resolver().url_patterns))


def structural_problems(routes: list[Route]) -> list[str]:
    problems = []
    names = set()
    for route in routes:
        if route.name is None:
            problems.append(
                f"URL sans nom, impossible à vérifier : {route.route} — nommez-la et ajoutez-la à EXPECTED"
            )
            continue
        names.add(route.name)
        if route.name not in EXPECTED:
            problems.append(f"URL sans règle dans la matrice : {route.name} — ajoutez-la à EXPECTED")
            continue
        relations = RELATIONS_BY_ARGUMENTS.get(route.arguments)
        if relations is None:
            problems.append(
                f"{route.name} : arguments {sorted(route.arguments)} inconnus — ajoutez-les à RELATIONS_BY_ARGUMENTS"
            )
        elif set(EXPECTED[route.name].allowed) != set(relations):
            problems.append(
                f"{route.name} : EXPECTED donne les relations {sorted(EXPECTED[route.name].allowed)}, "
                f"attendu {sorted(relations)}"
            )
        elif (action := EXPECTED[route.name].action) is not None and set(action.allowed) != set(relations):
            problems.append(
                f"{route.name} : l'action donne les relations {sorted(action.allowed)}, attendu {sorted(relations)}"
            )
    problems.extend(
        f"EXPECTED nomme une URL qui n'existe plus : {name} — retirez-la" for name in sorted(set(EXPECTED) - names)
    )
    return problems


def test_every_url_has_a_rule_and_every_rule_a_url():
    problems = structural_problems(resolver_routes())
    assert not problems, "\n".join(problems)


# --- The world ----------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    own_organisation: dict[str, Organisation]
    partner: Organisation
    other: Organisation
    own_service: Service
    other_service: Service
    own_signal: Signal
    other_signal: Signal
    known: dict[str, Youth]
    shared: Youth
    merges: dict[str, Merge]
    imports: dict[str, ListImport]
    candidates: dict[str, DuplicateCandidate]
    scheme: FundingScheme
    reset_link: dict[str, str]
    # Objects the extensions (tests/privacy/matrix_*.py) add: argument name -> relation -> pk.
    extra: dict[str, dict[str, int]] = field(default_factory=dict)

    def kwargs(self, route: Route, relation: str, role: str) -> dict[str, Any]:
        arguments = route.arguments
        if len(arguments) == 1 and (name := next(iter(arguments))) in self.extra:
            return {name: self.extra[name][relation]}
        if arguments == {"uidb64", "token"}:
            return self.reset_link
        if arguments == {"scheme_id"}:
            return {"scheme_id": self.scheme.pk}
        if arguments == {"signal_id", "youth_id"}:
            signal = self.own_signal if relation == "own" else self.other_signal
            return {"signal_id": signal.pk, "youth_id": self.known[relation].pk}
        if arguments == {"merge_id"}:
            return {"merge_id": self.merges[relation].pk}
        if arguments == {"candidate_id"}:
            return {"candidate_id": self.candidates[relation].pk}
        if arguments == {"import_id"}:
            return {"import_id": self.imports[relation].pk}
        if arguments == {"signal_id"}:
            return {"signal_id": (self.own_signal if relation == "own" else self.other_signal).pk}
        if arguments == {"youth_id"}:
            if relation == "shared":
                return {"youth_id": self.shared.pk}
            signal = self.own_signal if relation == "referred" else self.other_signal
            return {"youth_id": signal.youth_id}
        if "service_id" in arguments:
            service = self.own_service if relation == "own" else self.other_service
            kwargs = {"service_id": service.pk}
            if "organisation_id" in arguments:
                kwargs["organisation_id"] = service.organisation_id
            return kwargs
        if arguments == {"organisation_id"}:
            organisation = {"own": self.own_organisation[role], "partner": self.partner, "other": self.other}
            return {"organisation_id": organisation[relation].pk}
        assert not arguments, arguments
        return {}


def _member(role: str, organisation: Organisation) -> User:
    return MembershipFactory(role=role, organisation=organisation).user


@pytest.fixture
def world(db) -> World:
    mission_a = mission_locale("Mission locale A", "67437", "67300")
    mission_b = mission_locale("Mission locale B", "67482")
    partner_p = OrganisationFactory(
        name="Partenaire P", territory=area("P", "67437"), commune_id="67437", can_identify=True
    )
    partner_q = OrganisationFactory(name="Partenaire Q", territory=area("Q", "68224"), commune_id="68224")
    partner_r = OrganisationFactory(name="Partenaire R", commune_id="67482", can_identify=True)
    funder = OrganisationFactory(funder=True)
    operator = OrganisationFactory(operator=True)

    users = {
        COUNSELLOR: _member(Role.COUNSELLOR, mission_a),
        COORDINATOR: _member(Role.COORDINATOR, mission_a),
        PARTNER: _member(Role.PARTNER_WORKER, partner_p),
        FUNDER: _member(Role.FUNDER_OFFICER, funder),
        ADMIN: _member(Role.ADMIN, operator),
    }
    counsellor_b = _member(Role.COUNSELLOR, mission_b)
    worker_r = _member(Role.PARTNER_WORKER, partner_r)

    def signal(author: User, first_name: str, last_name: str, code: str, age: int) -> Signal:
        return SignalFactory(
            author=author,
            first_name=first_name,
            last_name=last_name,
            commune=commune(code),
            birth_date=None,
            approximate_age=age,
        )

    own_signal = signal(users[PARTNER], "Inès", "Keller", "67437", 19)
    other_signal = signal(worker_r, "Lucas", "Meyer", "67482", 20)
    assert own_signal.mission_locale == mission_a and own_signal.youth.mission_locale == mission_a
    assert other_signal.mission_locale == mission_b and other_signal.youth.mission_locale == mission_b

    def youth(first_name: str, code: str, **traits: Any) -> Youth:
        return YouthFactory(
            reported_by=worker_r,
            first_names=first_name,
            last_name="Schmitt",
            commune=commune(code),
            birth_date=None,
            approximate_age=22,
            **traits,
        )

    # Youths already known to each Mission locale, and a merge kept by each (reported by R). P
    # serves Saverne (67437): A shares with it one youth and the merge's kept file, by consent.
    known = {"own": youth("Nadia", "67437"), "other": youth("Paul", "67482")}
    shared = youth("Sofia", "67437")
    kept = youth("Karim", "67437")
    absorbed = {
        "own": youth("Karima", "67437", merged_into=kept, merged_by=users[COUNSELLOR]),
        "other": youth("Hugues", "67482", merged_into=youth("Hugo", "67482"), merged_by=counsellor_b),
    }
    merges = {relation: Merge.objects.get(absorbed=record) for relation, record in absorbed.items()}

    for file in (shared, kept):
        ConsentFactory(youth=file, informed_how="in_person", share_with=[partner_p], acting_user=users[COUNSELLOR])
    assert policy.can_view_youth(users[PARTNER], shared) and policy.can_view_youth(users[PARTNER], kept)
    assert not policy.can_view_youth(users[PARTNER], own_signal.youth)

    candidates = {
        "own": DuplicateCandidateFactory(youth_a=youth("Chloé", "67437"), youth_b=youth("Cloé", "67437")),
        "other": DuplicateCandidateFactory(youth_a=youth("Enzo", "67482"), youth_b=youth("Enso", "67482")),
    }

    theme = Term.objects.get(vocabulary=Vocabulary.THEME, code="remobilisation--lien-social")
    own_service = create_service(partner_p, name="Accueil de jour", themes=[theme], acting_user=None)
    other_service = create_service(partner_q, name="Atelier lointain", themes=[theme], acting_user=None)
    load_funding_schemes()
    scheme = FundingScheme.objects.active().order_by("pk").first()
    assert scheme is not None

    world = World(
        users=users,
        own_organisation={
            ANONYMOUS: partner_p,
            COUNSELLOR: mission_a,
            COORDINATOR: mission_a,
            PARTNER: partner_p,
            FUNDER: partner_p,
            ADMIN: partner_p,
        },
        partner=partner_p,
        other=partner_q,
        own_service=own_service,
        other_service=other_service,
        own_signal=own_signal,
        other_signal=other_signal,
        known=known,
        shared=shared,
        merges=merges,
        imports={
            "own": ListImportFactory(created_by=users[COUNSELLOR], file_name="a.csv", content=LIST),
            "other": ListImportFactory(created_by=counsellor_b, file_name="b.csv", content=LIST),
        },
        candidates=candidates,
        scheme=scheme,
        # Mission locale B's counsellor never logs in here, so the token stays valid.
        reset_link={
            "uidb64": urlsafe_base64_encode(force_bytes(counsellor_b.pk)),
            "token": default_token_generator.make_token(counsellor_b),
        },
    )
    # Contact opportunities (no agreement, no record): A asked P to propose a meeting.
    opportunities = {
        "own": SignalFactory(author=users[PARTNER], opportunity=True, commune=commune("67437")),
        "other": SignalFactory(author=worker_r, opportunity=True, commune=commune("67482")),
    }
    assert opportunities["own"].mission_locale == mission_a and opportunities["other"].mission_locale == mission_b
    ask_partner_for_meeting(opportunities["own"], acting_user=users[COUNSELLOR])
    world.extra["opportunity_id"] = {relation: signal.pk for relation, signal in opportunities.items()}
    for extension in EXTENSIONS:
        world.extra |= extension.populate(world)
    return world


# --- The matrix ---------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def _request(client: Client, method: str, path: str, data: dict[str, Any]) -> HttpResponse:
    """One request whose writes (a dismissed signal, a logout) are undone afterwards."""
    response = None
    try:
        with transaction.atomic():
            response = client.post(path, data) if method == "POST" else client.get(path)
            raise _Rollback
    except _Rollback:
        pass
    assert response is not None
    return response


LOGIN_PATH = reverse("login")


def classify(response: HttpResponse) -> str:
    status = response.status_code
    if status == 200:
        return "ok"
    if status in (301, 302, 303):
        target = urlsplit(response["Location"])
        if target.path == LOGIN_PATH and "next" in parse_qs(target.query):
            return "login"
        return "ok"
    if status in (404, 405):
        return str(status)
    return f"HTTP {status}"


def _describe(response: HttpResponse) -> str:
    location = f" → {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{location}"


def _run_matrix(client: Client, world: World, method: str) -> tuple[str, list[str]]:
    """Every route × relation × role with one method; GET for the read matrix, POST for the
    action matrix (a GET on a POST-only view is in the read matrix: it must answer 405)."""
    routes = resolver_routes()
    problems = structural_problems(routes)
    assert not problems, "\n".join(problems)

    unexpected = []
    urls, roles, relations = set(), set(), set()
    for route in routes:
        assert route.name is not None
        rule = EXPECTED[route.name]
        for relation in RELATIONS_BY_ARGUMENTS[route.arguments]:
            for role in ROLES:
                path = reverse(route.name, kwargs=world.kwargs(route, relation, role))
                if role == ANONYMOUS:
                    client.logout()
                else:
                    client.force_login(world.users[role])
                body: PostData = rule.data if rule.method == "POST" else (rule.action or Action({})).data
                response = _request(client, method, path, body(world) if method == "POST" else {})
                expected, actual = expected_outcome(rule, relation, role, method), classify(response)
                if actual != expected:
                    unexpected.append(
                        f"{route.name} [{relation}] {role} {method} {path} : "
                        f"attendu {expected}, obtenu {actual} ({_describe(response)})"
                    )
                if method == "GET" or rule.acts:
                    urls.add(route.name)
                roles.add(role)
                relations.add(relation)

    # Every request was rolled back: the last cases saw the same world as the first.
    for signal in (world.own_signal, world.other_signal):
        assert Signal.objects.get(pk=signal.pk).status == signal.status
    assert Merge.objects.filter(undone_at=None).count() == len(world.merges)

    noun = "URLs" if method == "GET" else "actions"
    summary = f"{len(urls)} {noun} × {len(roles)} rôles × {len(relations)} relations, {len(unexpected)} inattendus"
    return summary, unexpected


def test_permission_matrix(client, world, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")  # hundreds of expected 404 and 405
    summary, unexpected = _run_matrix(client, world, "GET")
    print(f"\n{summary}")
    assert not unexpected, "\n".join([summary, *unexpected])


def test_action_matrix(client, world, caplog):
    """Every view that accepts a POST asks the policy for the role and the object; every other
    view refuses the POST."""
    caplog.set_level(logging.ERROR, logger="django.request")
    summary, unexpected = _run_matrix(client, world, "POST")
    print(f"\n{summary}")
    assert not unexpected, "\n".join([summary, *unexpected])


# --- Extensions ---------------------------------------------------------------------------------
# Each later app writes its lines in its own module (EXPECTED, RELATIONS, populate(world)), read
# here once the helpers above exist; they import this module, never the other way round.
from tests.privacy import (  # noqa: E402
    matrix_exports,
    matrix_mobilisation,
    matrix_operations,
    matrix_pathways,
    matrix_programme,
    matrix_referrals,
    matrix_reporting,
)

EXTENSIONS = (
    matrix_pathways,
    matrix_mobilisation,
    matrix_referrals,
    matrix_programme,
    matrix_exports,
    matrix_reporting,
    matrix_operations,
)
for _extension in EXTENSIONS:
    assert not set(_extension.EXPECTED) & set(EXPECTED), _extension.__name__
    EXPECTED |= _extension.EXPECTED
    RELATIONS_BY_ARGUMENTS |= _extension.RELATIONS

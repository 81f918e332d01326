"""A Mission locale (Saverne, Haguenau) with its référent, a colleague and a coordinator; partner P
serving Saverne (its consent names it), partner Q serving Saverne too (no consent names it), a
PJJ unit, and a youth followed by the référent whose consent shares housing with P."""

from dataclasses import dataclass

import pytest

from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Organisation, User
from reperes.privacy.enums import Section
from reperes.registry.models import Youth
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.factories import ConsentFactory, YouthFactory, mission_locale


@dataclass
class Cast:
    mission: Organisation
    referent: User
    colleague: User
    coordinator: User
    p: Organisation
    q: Organisation
    pjj: Organisation
    worker_p: User
    worker_q: User
    worker_q2: User
    worker_pjj: User
    youth: Youth


def member(role: str, organisation: Organisation, first: str, last: str) -> User:
    return MembershipFactory(role=role, organisation=organisation, user__first_name=first, user__last_name=last).user


@pytest.fixture
def cast(db) -> Cast:
    mission = mission_locale("Mission locale de Saverne", "67437", "67300")
    referent = member(Role.COUNSELLOR, mission, "Claire", "Conseil")
    colleague = member(Role.COUNSELLOR, mission, "Paul", "Collegue")
    coordinator = member(Role.COORDINATOR, mission, "Alice", "Coordination")
    p = OrganisationFactory(name="Foyer P", kind=OrganisationKind.HOUSING, territory=area("P", "67437"))
    q = OrganisationFactory(name="Atelier Q", kind=OrganisationKind.TRAINING, territory=area("Q", "67437"))
    pjj = OrganisationFactory(name="Unité PJJ de Saverne", kind=OrganisationKind.PJJ, territory=area("J", "67437"))
    youth = YouthFactory(mission_locale=mission, referent=referent, first_names="Inès", last_name="Keller")
    ConsentFactory(youth=youth, share_with=[p], sensitive_sections=[Section.HOUSING], acting_user=referent)
    youth.refresh_from_db()
    return Cast(
        mission=mission,
        referent=referent,
        colleague=colleague,
        coordinator=coordinator,
        p=p,
        q=q,
        pjj=pjj,
        worker_p=member(Role.PARTNER_WORKER, p, "Bruno", "Foyer"),
        worker_q=member(Role.PARTNER_WORKER, q, "Quentin", "Atelier"),
        worker_q2=member(Role.PARTNER_WORKER, q, "Rose", "Atelier"),
        worker_pjj=member(Role.PARTNER_WORKER, pjj, "Jean", "Educ"),
        youth=youth,
    )

"""The access log's lines for reperes.referrals (merged into READS by test_access_log).

READS: URL name -> NoYouth(...) or a tuple of get(...)/post(...) reads (see test_access_log).
populate(world): creates what the reads need (the world's youths are Keller, Kelller, ...); the
  returned mapping is merged into world.extra, where the reads' kwargs lambdas find it.
no_youth_kwargs(route, world): the URL arguments for a NoYouth page of this app, else None.
"""

from typing import Any

from tests.privacy.test_access_log import NoYouth, Read
from tests.privacy.test_permission_matrix import Route

READS: dict[str, NoYouth | tuple[Read, ...]] = {}


def populate(world: Any) -> dict[str, Any]:
    return {}


def no_youth_kwargs(route: Route, world: Any) -> dict[str, Any] | None:
    return None

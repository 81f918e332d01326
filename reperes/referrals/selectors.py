"""Reads of reperes.referrals. `timeline_entries`, `home_card`, `youths_needing_attention` and
`youth_ids_needing_attention` are called by other apps; keep their signatures."""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from reperes.network.enums import Role
from reperes.network.models import User
from reperes.pathways.timeline import TimelineEntry
from reperes.privacy import policy
from reperes.privacy.enums import Section
from reperes.referrals.enums import UNANSWERED_STATUSES, ReferralStatus
from reperes.referrals.models import Referral
from reperes.registry.enums import YouthStatus
from reperes.registry.models import Youth


def inbox(user: User, *, status: str = "") -> QuerySet[Referral]:
    """The referrals a user may see, the most recent first, optionally of one status."""
    referrals = policy.referrals_visible_to(user).select_related(
        "youth__commune", "to_organisation", "service", "from_user", "from_organisation"
    )
    if status:
        referrals = referrals.filter(status=status)
    return referrals.order_by("-sent_at", "-pk")


def _partner_label(user: User, referral: Referral, sections: set[str]) -> str:
    """The partner as `policy.organisation_label` names it to this reader; a partner's own
    organisation is never masked to itself."""
    own = policy.organisation_of(user)
    if own is not None and own.pk == referral.to_organisation_id:
        return referral.to_organisation.name
    return policy.organisation_label(referral.to_organisation, sections)


def label_partners(user: User, referrals: list[Referral]) -> None:
    """Set `partner_label` on each referral: the partner as `policy.organisation_label` names it
    to this reader of the youth's file (sections asked once for all)."""
    sections = policy.sections_visible_to_many(user, {r.youth_id for r in referrals})
    for referral in referrals:
        held = sections.get(referral.youth_id, set())
        referral.partner_label = _partner_label(user, referral, held)  # type: ignore[attr-defined]
        referral.held_sections = held  # type: ignore[attr-defined]
        referral.shown_sections = [  # type: ignore[attr-defined]
            str(Section(code).label) for code in referral.shared_sections if code in held
        ]


def timeline_entries(user: User, youth: Youth) -> list[TimelineEntry]:
    """The youth's referrals this user may see (the pathway page's timeline), the partner named
    as the reader may read it."""
    referrals = list(
        policy.referrals_visible_to(user)
        .filter(youth=youth)
        .select_related("to_organisation", "from_user", "from_organisation")
        .order_by("sent_at", "pk")
    )
    if not referrals:
        return []
    sections = policy.sections_visible_to(user, youth)
    entries = []
    for referral in referrals:
        partner = _partner_label(user, referral, sections)
        label = _("Orienté·e vers %(partner)s : %(status)s") % {
            "partner": partner,
            "status": referral.get_status_display(),
        }
        detail = referral.reason + (f" — {referral.answer_reason}" if referral.answer_reason else "")
        entries.append(
            TimelineEntry(
                at=referral.sent_at,
                kind="referral",
                label=label,
                author=referral.from_user.get_full_name(),
                organisation=referral.from_organisation.name,
                detail=detail,
            )
        )
    return entries


def home_card(user: User) -> dict[str, Any]:
    """Context for `referrals/partials/home_card.html` (counts only, never a name): for a partner,
    the referrals to answer and those accepted in progress; for Mission locale staff, the
    referrals declined or expired lately, on files they sent or follow, not yet sent elsewhere."""
    if policy.has_role(user, Role.PARTNER_WORKER):
        visible = policy.referrals_visible_to(user)
        to_answer = visible.filter(status__in=UNANSWERED_STATUSES).count()
        accepted = visible.filter(status=ReferralStatus.ACCEPTED).count()
        if not to_answer and not accepted:
            return {}
        url = reverse("referrals:inbox")
        return {
            "title": _("Orientations reçues"),
            "items": [
                (_("à traiter"), to_answer, f"{url}?statut={ReferralStatus.SENT}"),
                (_("acceptées, en cours"), accepted, f"{url}?statut={ReferralStatus.ACCEPTED}"),
            ],
        }
    if not policy.can_follow_youths(user):
        return {}
    followed = (
        policy.referrals_visible_to(user)
        .filter(youth__status=YouthStatus.ACTIVE)
        .filter(Q(from_user=user) | Q(youth__referent=user))
        .values("youth_id")
    )
    # The youth's last referral is what to act on: once referred again, the old one is done with.
    rows = Referral.objects.filter(youth_id__in=followed).order_by("sent_at", "pk").values_list("youth_id", "status")
    latest = dict(rows)  # the last one of each youth wins
    counts = Counter(latest.values())
    if not counts[ReferralStatus.DECLINED] and not counts[ReferralStatus.EXPIRED]:
        return {}
    url = reverse("referrals:inbox")
    return {
        "title": _("Orientations à reprendre"),
        "items": [
            (_("refusées"), counts[ReferralStatus.DECLINED], f"{url}?statut={ReferralStatus.DECLINED}"),
            (_("restées sans réponse"), counts[ReferralStatus.EXPIRED], f"{url}?statut={ReferralStatus.EXPIRED}"),
        ],
    }


def _expired_and_last(among: QuerySet[Youth] | None = None) -> QuerySet[Referral]:
    """Referrals expired unanswered that are their youth's last one (none sent after, the pk
    breaking a tie): once referred again, the old one is done with."""
    later = Referral.objects.filter(youth_id=OuterRef("youth_id")).filter(
        Q(sent_at__gt=OuterRef("sent_at")) | Q(sent_at=OuterRef("sent_at"), pk__gt=OuterRef("pk"))
    )
    expired = Referral.objects.filter(status=ReferralStatus.EXPIRED)
    if among is not None:
        expired = expired.filter(youth__in=among)
    return expired.filter(~Exists(later)).order_by()


def youth_ids_needing_attention(among: QuerySet[Youth] | None = None) -> QuerySet[Referral, Any]:
    """The youths `youths_needing_attention` flags (among these youths, when given: a queryset, it
    stays a subquery), as a queryset of `youth_id` for a subquery of the caseload's « à risque »
    filter and count. Use it in `pk__in`, or correlate it (`.filter(youth_id=OuterRef("pk"))`) in
    an `Exists`: the database decides, no list of ids goes through Python."""
    return _expired_and_last(among).values("youth_id")


def youths_needing_attention(youth_ids: Iterable[int]) -> dict[int, str]:
    """Among these youths (a page of the caseload), those whose last referral expired unanswered,
    with a short French reason and next step (one query; the rule is `youth_ids_needing_attention`'s).
    The caseload is read by staff who may not hold a section: a specialised partner (PJJ, CSAPA…) is
    named « un partenaire spécialisé »."""
    ids = list(youth_ids)
    if not ids:
        return {}
    return {
        referral.youth_id: _("orientation vers %(partner)s restée sans réponse : relancez-le ou orientez ailleurs")
        % {"partner": policy.organisation_label(referral.to_organisation, set())}
        for referral in _expired_and_last().filter(youth_id__in=ids).select_related("to_organisation")
    }

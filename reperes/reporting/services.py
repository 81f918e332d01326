"""The writes of the bilan: the qualitative part of a project's bilan, and the frozen figures of each
campaign's bilan (BilanSnapshot)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reperes.network.models import User
from reperes.network.services import check_version
from reperes.privacy import audit, policy
from reperes.privacy.enums import WriteAction
from reperes.programme.disclosure import Cell, Publication, build, protect, small_cell_threshold
from reperes.programme.models import Campaign, Project
from reperes.reporting import cells
from reperes.reporting.enums import AssessmentCategory, AssessmentKind
from reperes.reporting.models import ASSESSMENT_MAX, BilanSnapshot, ProjectAssessment
from reperes.reporting.selectors import CampaignCounts, campaign_counts, dump_youth_counts, reference_date


@transaction.atomic
def save_assessment(
    project: Project, *, category: str, kind: str, text: str, version: str | None, acting_user: User
) -> ProjectAssessment | None:
    """Writes the project's strength or difficulty under `category`; an empty text removes it.
    Only the coordinator of the carrying Mission locale writes it (policy.can_write_assessment).
    `version` is the updated_at the form was built from, empty for a new one: an entry written or
    removed by someone else since is refused, never overwritten. History in WriteRecord."""
    if not policy.can_write_assessment(acting_user, project):
        raise ValidationError(_("Seul·e la coordinatrice ou le coordinateur du projet écrit son bilan qualitatif."))
    if category not in AssessmentCategory.values or kind not in AssessmentKind.values:
        raise ValidationError(_("Choisissez un thème et s'il s'agit d'un point fort ou d'une difficulté."))
    text = text.strip()
    if len(text) > ASSESSMENT_MAX:
        raise ValidationError(
            _("Le texte dépasse %(max)s caractères : resserrez-le.") % {"max": ASSESSMENT_MAX}, code="too_long"
        )
    existing = (
        ProjectAssessment.objects.select_for_update().filter(project=project, category=category, kind=kind).first()
    )
    if existing is not None:
        check_version(existing.updated_at, version)
    elif version:
        raise ValidationError(
            _("Ce texte a été supprimé par quelqu'un d'autre pendant que vous le modifiiez. Rechargez la page."),
            code="concurrent_edit",
        )
    if existing is None and not text:
        return None
    if existing is not None and not text:
        audit.record_write(existing, acting_user=acting_user, before={"text": existing.text}, after={"deleted": True})
        existing.delete()
        return None
    now = timezone.now()
    if existing is None:
        created = ProjectAssessment.objects.create(
            project=project,
            category=category,
            kind=kind,
            text=text,
            author=acting_user,
            created_at=now,
            updated_at=now,
        )
        audit.record_write(
            created,
            acting_user=acting_user,
            action=WriteAction.CREATE,
            after={"project": project.pk, "category": category, "kind": kind, "text": text},
        )
        return created
    before = existing.text
    existing.text, existing.author, existing.updated_at = text, acting_user, now
    existing.save(update_fields=["text", "author", "updated_at"])
    audit.record_write(existing, acting_user=acting_user, before={"text": before}, after={"text": text})
    return existing


# --- The bilan's figures, frozen once per reference date -------------------------------------


def _cell_json(cell: Cell) -> list[Any]:
    return [cell.population, [list(pair) for pair in cell.coordinates]]


def _cell_of(data: list[Any]) -> Cell:
    population, coordinates = data
    return Cell(population, tuple((dimension, category) for dimension, category in coordinates))


def campaign_figures(campaign: Campaign, *, today: date | None = None) -> tuple[CampaignCounts, Publication]:
    """The campaign's exact counts and their protected Publication, as every page, chart and export
    reads them (ADR 009). The youths' counts of one reference date are computed once and frozen
    with the cells masked then (BilanSnapshot): two reads of one bilan, on any page and any day,
    publish the same cells, and nothing is learnt by difference from a late correction. A change of
    the threshold protects them again."""
    day = reference_date(campaign, today)
    threshold = small_cell_threshold()
    snapshot = None if day is None else BilanSnapshot.objects.filter(campaign=campaign, reference_date=day).first()
    if snapshot is not None:
        counts = campaign_counts(campaign, today=today, frozen=snapshot.counts)
        if snapshot.threshold == threshold:
            secret = [_cell_of(data) for data in snapshot.secret]
            return counts, build(cells.tables(counts)).publish(secret, threshold)
    else:
        counts = campaign_counts(campaign, today=today)
    published = protect(cells.tables(counts), threshold=threshold)
    if day is not None and counts.projects:
        try:
            with transaction.atomic():
                BilanSnapshot.objects.update_or_create(
                    campaign=campaign,
                    reference_date=day,
                    defaults={
                        "counts": dump_youth_counts(counts),
                        "secret": [_cell_json(cell) for cell in sorted(published.secret_cells)],
                        "threshold": threshold,
                    },
                )
        except IntegrityError:  # another first reader froze it meanwhile: theirs stands
            return campaign_figures(campaign, today=today)
    return counts, published


def freeze_bilans(*, today: date | None = None) -> dict[str, int]:
    """Freezes the bilan of every campaign whose reference date has no snapshot yet, so that no
    reader waits for the computation (over a million youths it takes tens of seconds, a page read
    from the snapshot well under one: docs/performance.md). Run nightly by the worker; a campaign's
    date moves once a month, so most nights it finds nothing to do."""
    frozen = already = 0
    for campaign in Campaign.objects.order_by("starts_on", "pk"):
        day = reference_date(campaign, today)
        if day is None or not campaign.projects.exists():
            continue
        if BilanSnapshot.objects.filter(campaign=campaign, reference_date=day).exists():
            already += 1
            continue
        campaign_figures(campaign, today=today)
        frozen += 1
    return {"frozen": frozen, "already": already}

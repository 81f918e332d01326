"""The writes of the bilan: the qualitative part of a project's bilan."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reperes.network.models import User
from reperes.network.services import check_version
from reperes.privacy import audit, policy
from reperes.privacy.enums import WriteAction
from reperes.programme.models import Project
from reperes.reporting.enums import AssessmentCategory, AssessmentKind
from reperes.reporting.models import ASSESSMENT_MAX, ProjectAssessment


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

"""The access log and the write history: every read of a youth's file and every change to
personal data leave a trace. Entries carry ids and field names, never values of sensitive fields
in the access log; the write history keeps before/after for the people entitled to see the file."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import models

from reperes.network.models import User
from reperes.privacy.enums import AccessAction, Section, WriteAction
from reperes.privacy.models import AccessLog, WriteRecord


def record_read(user: User, youth_id: int, *, sections: Iterable[str] = (Section.IDENTITY,), reason: str = "") -> None:
    """One entry per read of a file, naming the parts it showed."""
    shown = ",".join(sorted(sections))
    AccessLog.objects.create(user=user, youth_id=youth_id, sections=shown, action=AccessAction.READ, reason=reason)


def record_export(user: User, youth_id: int, *, sections: Iterable[str], reason: str) -> None:
    """A file handed over whole (the right of access): one entry naming every part it holds."""
    AccessLog.objects.create(
        user=user, youth_id=youth_id, sections=",".join(sorted(sections)), action=AccessAction.EXPORT, reason=reason
    )


def record_list(user: User, youth_ids: Iterable[int], *, reason: str = "") -> None:
    """A result list shows names: one entry per youth shown."""
    record_access(user, youth_ids, action=AccessAction.LIST, reason=reason)


def record_access(user: User, youth_ids: Iterable[int], *, action: str, reason: str = "") -> None:
    AccessLog.objects.bulk_create(AccessLog(user=user, youth_id=pk, action=action, reason=reason) for pk in youth_ids)


def snapshot_value(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: snapshot_value(getattr(instance, name)) for name in fields}


def record_write(
    instance: models.Model,
    *,
    acting_user: User | None,
    action: str = WriteAction.UPDATE,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    WriteRecord.objects.create(
        user=acting_user,
        model=instance._meta.label_lower,
        object_id=instance.pk,
        action=action,
        before=before or {},
        after=after or {},
    )


def record_writes(
    instances: Iterable[tuple[models.Model, dict[str, Any]]], *, acting_user: User | None, action: str
) -> None:
    """One history record per (instance, after) pair, in one insert: bulk imports."""
    WriteRecord.objects.bulk_create(
        (
            WriteRecord(
                user=acting_user,
                model=instance._meta.label_lower,
                object_id=instance.pk,
                action=action,
                before={},
                after=after,
            )
            for instance, after in instances
        ),
        batch_size=1000,
    )

"""Exports made in the background: a registered function that writes one file, with progress.

An export is declared once, like a task, with the `@export` decorator:

    @export(title=_("Bilan de la campagne"))
    def campaign_bilan(parameters: dict[str, Any], *, user: User, progress: Progress) -> ExportFile:
        campaign = get_object_or_404(policy.campaigns_visible_to(user), pk=parameters["campaign_id"])
        ...
        progress(50)
        ...
        return ExportFile("bilan.pdf", pdf.CONTENT_TYPE, render_pdf("programme/bilan.pdf.html", context))

and started from a view, after the view asked the policy, by `services.start_export(campaign_bilan,
parameters={"campaign_id": campaign.pk}, acting_user=user)`. The worker runs it as the user who
asked (the function asks the policy again: a right may have been lost meanwhile). The parameters
are stored in the job row and in the task queue: ids, dates and choices only, never personal data.
The files are reports of aggregate figures; an export that would name young people does not
belong here (its downloads would have to be logged as reads).

The job keeps the export's module path, as Django's task rows keep their task's: the worker imports
it back and runs it only if it is a registered `Export`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.functional import Promise
from django.utils.module_loading import import_string

from reperes.network.models import User

Progress = Callable[[int], None]  # percent done, 0–100


@dataclass(frozen=True)
class ExportFile:
    name: str
    content_type: str
    content: bytes


class ExportFunction(Protocol):
    __module__: str
    __qualname__: str

    def __call__(self, parameters: dict[str, Any], *, user: User, progress: Progress) -> ExportFile: ...


@dataclass(frozen=True)
class Export:
    function: ExportFunction
    title: str | Promise

    @property
    def module_path(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"

    def run(self, parameters: dict[str, Any], *, user: User, progress: Progress | None = None) -> ExportFile:
        """Make the file now, in the request (a small export need not wait for the worker)."""
        return self.function(parameters, user=user, progress=progress or (lambda percent: None))


_REGISTERED: dict[str, Export] = {}


def export(*, title: str | Promise) -> Callable[[ExportFunction], Export]:
    def register(function: ExportFunction) -> Export:
        declared = Export(function=function, title=title)
        _REGISTERED[declared.module_path] = declared
        return declared

    return register


def resolve(module_path: str) -> Export:
    """The registered export a job names; anything else is refused."""
    found = import_string(module_path)
    if not isinstance(found, Export) or _REGISTERED.get(module_path) is not found:
        raise LookupError(f"{module_path} is not a registered export")
    return found

"""One entry of a youth's timeline, whatever app it comes from.

Each app that records something about a youth's pathway (contacts and stages here, attendance in
`reperes.mobilisation`, referrals in `reperes.referrals`) offers a selector
`timeline_entries(user, youth) -> list[TimelineEntry]` that returns only what this user may see of
it (the policy decides); the pathway page merges them in chronological order."""

from dataclasses import dataclass
from datetime import datetime

from reperes.privacy.enums import Section


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    # What kind of entry, for the filter: "contact", "note", "stage", "referral", "attendance",
    # "outcome", "barrier", "project".
    kind: str
    # A short French sentence saying what happened (« Présent·e à « Atelier CV », séance du 3 mars »).
    label: str
    author: str  # the person's full name, as staff and partners may read it
    organisation: str  # as policy.organisation_label names it to this reader
    # Free text, already filtered by the policy (empty when the reader may not read it).
    detail: str = ""
    # The section of the file this entry belongs to (a barrier of health is Section.HEALTH).
    section: str = Section.PATHWAY

"""Who may see or do what: the one place the rest of the code asks.

Each rule is stated once, in `reperes.privacy.rules` (one module per kind of object), as a
queryset for lists and lookups and as a predicate for single objects and buttons; this module
names them all, so that a view reads `policy.can_undo_merge(user, merge)` and a data-protection
officer reads the rules in one package. Views never build their own rule; objects outside a
user's scope are looked up through these querysets and answer 404 like missing ones.

Layering (tests/privacy/test_layering.py): the rules read the models and enums of every app and
nothing above them — no selector, service, form or view; those ask the policy. No models or
enums module imports the policy.
"""

from reperes.privacy.rules import exports as _exports
from reperes.privacy.rules import mobilisation as _mobilisation
from reperes.privacy.rules import operations as _operations
from reperes.privacy.rules import pathways as _pathways
from reperes.privacy.rules import programme as _programme
from reperes.privacy.rules import referrals as _referrals
from reperes.privacy.rules import reporting as _reporting
from reperes.privacy.rules import signals as _signals
from reperes.privacy.rules.accounts import (
    ADMIN_GRANTABLE_ROLES,
    FILE_READING_ROLES,
    SECOND_FACTOR_ROLES,
    admin_may_grant,
    can_manage_members,
    can_reset_second_factor,
    can_view_access_overview,
    coordinated_mission,
    managed_memberships,
    must_use_second_factor,
    organisations_managed_by,
    partners_reading_files_of,
    reads_files,
    second_factor_resettable,
)
from reperes.privacy.rules.exports import *  # noqa: F403
from reperes.privacy.rules.mobilisation import *  # noqa: F403
from reperes.privacy.rules.operations import *  # noqa: F403
from reperes.privacy.rules.organisations import (
    can_administer,
    can_edit_organisation,
    can_import_directory,
    can_view_programme,
    missions_locales_for_coverage,
    organisation_kind_locked,
    organisations_editable_by,
    organisations_visible_to,
)
from reperes.privacy.rules.pathways import *  # noqa: F403
from reperes.privacy.rules.programme import *  # noqa: F403
from reperes.privacy.rules.referrals import *  # noqa: F403
from reperes.privacy.rules.reporting import *  # noqa: F403
from reperes.privacy.rules.roles import AnyUser, has_role, organisation_of, role_of
from reperes.privacy.rules.signals import *  # noqa: F403
from reperes.privacy.rules.youths import (
    SENSITIVE_KINDS,
    announces_existence_only,
    can_change_referent,
    can_edit_youth,
    can_export_subject_access,
    can_follow_youths,
    can_import_lists,
    can_manage_consent,
    can_replace_consent,
    can_see_referent_contact,
    can_send_signals,
    can_triage_signals,
    can_undo_merge,
    can_view_personal_data,
    can_view_youth,
    consent_partners,
    file_signals_visible_to,
    list_imports_visible_to,
    merges_shown_to,
    merges_undoable_by,
    organisation_label,
    possible_referents,
    sections_shown,
    sections_visible_to,
    sections_visible_to_many,
    signal_senders_labels,
    signals_visible_to,
    youths_visible_to,
)

__all__ = [
    "ADMIN_GRANTABLE_ROLES",
    "FILE_READING_ROLES",
    "admin_may_grant",
    "can_manage_members",
    "can_reset_second_factor",
    "second_factor_resettable",
    "must_use_second_factor",
    "SECOND_FACTOR_ROLES",
    "can_view_access_overview",
    "coordinated_mission",
    "managed_memberships",
    "organisations_managed_by",
    "partners_reading_files_of",
    "reads_files",
    "SENSITIVE_KINDS",
    "AnyUser",
    "announces_existence_only",
    "can_administer",
    "can_change_referent",
    "can_edit_organisation",
    "can_edit_youth",
    "can_export_subject_access",
    "can_follow_youths",
    "can_import_directory",
    "can_import_lists",
    "can_manage_consent",
    "can_replace_consent",
    "can_see_referent_contact",
    "can_send_signals",
    "can_triage_signals",
    "can_undo_merge",
    "can_view_personal_data",
    "can_view_programme",
    "can_view_youth",
    "consent_partners",
    "file_signals_visible_to",
    "has_role",
    "list_imports_visible_to",
    "merges_shown_to",
    "merges_undoable_by",
    "missions_locales_for_coverage",
    "organisation_label",
    "organisation_of",
    "organisations_editable_by",
    "organisations_visible_to",
    "organisation_kind_locked",
    "possible_referents",
    "role_of",
    "sections_shown",
    "sections_visible_to",
    "sections_visible_to_many",
    "signal_senders_labels",
    "signals_visible_to",
    "youths_visible_to",
]
# The later rules modules list their own names.
__all__ += _pathways.__all__
__all__ += _mobilisation.__all__
__all__ += _operations.__all__
__all__ += _referrals.__all__
__all__ += _signals.__all__
__all__ += _programme.__all__
__all__ += _exports.__all__
__all__ += _reporting.__all__

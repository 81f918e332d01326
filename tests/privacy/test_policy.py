"""Each rule of the policy, through every role (STYLE.md §3)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from reperes.privacy import policy
from tests.network.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["counsellor", "coordinator", "partner_worker", "funder_officer", "admin_user"]


def _cast(request):
    people = {name: request.getfixturevalue(name) for name in PERSONAS}
    people["no_membership"] = UserFactory()
    people["anonymous"] = AnonymousUser()
    return people


@pytest.mark.parametrize(
    ("predicate", "allowed"),
    [
        (policy.can_follow_youths, {"counsellor", "coordinator"}),
        (policy.can_send_signals, {"counsellor", "coordinator", "partner_worker"}),
        (policy.can_view_programme, {"coordinator", "funder_officer", "admin_user"}),
        (policy.can_view_personal_data, {"counsellor", "coordinator", "partner_worker"}),
        (policy.can_administer, {"admin_user"}),
    ],
)
def test_role_predicates(request, predicate, allowed):
    for name, user in _cast(request).items():
        assert predicate(user) is (name in allowed), f"{predicate.__name__} for {name}"


def test_the_funder_never_sees_personal_data(funder_officer):
    assert not policy.can_view_personal_data(funder_officer)


def test_directory_is_readable_by_every_member_only(request):
    inactive = OrganisationFactory(is_active=False)
    for name, user in _cast(request).items():
        visible = policy.organisations_visible_to(user)
        if name in ("no_membership", "anonymous"):
            assert not visible.exists(), name
        else:
            assert visible.filter(pk=user.organisation.pk).exists(), name
            assert not visible.filter(pk=inactive.pk).exists(), name


def test_who_edits_an_organisation(request):
    cast = _cast(request)
    other = OrganisationFactory()
    expected_own = {"coordinator", "partner_worker", "admin_user"}
    for name, user in cast.items():
        own = getattr(user, "organisation", None)
        if own is not None:
            assert policy.can_edit_organisation(user, own) is (name in expected_own), name
        assert policy.can_edit_organisation(user, other) is (name == "admin_user"), name


def test_an_inactive_membership_gives_no_role():
    membership = MembershipFactory(is_active=False)
    assert policy.role_of(membership.user) is None
    assert not policy.can_follow_youths(membership.user)

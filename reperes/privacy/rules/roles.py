"""Who the user is, as the rules see them: a role in one organisation, or nobody."""

from django.contrib.auth.models import AnonymousUser

from reperes.network.models import Organisation, User

AnyUser = User | AnonymousUser


def role_of(user: AnyUser) -> str | None:
    if not user.is_authenticated:
        return None
    assert isinstance(user, User)
    return user.role


def has_role(user: AnyUser, *roles: str) -> bool:
    return role_of(user) in roles


def organisation_of(user: AnyUser) -> Organisation | None:
    """The organisation of the user's active membership, or None (anonymous, no membership)."""
    if not user.is_authenticated:
        return None
    assert isinstance(user, User)
    return user.organisation

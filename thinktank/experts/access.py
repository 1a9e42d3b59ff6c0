"""Who may see what of an expert: the pool's object permissions (the pages'
roles are declared on the views, ``thinktank.permissions``)."""

from thinktank.experts.models import Expert
from thinktank.permissions import Role


def can_view_contacts(user) -> bool:
    """Mobile and email are for the secretariat (and the expert themself)."""
    return user.has_role(Role.SECRETARIAT, Role.ADMIN)


def can_view_expert(user, expert: Expert) -> bool:
    """The secretariat, admins and officials see every expert; an expert only themself."""
    if user.has_role(Role.SECRETARIAT, Role.ADMIN, Role.OFFICIAL):
        return True
    return user.expert_id == expert.id

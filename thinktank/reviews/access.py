"""Who may do what in a review round: the area's object permissions.

Each page declares its roles (``thinktank.permissions``); these predicates
decide, for one round or application, what a user of those roles may see.
The secretariat and admins see everything; officials see a round, its
results and its panels once it is published; an expert sees only the
applications they score, once scoring has started, and never another
expert's scores, an average or a panel's membership."""

from thinktank.permissions import Role
from thinktank.reviews.models import Application, ReviewRound, RoundStatus
from thinktank.reviews.panels import SHOWN_TO_EXPERTS, is_assigned


def _secretariat_or_admin(user) -> bool:
    return user.has_role(Role.SECRETARIAT, Role.ADMIN)


def can_view_round(user, review_round: ReviewRound) -> bool:
    """The secretariat and admins see every round; officials only published ones."""
    return _secretariat_or_admin(user) or (
        user.has_role(Role.OFFICIAL) and review_round.status == RoundStatus.PUBLISHED)


def can_view_results(user, review_round: ReviewRound) -> bool:
    """Those who may view the round; experts never (no expert sees another's
    scores or an average)."""
    return can_view_round(user, review_round)


def can_view_panels(user, review_round: ReviewRound) -> bool:
    """Those who may view the round. Experts see only their own assignments,
    never a panel's membership."""
    return can_view_round(user, review_round)


def can_review_application(expert_id: int | None, application: Application) -> bool:
    """Whether an expert may open ``application`` and their part in it (its
    attachments, their sheet, its group opinion): they score it, and its round
    is shown to experts. Every page of an expert's work on an application asks this."""
    return application.round.status in SHOWN_TO_EXPERTS and is_assigned(expert_id, application)


def can_view_application(user, application: Application) -> bool:
    """Whether ``user`` may open an application and its attachments: the
    secretariat and admins, and the experts who review it."""
    return _secretariat_or_admin(user) or (
        user.has_role(Role.EXPERT) and can_review_application(user.expert_id, application))

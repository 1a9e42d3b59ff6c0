"""The experts' answers to their invitations, through the signed link or
their invitations page: accepting, declining (which may promote a backup),
changing their mind; and the invitations an expert has received. When
replies close is ``access.can_answer_invitation``."""

from flask_babel import gettext as _
from sqlalchemy import select

from thinktank.audit.services import record
from thinktank.auth.models import User
from thinktank.consultations.access import can_answer_invitation
from thinktank.consultations.invitation_mail import SUBJECT_TYPE, MailKind, plan_reminders
from thinktank.consultations.models import ConsultationSession, Invitation, InvitationStatus
from thinktank.consultations.participants import on_drawn_panel, promote_backup
from thinktank.errors import DomainError, Forbidden, NotFound
from thinktank.extensions import db
from thinktank.notifications.services import cancel_pending
from thinktank.timeutil import utcnow

S = InvitationStatus


def respond(invitation: Invitation, accept: bool, reason: str = "", user=None,
            via: str = "app") -> Invitation | None:
    """Record the expert's answer (or its change) and return the backup
    invited in their place, if a decline promoted one.

    An answer through the link (``via="link"``) is the expert's: the audit
    names them by code as having used the link, with their account if they
    have one, whoever else is signed in.

    Answering stops the RSVP nudge; declining drops their reminders and, when
    the session promotes backups automatically, invites the next backup."""
    if not can_answer_invitation(invitation):
        raise DomainError(_("Replies to this invitation are closed."))
    reason = (reason or "").strip()
    if not accept and not reason:
        raise DomainError(_("Please give a reason for declining."))
    new = S.ACCEPTED if accept else S.DECLINED
    previous = invitation.status
    if previous == new and (accept or reason == invitation.decline_reason):
        return None
    invitation.status = new.value
    invitation.responded_at = utcnow()
    invitation.decline_reason = None if accept else reason[:500]
    actor = None
    if via == "link":
        user = db.session.scalar(select(User).where(User.expert_id == invitation.expert_id))
        actor = f"rsvp-link:{invitation.expert.code}"
    record(f"invitation.{new.value}", invitation,
           {"session": invitation.session_id, "expert": invitation.expert_id,
            "previous": previous, "reason": invitation.decline_reason, "via": via},
           user=user, actor=actor)
    cancel_pending(SUBJECT_TYPE, invitation.id, [MailKind.RSVP_NUDGE])
    session = invitation.session
    if accept:
        if previous == S.DECLINED:  # changed their mind: reminders again
            session.mail_revision += 1
            plan_reminders(invitation, utcnow())
        return None
    cancel_pending(SUBJECT_TYPE, invitation.id)
    if previous != S.DECLINED and session.auto_promote_backups and on_drawn_panel(invitation):
        return promote_backup(invitation, user=user)
    return None


def invitations_of(expert_id: int) -> list[Invitation]:
    """The invitations an expert has received, the latest session first."""
    return list(db.session.scalars(
        select(Invitation).join(Invitation.session)
        .where(Invitation.expert_id == expert_id, Invitation.invited_at.is_not(None))
        .order_by(ConsultationSession.starts_at.desc(), Invitation.id.desc())
    ))


def own_invitation(invitation_id: int, user) -> Invitation:
    """The invitation if it is ``user``'s own and was sent to them; else
    ``NotFound`` or ``Forbidden``."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound(_("The page or record does not exist."))
    if user.expert_id is None or invitation.expert_id != user.expert_id:
        raise Forbidden(_("You do not have permission to open this page."))
    if invitation.invited_at is None:
        raise NotFound(_("The page or record does not exist."))
    return invitation

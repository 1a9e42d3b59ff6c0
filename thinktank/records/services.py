"""An expert's history (履职记录): sessions and rounds, read in a fixed number of queries."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, lazyload

from thinktank.consultations.models import (
    Attendance,
    ConsultationSession,
    ExpertOpinion,
    Invitation,
    InvitationStatus,
)
from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.reviews.models import (
    Application,
    PanelMember,
    ReviewPanel,
    ReviewRound,
    ScoreSheet,
    SheetStatus,
)
from thinktank.reviews.panels import SHOWN_TO_EXPERTS

# An invitation in these states was sent to the expert (a withdrawn one only if it went out).
_SENT = {InvitationStatus.INVITED.value, InvitationStatus.ACCEPTED.value,
         InvitationStatus.DECLINED.value}


@dataclass(frozen=True)
class SheetRecord:
    """A submitted sheet and whether it came in by the round's scoring deadline."""

    sheet: ScoreSheet
    application: Application
    review_round: ReviewRound

    @property
    def on_time(self) -> bool:
        deadline = self.review_round.scoring_deadline
        return deadline is None or self.sheet.submitted_at <= deadline


@dataclass
class ExpertHistory:
    """What an expert was invited to, answered, attended, served on and wrote."""

    invited: list[Invitation] = field(default_factory=list)
    accepted: list[Invitation] = field(default_factory=list)
    declined: list[Invitation] = field(default_factory=list)
    attended: list[Invitation] = field(default_factory=list)
    rounds: list[ReviewRound] = field(default_factory=list)
    sheets: list[SheetRecord] = field(default_factory=list)
    conflicts: list[SheetRecord] = field(default_factory=list)
    opinions: list[ExpertOpinion] = field(default_factory=list)

    @property
    def sheets_on_time(self) -> int:
        return sum(1 for record in self.sheets if record.on_time)

    @property
    def sheets_late(self) -> int:
        return len(self.sheets) - self.sheets_on_time


def expert_history(expert: Expert) -> ExpertHistory:
    """The history of ``expert``, newest first, in four queries whatever its length."""
    history = ExpertHistory()
    invitations = db.session.execute(
        select(Invitation).join(Invitation.session).options(contains_eager(Invitation.session))
        .where(Invitation.expert_id == expert.id)
        .order_by(ConsultationSession.starts_at.desc(), Invitation.id.desc())
    ).scalars().all()
    for invitation in invitations:
        if invitation.status in _SENT or (
            invitation.status == InvitationStatus.WITHDRAWN and invitation.invited_at
        ):
            history.invited.append(invitation)
        if invitation.status == InvitationStatus.ACCEPTED:
            history.accepted.append(invitation)
        elif invitation.status == InvitationStatus.DECLINED:
            history.declined.append(invitation)
        if invitation.attendance == Attendance.PRESENT:
            history.attended.append(invitation)

    history.rounds = list(db.session.scalars(
        select(ReviewRound).join(ReviewPanel, ReviewPanel.round_id == ReviewRound.id)
        .join(PanelMember, PanelMember.panel_id == ReviewPanel.id)
        .where(PanelMember.expert_id == expert.id, PanelMember.is_backup.is_(False),
               PanelMember.removed_at.is_(None),
               # like a session's panel before the invitations go out, a draft's is not served
               ReviewRound.status.in_([status.value for status in SHOWN_TO_EXPERTS]))
        .options(lazyload(ReviewRound.criteria))  # the history never shows them
        .distinct().order_by(ReviewRound.id.desc())
    ))

    rows = db.session.execute(
        select(ScoreSheet, Application, ReviewRound)
        .join(Application, ScoreSheet.application_id == Application.id)
        .join(ReviewRound, Application.round_id == ReviewRound.id)
        .where(ScoreSheet.expert_id == expert.id,
               ScoreSheet.status.in_([SheetStatus.SUBMITTED.value, SheetStatus.CONFLICT.value]))
        .options(lazyload(ReviewRound.criteria))
        .order_by(ReviewRound.id.desc(), Application.number)
    ).all()
    for sheet, application, review_round in rows:
        record = SheetRecord(sheet, application, review_round)
        if sheet.status == SheetStatus.CONFLICT:
            history.conflicts.append(record)
        else:
            history.sheets.append(record)

    history.opinions = list(db.session.scalars(
        select(ExpertOpinion).join(ExpertOpinion.session)
        .options(contains_eager(ExpertOpinion.session))
        .where(ExpertOpinion.expert_id == expert.id)
        .order_by(ExpertOpinion.submitted_at.desc())
    ))
    return history

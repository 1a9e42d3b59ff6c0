"""An expert with a known history of sessions and rounds, built by hand."""

from dataclasses import dataclass
from datetime import timedelta

from tests.consultations.invitation_factories import invitation_of, scheduled_session
from tests.consultations.proceedings_factories import held_session, invite
from tests.reviews.outcome_factories import add_sheet
from tests.reviews.panel_factories import applications_of, panel_with, scoring_round
from thinktank.consultations import rsvp
from thinktank.consultations.models import ExpertOpinion
from thinktank.extensions import db
from thinktank.reviews.models import PanelMember, SheetStatus
from thinktank.timeutil import utcnow


@dataclass
class Built:
    declined_reason: str
    late_application: object
    conflict_application: object


def build_history(expert, other, *, sessions: int = 1) -> Built:
    """For ``expert``, ``sessions`` times over: one invitation declined with a
    reason, one accepted, one session attended (with an opinion) and one
    missed, one reserve place; a round served with a sheet on time, a late
    sheet and a declared conflict; a round where they are only a backup."""
    reason = "当日在外地出差"
    future = utcnow() + timedelta(days=20)
    for _ in range(sessions):
        declined = scheduled_session([expert, other], starts_at=future)
        rsvp.respond(invitation_of(declined, expert), accept=False, reason=reason)
        accepted = scheduled_session([expert], starts_at=future)
        rsvp.respond(invitation_of(accepted, expert), accept=True)
        attended = held_session(present=[expert], absent=[other])
        db.session.add(ExpertOpinion(session_id=attended.id, expert_id=expert.id, text="建议"))
        held_session(absent=[expert])
        invite(scheduled_session([other]), expert, status="reserve")

        served = scoring_round(applications=3)
        panel_with(served, [expert, other])
        on_time, late, conflict = applications_of(served)
        add_sheet(served, on_time, expert, "80")
        add_sheet(served, late, expert, "70").submitted_at = (
            served.scoring_deadline + timedelta(hours=1))
        add_sheet(served, conflict, expert, status=SheetStatus.CONFLICT).conflict_reason = "曾任职"
        add_sheet(served, on_time, other, "60", status=SheetStatus.DRAFT)

        backup_only = scoring_round(applications=1)
        panel = panel_with(backup_only, [other])
        db.session.add(PanelMember(panel=panel, expert_id=expert.id, is_backup=True,
                                   backup_rank=1, source="manual"))
        db.session.commit()
    return Built(reason, late, conflict)

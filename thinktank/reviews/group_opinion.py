"""The group opinion (专家组意见) on an application: the panel leader (组长)
drafts it; every expert who scores the application confirms it or records a
dissent with reasons (保留意见). Changing the text resets the answers given,
since they were given to another text; the version the page showed guards
against answering or overwriting a text one has not read.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from thinktank.audit.services import record
from thinktank.errors import DomainError, Forbidden
from thinktank.extensions import db
from thinktank.reviews.models import (
    Application,
    GroupOpinion,
    OpinionConfirmation,
    OpinionVerdict,
    PanelMember,
    ReviewRound,
    RoundStatus,
)
from thinktank.reviews.panels import (
    assigned_members,
    assignments_of,
    is_assigned,
    panel_applications,
    panel_for,
)
from thinktank.reviews.progress import round_progress
from thinktank.timeutil import utcnow

OPINION_LIMIT = 5000
REASON_LIMIT = 2000
# Drafted and answered from scoring until publication, when the opinion is issued.
OPEN_STATUSES = frozenset({RoundStatus.SCORING, RoundStatus.CLOSED, RoundStatus.FINALIZED})


def leader_of(application: Application) -> PanelMember | None:
    """The leader of the application's panel, if one is set."""
    panel = panel_for(application)
    if panel is None:
        return None
    return next((m for m in panel.members if m.is_leader and m.active), None)


def is_leader(expert_id: int | None, application: Application) -> bool:
    leader = leader_of(application)
    return leader is not None and expert_id is not None and leader.expert_id == expert_id


def answer_of(opinion: GroupOpinion | None, expert_id: int) -> OpinionConfirmation | None:
    """The expert's confirmation or dissent of ``opinion``, if they gave one."""
    if opinion is None:
        return None
    return next((c for c in opinion.confirmations if c.expert_id == expert_id), None)


def opinion_of(application: Application) -> GroupOpinion | None:
    return db.session.scalar(
        select(GroupOpinion).where(GroupOpinion.application_id == application.id))


def _require_open(review_round: ReviewRound) -> None:
    if review_round.status not in OPEN_STATUSES:
        raise DomainError(_("The group opinion can be drafted and answered only from the start "
                            "of scoring until the results are published."))


def _require_version(opinion: GroupOpinion | None, seen_version: int) -> None:
    if (opinion.version if opinion else 0) != seen_version:
        raise DomainError(_("The group opinion was changed in the meantime. Read the current "
                            "text and try again."))


def save_opinion(application: Application, expert_id: int, text: str, seen_version: int,
                 *, user=None) -> GroupOpinion:
    """Draft or revise the group opinion; only the panel leader may. A changed
    text gets a new version and deletes the answers given to the old one.
    ``seen_version`` is the version the editor showed (0 for none yet). The
    caller commits."""
    if not is_leader(expert_id, application):
        raise Forbidden(_("Only the panel leader drafts the group opinion."))
    _require_open(application.round)
    text = (text or "").strip()
    if not text or len(text) > OPINION_LIMIT:
        raise DomainError(_("Write the group opinion, in at most %(n)d characters.",
                            n=OPINION_LIMIT))
    opinion = opinion_of(application)
    _require_version(opinion, seen_version)
    if opinion is None:
        opinion = GroupOpinion(application=application, text=text, drafted_by_id=expert_id)
        db.session.add(opinion)
        reset = 0
    elif opinion.text == text:
        return opinion
    else:
        reset = len(opinion.confirmations)
        opinion.confirmations.clear()
        opinion.text, opinion.drafted_by_id = text, expert_id
        opinion.version += 1
        opinion.updated_at = utcnow()
    db.session.flush()
    record("group_opinion.saved", opinion, {"application": application.id,
                                            "version": opinion.version, "text": text,
                                            "answers_reset": reset}, user=user)
    return opinion


def answer_opinion(opinion: GroupOpinion, expert_id: int, confirm: bool, reason: str | None,
                   seen_version: int, *, user=None, proxy: bool = False) -> OpinionConfirmation:
    """An expert who scores the application confirms the opinion, or dissents
    with reasons (保留意见); a later answer replaces the earlier one. ``proxy``
    marks a paper answer entered by the secretariat (``user``) on the expert's
    behalf (代录), audited as proxy entry like score sheets. The caller commits."""
    application = opinion.application
    if not is_assigned(expert_id, application):
        raise Forbidden(_("Only the experts who score this application answer its group "
                          "opinion."))
    _require_open(application.round)
    _require_version(opinion, seen_version)
    reason = (reason or "").strip() or None
    if not confirm and reason is None:
        raise DomainError(_("Give the reasons for your dissent."))
    if reason is not None and len(reason) > REASON_LIMIT:
        raise DomainError(_("The reasons may have at most %(n)d characters.", n=REASON_LIMIT))
    answer = answer_of(opinion, expert_id)
    if answer is None:
        answer = OpinionConfirmation(expert_id=expert_id)
        opinion.confirmations.append(answer)
    answer.verdict = (OpinionVerdict.CONFIRMED if confirm else OpinionVerdict.DISSENT).value
    answer.reason = None if confirm else reason
    answer.at = utcnow()
    answer.entered_by_proxy_user_id = user.id if proxy else None
    db.session.flush()
    record(f"group_opinion.{'proxy_' if proxy else ''}{answer.verdict}", opinion,
           {"application": application.id, "expert": expert_id, "version": opinion.version,
            "reason": answer.reason} | ({"proxy": True} if proxy else {}), user=user)
    return answer


# --- overviews ----------------------------------------------------------------------------


@dataclass
class OpinionStatus:
    """An application's opinion and, for each expert who scores it, their answer."""

    application: Application
    opinion: GroupOpinion | None
    answers: list[tuple[PanelMember, OpinionConfirmation | None]]

    @property
    def unanswered(self) -> int:
        return sum(1 for _member, answer in self.answers if answer is None)


def round_opinions(review_round: ReviewRound) -> list[OpinionStatus]:
    """The secretariat's view: every application of the round with its opinion
    and answers, in a constant number of queries."""
    opinions = {
        opinion.application_id: opinion
        for opinion in db.session.scalars(
            select(GroupOpinion)
            .options(selectinload(GroupOpinion.confirmations), joinedload(GroupOpinion.drafted_by))
            .join(GroupOpinion.application).where(Application.round_id == review_round.id))
    }
    statuses = []
    for row in round_progress(review_round).applications:
        opinion = opinions.get(row.application.id)
        answers = {c.expert_id: c for c in opinion.confirmations} if opinion else {}
        statuses.append(OpinionStatus(row.application, opinion, [
            (cell.member, answers.get(cell.member.expert_id)) for cell in row.cells]))
    return statuses


def incomplete_opinions(review_round: ReviewRound) -> list[OpinionStatus]:
    """The applications whose group opinion is missing or not yet answered
    (confirmed or dissented) by every expert who scores it."""
    return [status for status in round_opinions(review_round)
            if status.opinion is None or status.unanswered]


def answers_for(application: Application) -> OpinionStatus:
    """One application's opinion with the answer of each expert who scores it."""
    opinion = opinion_of(application)
    answers = {c.expert_id: c for c in opinion.confirmations} if opinion else {}
    return OpinionStatus(application, opinion, [
        (member, answers.get(member.expert_id)) for member in assigned_members(application)])


@dataclass
class ExpertItem:
    """An application on an expert's list of group opinions."""

    application: Application
    opinion: GroupOpinion | None
    leader: bool
    answer: OpinionConfirmation | None

    @property
    def waiting(self) -> bool:
        """Whether the expert has something to do: draft it, or answer it."""
        return self.leader or (self.opinion is not None and self.answer is None)


def opinion_item(expert_id: int, application: Application) -> ExpertItem | None:
    """``opinions_for_expert`` for one application the expert scores (None
    while its round is not open for opinions): a few statements, for a page
    about that one application."""
    if application.round.status not in OPEN_STATUSES:
        return None
    opinion = db.session.scalar(
        select(GroupOpinion).options(selectinload(GroupOpinion.confirmations))
        .where(GroupOpinion.application_id == application.id))
    answer = answer_of(opinion, expert_id)
    return ExpertItem(application, opinion, is_leader(expert_id, application), answer)


def opinions_for_expert(expert_id: int) -> list[ExpertItem]:
    """The applications the expert scores in rounds open for opinions, each
    with its opinion, whether the expert leads its panel, and their answer."""
    applications = [a.application for a in assignments_of(expert_id)
                    if a.application.round.status in OPEN_STATUSES]
    opinions = {
        opinion.application_id: opinion
        for opinion in db.session.scalars(
            select(GroupOpinion).options(selectinload(GroupOpinion.confirmations))
            .where(GroupOpinion.application_id.in_([a.id for a in applications])))
    }
    # The applications of the panels the expert leads, panel by panel (not one
    # look-up per application: the list is on every sheet page).
    led = {application.id
           for member in db.session.scalars(
               select(PanelMember).options(selectinload(PanelMember.panel))
               .where(PanelMember.expert_id == expert_id, PanelMember.is_leader.is_(True),
                      PanelMember.removed_at.is_(None), PanelMember.is_backup.is_(False)))
           for application in panel_applications(member.panel)}
    items = []
    for application in applications:
        opinion = opinions.get(application.id)
        answer = answer_of(opinion, expert_id)
        items.append(ExpertItem(application, opinion, application.id in led, answer))
    return items

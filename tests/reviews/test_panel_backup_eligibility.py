"""A panel's backup must still pass the draw's avoidance when promoted in
place of a member: one who has since declared a conflict with an applicant
organisation, moved to an applicant, been suspended, or been taken off the
panel is passed over with the reason recorded, and the next eligible backup
takes the place."""

from datetime import timedelta

import pytest

from tests.reviews.round_factories import application_data, make_round
from thinktank.draws.models import Draw
from thinktank.experts.models import Expert, ExpertStatus
from thinktank.experts.services import add_conflict, set_status
from thinktank.extensions import db
from thinktank.reviews import panels
from thinktank.reviews.applications import create_application
from thinktank.reviews.models import PanelMemberSource, RoundStatus
from thinktank.timeutil import utcnow

APPLICANTS = ("江西甲生物有限公司", "江西乙生物有限公司")


@pytest.fixture
def drawn(make_expert):
    """A draft round of two applicants whose panel was drawn with two backups;
    returns the panel, its draw and the first drawn member, already removed."""
    review_round = make_round(RoundStatus.DRAFT, scoring_deadline=utcnow() + timedelta(days=7))
    for organisation in APPLICANTS:
        create_application(review_round, application_data(organisation=organisation),
                           actor="test")
    for _ in range(review_round.panel_size + 2):
        make_expert()
    panel = panels.create_panels(review_round, per_group=False)[0]
    draw = panels.draw_members(panel, backups=2)
    member = next(m for m in panel.members if m.expert_id == draw.drawn[0])
    panels.remove_member(member, "身体原因")
    db.session.commit()
    return panel, draw, member


def deadline_day(panel):
    return panels.event_date(panel.round)


def declare_conflict(expert, panel):
    add_conflict(expert, APPLICANTS[1], "曾在该单位兼职", None)


def conflict_until_the_deadline(expert, panel):
    add_conflict(expert, f"  {APPLICANTS[0]}　", "合作项目", deadline_day(panel))


def move_to_an_applicant(expert, panel):
    expert.organisation = APPLICANTS[0]


def suspend(expert, panel):
    set_status(expert, ExpertStatus.SUSPENDED, "出国访学")


def take_off_the_panel(expert, panel):
    backup = next(m for m in panel.members if m.expert_id == expert.id)
    panels.remove_member(backup, "本人申请不再担任候补")


@pytest.mark.parametrize(("change", "reason"), [
    (declare_conflict, "conflict"),
    (conflict_until_the_deadline, "conflict"),
    (move_to_an_applicant, "applicant_organisation"),
    (suspend, "suspended"),
    (take_off_the_panel, "out_of_reserve"),
])
def test_a_replacement_skips_a_backup_no_longer_eligible(drawn, change, reason):
    panel, draw, member = drawn
    first, second = draw.backups
    change(db.session.get(Expert, first), panel)
    db.session.commit()

    replacement = panels.replace_member(member)
    db.session.commit()

    assert replacement.expert_id == second
    assert replacement.active and replacement.source == PanelMemberSource.REPLACEMENT
    skipped = next(m for m in panel.members if m.expert_id == first)
    assert not skipped.active
    stored = db.session.get(Draw, draw.id)
    assert [(p["backup"], p["outcome"], p.get("reason")) for p in stored.promotions] == [
        (first, "no_longer_eligible", reason), (second, "promoted", None)]
    assert stored.panel == [second, *draw.drawn[1:]]


def test_a_conflict_that_ended_before_the_deadline_does_not_count(drawn):
    panel, draw, member = drawn
    first = draw.backups[0]
    add_conflict(db.session.get(Expert, first), APPLICANTS[0], "曾任职",
                 deadline_day(panel) - timedelta(days=1))
    db.session.commit()

    assert panels.replace_member(member).expert_id == first

"""A held session and a scored round with experts of both bands, whose fees
are computed by hand in the tests."""

from datetime import timedelta

import pytest

from tests.consultations.proceedings_factories import held_session
from tests.reviews.outcome_factories import add_sheet, scored_round
from thinktank.extensions import db
from thinktank.reviews.models import SheetStatus


@pytest.fixture
def session_of_three(make_expert):
    """Present: 教授 (senior), 研究员 (senior), 副教授 (other); absent: 主任医师. Two hours."""
    present = [make_expert(name="张教授", title="教授"),
               make_expert(name="李研究员", title="研究员"),
               make_expert(name="王副教授", title="副教授")]
    absent = [make_expert(name="赵主任", title="主任医师")]
    session = held_session(present=present, absent=absent)
    session.ends_at = session.starts_at + timedelta(hours=2)
    db.session.commit()
    return session


@pytest.fixture
def round_of_three(make_expert):
    """教授: 3 submitted; 副研究员: 2 submitted and a draft; 正高级工程师: 1 submitted,
    a conflict and a reopened sheet. A fourth member submitted nothing."""
    review_round, _panel, applications, members = scored_round(
        make_expert, applications=3, experts=4)
    for member, title in zip(members, ["教授", "副研究员", "正高级工程师", "副教授"], strict=True):
        member.title = title
    senior, other, engineer, _idle = members
    for application in applications:
        add_sheet(review_round, application, senior, "80")
    add_sheet(review_round, applications[0], other, "70")
    add_sheet(review_round, applications[1], other, "75")
    add_sheet(review_round, applications[2], other, "60", status=SheetStatus.DRAFT)
    add_sheet(review_round, applications[0], engineer, "90")
    add_sheet(review_round, applications[1], engineer, status=SheetStatus.CONFLICT)
    add_sheet(review_round, applications[2], engineer, "85", status=SheetStatus.REOPENED)
    db.session.commit()
    return review_round

"""Honoraria of a session and of a round from the database, totals by hand."""

from datetime import timedelta
from decimal import Decimal

import pytest

from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.honoraria.rules import Band
from thinktank.honoraria.services import round_honoraria, session_honoraria

D = Decimal


def by_name(honoraria):
    return {line.name: line for line in honoraria.lines}


def test_two_hour_session_pays_half_days_to_those_present(session_of_three):
    honoraria = session_honoraria(session_of_three)
    lines = by_name(honoraria)
    assert set(lines) == {"张教授", "李研究员", "王副教授"}  # not the absent 赵主任
    assert lines["张教授"].band == Band.SENIOR and lines["王副教授"].band == Band.OTHER
    assert {line.quantity for line in honoraria.lines} == {D("0.5")}
    assert [lines[n].amount for n in ("张教授", "李研究员", "王副教授")] == [1200, 1200, 720]
    assert lines["张教授"].rate == 2000 and lines["王副教授"].rate == 1200
    assert honoraria.total == D(3120)  # 1,200 + 1,200 + 720
    assert honoraria.title == session_of_three.title and not honoraria.per_item


@pytest.mark.parametrize(("hours", "total"), [(4, 3120), (6, 5200)])  # 6 h: 2,000+2,000+1,200
def test_session_length_decides_half_or_full_day(session_of_three, hours, total):
    session_of_three.ends_at = session_of_three.starts_at + timedelta(hours=hours)
    db.session.commit()
    assert session_honoraria(session_of_three).total == D(total)


def test_configured_rates_are_used(app, monkeypatch, session_of_three):
    monkeypatch.setitem(app.config, "HONORARIA_SENIOR_DAY_RATE", 2400)
    monkeypatch.setitem(app.config, "HONORARIA_OTHER_DAY_RATE", 900)
    # 60 % of 2,400 = 1,440 twice, 60 % of 900 = 540
    assert session_honoraria(session_of_three).total == D(1440 + 1440 + 540)


def test_out_of_range_config_is_refused(app, monkeypatch, session_of_three, round_of_three):
    monkeypatch.setitem(app.config, "HONORARIA_OTHER_DAY_RATE", 2000)
    with pytest.raises(DomainError, match="HONORARIA_OTHER_DAY_RATE"):
        session_honoraria(session_of_three)
    with pytest.raises(DomainError, match="900"):
        round_honoraria(round_of_three)


def test_round_pays_submitted_sheets_only(round_of_three):
    honoraria = round_honoraria(round_of_three)
    lines = {line.title: line for line in honoraria.lines}
    assert set(lines) == {"教授", "副研究员", "正高级工程师"}  # no sheet, no line
    assert [lines[t].quantity for t in ("教授", "副研究员", "正高级工程师")] == [3, 2, 1]
    assert {line.rate for line in honoraria.lines} == {D(500)}
    assert honoraria.total == D(3000)  # (3 + 2 + 1) × 500
    assert honoraria.per_item


def test_round_per_item_rate_is_capped_per_band(app, monkeypatch, round_of_three):
    monkeypatch.setitem(app.config, "HONORARIA_REVIEW_ITEM_RATE", 800)
    lines = {line.title: line for line in round_honoraria(round_of_three).lines}
    assert lines["副研究员"].rate == 600  # half of 1,200
    assert lines["教授"].rate == 800
    assert [lines[t].amount for t in ("教授", "副研究员", "正高级工程师")] == [2400, 1200, 800]
    assert round_honoraria(round_of_three).total == D(4400)


def test_queries_do_not_grow_with_the_payees(count_queries, make_expert, session_of_three,
                                             round_of_three):
    from tests.consultations.proceedings_factories import invite

    with count_queries() as few:
        session_honoraria(session_of_three)
        round_honoraria(round_of_three)
    for _ in range(4):
        invite(session_of_three, make_expert(title="研究员")).attendance = "present"
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        assert len(session_honoraria(session_of_three).lines) == 7
        round_honoraria(round_of_three)
    assert many.count == few.count

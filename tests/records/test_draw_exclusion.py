from datetime import date
from decimal import Decimal

from tests.consultations.proceedings_factories import held_session
from thinktank.draws import services
from thinktank.draws.rules import Candidate, DrawRequest, ExclusionReason, screen
from thinktank.extensions import db
from thinktank.records import ratings

EVENT_DAY = date(2026, 12, 1)


def _rate(expert, score):
    ratings.rate(ratings.session_subject(held_session(present=[expert])), expert, score=score)
    db.session.commit()


def test_a_draw_can_leave_out_flagged_experts(make_expert, count_queries):
    weak, good, unrated = make_expert(name="弱"), make_expert(name="强"), make_expert(name="新")
    _rate(weak, 40)
    _rate(good, 90)

    kept = services.eligible_pool(DrawRequest(event_date=EVENT_DAY, panel_size=1))
    with count_queries() as queries:
        left_out = services.eligible_pool(
            DrawRequest(event_date=EVENT_DAY, panel_size=1, leave_out_flagged=True))

    assert weak.id in kept.pool and kept.exclusions == []
    assert sorted(left_out.pool) == sorted([good.id, unrated.id])
    assert [(e["expert_id"], e["reason"], e["detail"]) for e in left_out.exclusions] == [
        (weak.id, ExclusionReason.FLAGGED.value, {"running_score": "40.0"})]
    assert queries.count == 2  # the candidates and their running scores


def test_the_draw_records_the_option_and_the_reason(make_expert, make_user):
    weak, good = make_expert(), make_expert()
    _rate(weak, 10)

    draw = services.perform_draw(
        DrawRequest(event_date=EVENT_DAY, panel_size=1, leave_out_flagged=True),
        "session", 1, actor=make_user("secretariat"))

    assert draw.drawn == [good.id]
    assert draw.parameters["leave_out_flagged"] is True
    assert draw.exclusions[0]["reason"] == "flagged"


def test_the_rule_ignores_flags_unless_asked():
    candidates = [Candidate(1, "E1", "甲", "甲单位"), Candidate(2, "E2", "乙", "乙单位")]
    flagged = {2: Decimal("55.0")}

    asked = screen(candidates, {}, DrawRequest(EVENT_DAY, 1, leave_out_flagged=True), flagged)
    not_asked = screen(candidates, {}, DrawRequest(EVENT_DAY, 1), flagged)

    assert asked.pool == [1] and asked.exclusions[0]["reason"] == "flagged"
    assert not_asked.pool == [1, 2] and not_asked.exclusions == []


def test_an_earlier_reason_comes_first():
    candidates = [Candidate(1, "E1", "甲", "甲单位")]
    request = DrawRequest(EVENT_DAY, 1, already_on=[1], leave_out_flagged=True)

    screening = screen(candidates, {}, request, {1: Decimal("30.0")})

    assert screening.exclusions[0]["reason"] == "already_on"


def test_the_session_draw_form_leaves_out_flagged_experts(client, auth, make_expert, make_user):
    from datetime import timedelta

    from tests.consultations.factories import make_session
    from thinktank.consultations.models import Invitation
    from thinktank.draws.models import Draw
    from thinktank.timeutil import utcnow

    good = make_expert(name="强")
    for number in range(4):
        _rate(make_expert(name=f"弱{number}"), 10)
    starts = (utcnow() + timedelta(days=20)).replace(microsecond=0)
    session = make_session(starts_at=starts, ends_at=starts + timedelta(hours=2))
    auth.login(make_user("secretariat"))
    response = client.post(f"/consultations/{session.id}/participants/draw", data={
        "draw-panel_size": "1", "draw-backups": "0", "draw-org_cap": "1",
        "draw-leave_out_flagged": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    drawn = db.session.scalars(db.select(Invitation.expert_id).where(
        Invitation.session_id == session.id)).all()
    assert drawn == [good.id]
    draw = db.session.scalars(db.select(Draw)).one()
    assert draw.parameters["leave_out_flagged"] is True
    assert len(draw.exclusions) == 4

"""Terms of appointment: ending soon, reminders, renewals, the page."""

from datetime import date

import pytest
from sqlalchemy import func, select

from thinktank.audit.models import AuditEntry
from thinktank.errors import DomainError
from thinktank.experts import terms
from thinktank.experts.models import ExpertStatus, TermRenewal
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage

DAY = date(2026, 6, 1)


@pytest.fixture
def pool(make_expert):
    return {
        "today": make_expert(name="今日到期", term_end=date(2026, 6, 1)),
        "day30": make_expert(name="三十日到期", term_end=date(2026, 7, 1)),
        "day31": make_expert(name="三十一日到期", term_end=date(2026, 7, 2)),
        "ended": make_expert(name="已到期", term_end=date(2026, 5, 31)),
        "open": make_expert(name="无期限", term_end=None),
    }


def names(experts):
    return [expert.name for expert in experts]


def test_ending_soon_and_expired(pool):
    assert names(terms.ending_soon(DAY)) == ["今日到期", "三十日到期"]
    assert names(terms.expired(DAY)) == ["已到期"]
    pool["day30"].status = ExpertStatus.WITHDRAWN.value
    db.session.commit()
    assert names(terms.ending_soon(DAY)) == ["今日到期"]


def test_one_reminder_per_expert_per_term_end(app, pool, make_user):
    assert terms.queue_term_reminders(DAY) == 2
    db.session.commit()
    terms.queue_term_reminders(DAY)
    db.session.commit()
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.dedupe_key for m in mails] == [
        f"term:{pool['today'].id}:2026-06-01", f"term:{pool['day30'].id}:2026-07-01"]
    assert mails[0].reply_to == app.config["SECRETARIAT_EMAIL"]
    assert "2026-06-01" in mails[0].text_body and "秘书处" in mails[0].text_body
    # A renewal to a date still within the window reminds again for the new end.
    terms.renew_term(pool["today"], date(2026, 6, 20), "续聘一期", make_user("secretariat"))
    db.session.commit()
    terms.queue_term_reminders(DAY)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_cli_queues_reminders(runner, make_expert):
    make_expert(term_end=terms.today())
    result = runner.invoke(args=["experts", "term-reminders"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "term reminders: 1 experts"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_renewal_is_recorded_and_audited(pool, make_user):
    user = make_user("secretariat")
    expert = pool["ended"]
    renewal = terms.renew_term(expert, date(2028, 5, 31), "  续聘  ", user)
    db.session.commit()
    assert expert.term_end == date(2028, 5, 31)
    assert (renewal.old_end, renewal.new_end, renewal.reason, renewal.renewed_by_id) == (
        date(2026, 5, 31), date(2028, 5, 31), "续聘", user.id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "expert.renew_term"))
    assert entry.payload == {"old_end": "2026-05-31", "new_end": "2028-05-31", "reason": "续聘"}
    assert names(terms.expired(DAY)) == []


def test_renewal_needs_a_reason_and_a_later_end(pool, make_user):
    user = make_user("secretariat")
    with pytest.raises(DomainError):
        terms.renew_term(pool["day30"], date(2027, 7, 1), " ", user)
    with pytest.raises(DomainError):
        terms.renew_term(pool["day30"], date(2026, 7, 1), "续聘", user)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(TermRenewal)) == 0


def test_page_lists_and_renews(client, auth, make_user, make_expert):
    day = terms.today()
    soon = make_expert(name="即将到期", term_end=day)
    make_expert(name="已经到期", term_end=date(2000, 1, 31))
    auth.login(make_user("secretariat"))
    page = client.get("/experts/terms").get_data(as_text=True)
    assert ">即将到期</a>" in page and ">已经到期</a>" in page
    assert "2000-01-31" in page and ("term ended on" in page or "聘期已于" in page)
    response = client.post(f"/experts/{soon.id}/renew",
                           data={"new_end": "2099-12-31", "reason": "续聘"})
    assert response.status_code == 302
    db.session.refresh(soon)
    assert soon.term_end == date(2099, 12, 31)
    assert ">即将到期</a>" not in client.get("/experts/terms").get_data(as_text=True)
    client.post(f"/experts/{soon.id}/renew", data={"new_end": "2099-01-01", "reason": "x"})
    db.session.refresh(soon)
    assert soon.term_end == date(2099, 12, 31)
    assert db.session.scalar(select(func.count()).select_from(TermRenewal)) == 1


def test_expert_cannot_open_the_page(client, auth, make_user, make_expert):
    expert = make_expert()
    auth.login(make_user("expert", expert=expert))
    assert client.get("/experts/terms").status_code == 403
    assert client.post(f"/experts/{expert.id}/renew",
                       data={"new_end": "2099-12-31", "reason": "x"}).status_code == 403

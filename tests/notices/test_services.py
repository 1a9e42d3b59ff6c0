"""Posting notices: audience resolution, outbox mail, read receipts."""

import pytest
from sqlalchemy import func, select

from thinktank.audit.models import AuditEntry
from thinktank.errors import DomainError, Forbidden
from thinktank.experts.models import ExpertStatus
from thinktank.extensions import db
from thinktank.notices.models import NoticeRecipient
from thinktank.notices.services import Audience, _enqueue_mails, mark_read, post_notice
from thinktank.notifications.models import OutboxMessage


def recipients(notice) -> set[int]:
    return set(db.session.scalars(
        select(NoticeRecipient.expert_id).where(NoticeRecipient.notice_id == notice.id)))


@pytest.fixture
def pool(make_expert):
    return {
        "nc_uni_med": make_expert(city="南昌", category="高校院所", field_names=["生物医药"]),
        "jj_uni_chem": make_expert(city="九江", category="高校院所", field_names=["生物化工"]),
        "nc_firm_chem": make_expert(city="南昌", category="链主企业", field_names=["生物化工"]),
        "gz_firm_both": make_expert(city="赣州", category="链主企业",
                                    field_names=["生物医药", "酶制剂"]),
    }


def ids(pool, *names):
    return {pool[name].id for name in names}


def test_no_filter_reaches_all_active_experts(pool, post):
    assert recipients(post()) == ids(pool, *pool)


def test_targeting_by_field(pool, post, field_id):
    assert recipients(post(field_ids=[field_id("生物医药")])) == ids(pool, "nc_uni_med",
                                                                   "gz_firm_both")
    both = post(field_ids=[field_id("酶制剂"), field_id("生物化工")])
    assert recipients(both) == ids(pool, "jj_uni_chem", "nc_firm_chem", "gz_firm_both")


def test_targeting_by_city(pool, post):
    assert recipients(post(cities=["南昌"])) == ids(pool, "nc_uni_med", "nc_firm_chem")
    assert recipients(post(cities=["九江", "赣州"])) == ids(pool, "jj_uni_chem", "gz_firm_both")


def test_targeting_by_category(pool, post):
    assert recipients(post(categories=["链主企业"])) == ids(pool, "nc_firm_chem", "gz_firm_both")


def test_filters_combine_with_and(pool, post, field_id):
    notice = post(field_ids=[field_id("生物化工")], cities=["南昌", "九江"],
                  categories=["链主企业"])
    assert recipients(notice) == ids(pool, "nc_firm_chem")
    assert notice.audience == {"fields": [field_id("生物化工")], "cities": ["九江", "南昌"],
                               "categories": ["链主企业"]}


def test_inactive_experts_are_excluded(pool, post):
    pool["nc_uni_med"].status = ExpertStatus.SUSPENDED.value
    pool["nc_firm_chem"].status = ExpertStatus.WITHDRAWN.value
    db.session.commit()
    assert recipients(post()) == ids(pool, "jj_uni_chem", "gz_firm_both")


def test_audience_matching_nobody_is_refused(pool, post):
    with pytest.raises(DomainError):
        post(cities=["萍乡"])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(NoticeRecipient)) == 0


def test_empty_title_or_unknown_kind_is_refused(pool, make_user):
    user = make_user("secretariat")
    with pytest.raises(DomainError):
        post_notice("  ", "正文", "policy_update", Audience(), user)
    with pytest.raises(DomainError):
        post_notice("标题", "正文", "gossip", Audience(), user)


def test_one_outbox_mail_per_recipient_and_idempotent(app, pool, post):
    notice = post(cities=["南昌"])
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert {m.expert_id for m in mails} == ids(pool, "nc_uni_med", "nc_firm_chem")
    assert len(mails) == 2
    mail = mails[0]
    assert mail.reply_to == app.config["SECRETARIAT_EMAIL"]
    assert mail.subject_type == "notice" and mail.subject_id == notice.id
    assert f"/notices/mine/{notice.id}" in mail.text_body
    assert "关于征求意见的通知" in mail.text_body and "请各位专家" in mail.text_body
    assert "尊敬的" in mail.text_body  # the Chinese mail text
    row = db.session.scalar(select(NoticeRecipient).where(
        NoticeRecipient.expert_id == mail.expert_id))
    assert row.emailed_key == mail.dedupe_key
    # Queuing the mails again (a retried act) adds nothing.
    _enqueue_mails(notice, [pool["nc_uni_med"], pool["nc_firm_chem"]])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_posting_is_audited(pool, post):
    notice = post(cities=["南昌"])
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.post"))
    assert entry is not None and entry.payload["recipients"] == 2
    assert entry.target_id == notice.id


def test_read_receipt_is_set_once_on_first_open(pool, post):
    notice = post()
    expert = pool["nc_uni_med"]
    first = mark_read(notice, expert.id).read_at
    db.session.commit()
    assert first is not None
    again = mark_read(notice, expert.id).read_at
    db.session.commit()
    assert again == first
    others = db.session.scalars(select(NoticeRecipient.read_at).where(
        NoticeRecipient.notice_id == notice.id, NoticeRecipient.expert_id != expert.id)).all()
    assert others == [None, None, None]


def test_mark_read_refuses_an_expert_not_addressed(pool, post):
    notice = post(cities=["南昌"])
    with pytest.raises(Forbidden):
        mark_read(notice, pool["jj_uni_chem"].id)
    with pytest.raises(Forbidden):
        mark_read(notice, None)


def _make_many(make_expert, count: int) -> None:
    for _ in range(count):
        make_expert(city="上饶")


def _statements_posting(post, count_queries) -> list[str]:
    with count_queries() as counter:
        post(cities=["上饶"])
    # enqueue() writes and rereads each outbox row on its own (it is
    # idempotent per row); everything else must not grow with the audience.
    return [s for s in counter.statements if "outbox_messages" not in s]


def test_posting_costs_the_same_statements_for_10_and_200_experts(make_expert, post,
                                                                  count_queries):
    _make_many(make_expert, 10)
    small = _statements_posting(post, count_queries)
    _make_many(make_expert, 190)
    large = _statements_posting(post, count_queries)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 210
    assert len(small) == len(large)

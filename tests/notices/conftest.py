import pytest

from thinktank.extensions import db


@pytest.fixture
def field_id():
    """The id of an expertise field by name."""
    from thinktank.experts.models import ExpertiseField

    def lookup(name: str) -> int:
        return db.session.scalar(db.select(ExpertiseField.id).where(ExpertiseField.name == name))

    return lookup


@pytest.fixture
def post(make_user):
    """Post a notice as a secretariat user and commit."""
    from thinktank.notices.services import Audience, post_notice

    secretariat = make_user("secretariat")

    def do(field_ids=(), cities=(), categories=(), title="关于征求意见的通知"):
        notice = post_notice(title, "请各位专家于月底前反馈意见。", "call_for_opinions",
                             Audience(tuple(field_ids), tuple(cities), tuple(categories)),
                             secretariat)
        db.session.commit()
        return notice

    return do

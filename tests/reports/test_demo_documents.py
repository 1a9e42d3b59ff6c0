"""Every document kind rendered from the demo data that `flask demo load`
builds, not only from test factories."""

from sqlalchemy import select

from tests.demo.helpers import load
from thinktank.consultations.models import ConsultationSession, SessionStatus
from thinktank.extensions import db
from thinktank.reviews.models import Application, PanelMember, ReviewPanel, ReviewRound, RoundStatus

from .documents import checked_text, issued, squeezed


def test_each_document_renders_from_the_demo_data(runner, tmp_path):
    result = load(runner)
    assert result.exit_code == 0, result.output
    session = db.session.scalars(select(ConsultationSession).where(
        ConsultationSession.status == SessionStatus.ISSUED.value)).first()
    published = db.session.scalars(select(ReviewRound).where(
        ReviewRound.status == RoundStatus.PUBLISHED.value)).first()
    assert session is not None and published is not None
    application = db.session.scalars(select(Application).where(
        Application.round_id == published.id).order_by(Application.id)).first()
    member = db.session.scalars(select(PanelMember).join(ReviewPanel).where(
        ReviewPanel.round_id == published.id, PanelMember.is_backup.is_(False))).first()

    subjects = {
        "pool_statistics": (None, "江西省生物制造产业发展专家咨询库"),
        "session_opinion": (session.id, session.title),
        "round_results": (published.id, published.name),
        "application_opinion": (application.id, application.title),
        "expert_sheet": (member.id, member.expert.name),
    }
    for kind, (subject_id, expected) in subjects.items():
        document = issued(kind, subject_id, title=f"演示：{kind}")
        text = squeezed(checked_text(document, tmp_path))
        assert squeezed(expected) in text, kind

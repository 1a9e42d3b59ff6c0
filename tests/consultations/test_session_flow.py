"""Where the parts of a session meet: invited experts and materials, opinions
and their reminders."""

from datetime import timedelta

from tests.consultations.invitation_factories import invitation_of, mails_of, scheduled_session
from tests.consultations.test_materials import PDF_BYTES
from tests.helpers import Auth
from thinktank.consultations import proceedings, rsvp, services
from thinktank.extensions import db
from thinktank.timeutil import utcnow


def test_invited_experts_download_materials_others_do_not(app, make_user, make_expert,
                                                          secretariat_email):
    invited, declined, stranger = make_expert(), make_expert(), make_expert()
    session = scheduled_session([invited, declined])
    material = services.add_material(session, "议程.pdf", PDF_BYTES)
    rsvp.respond(invitation_of(session, declined), accept=False, reason="出差")
    db.session.commit()
    for expert, status in ((invited, 200), (declined, 403), (stranger, 403)):
        client = app.test_client()
        Auth(client).login(make_user("expert", expert=expert))
        response = client.get(f"/consultations/materials/{material.id}")
        assert response.status_code == status, expert.name
        if status == 200:
            assert response.data == PDF_BYTES


def test_an_opinion_ends_its_reminders_and_absence_ends_them_too(app, make_expert,
                                                                 secretariat_email):
    present, absent = make_expert(), make_expert()
    starts = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    session = scheduled_session(
        [present, absent], starts_at=starts, ends_at=starts + timedelta(hours=2),
        opinion_deadline=starts + timedelta(days=7))
    for expert in (present, absent):
        assert mails_of(invitation_of(session, expert), "pending", "opinion_reminder")
    # the meeting takes place
    session.starts_at = utcnow() - timedelta(hours=3)
    session.ends_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    proceedings.record_attendance(session, {invitation_of(session, present).id: "present",
                                            invitation_of(session, absent).id: "absent"})
    db.session.commit()
    assert not mails_of(invitation_of(session, absent), "pending", "opinion_reminder")
    assert mails_of(invitation_of(session, present), "pending", "opinion_reminder")
    proceedings.submit_opinion(session, present.id, "建议加快中试平台建设。")
    db.session.commit()
    assert not mails_of(invitation_of(session, present), "pending", "opinion_reminder")

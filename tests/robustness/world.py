"""A small world in which every form of the app can be sent: users of every
role, experts, sessions in several states, review rounds in draft and in
scoring with a panel, and the table of forms (``FORMS``) that the hostile
input and XSS tests fill in.

The states are made through the services (the workflow has its own tests);
the free texts then go in through the real forms."""

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from tests.consultations.factories import make_session
from tests.consultations.proceedings_factories import held_session
from tests.helpers import Auth
from tests.reviews.outcome_factories import add_sheet
from tests.reviews.panel_factories import applications_of, panel_with, scoring_round
from tests.reviews.round_factories import make_round
from thinktank.consultations import invitation_mail, participants
from thinktank.consultations.models import Invitation
from thinktank.experts.models import ExpertiseField
from thinktank.extensions import db
from thinktank.reviews import group_opinion, panels
from thinktank.reviews.models import GroupOpinion, ScoreSheet
from thinktank.timeutil import utcnow

_numbers = itertools.count(1)


@dataclass
class World:
    app: object
    make_user: object
    ids: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    experts: dict = field(default_factory=dict)  # user role -> the expert they are

    def client(self, role: str):
        """A client signed in as ``role`` ("expert2": a second expert), made when
        first asked for (signing in costs a password hash); "anonymous": not signed in."""
        if role not in self.clients:
            client = self.app.test_client()
            if role != "anonymous":
                user_role = "expert" if role.startswith("expert") else role
                Auth(client).login(self.make_user(user_role, expert=self.experts.get(role)))
            self.clients[role] = client
        return self.clients[role]


def build_world(app, make_user, make_expert) -> World:
    world = World(app, make_user)
    own = make_expert(name="本人专家")
    second = make_expert(name="第二专家")
    others = [make_expert() for _ in range(4)]
    spare = make_expert(name="替补专家")
    world.experts = {"expert": own, "expert2": second}

    draft = make_session(starts_at=utcnow() + timedelta(days=30))
    held = held_session(present=[own, second, *others[:1]])
    scheduled = make_session(starts_at=utcnow() + timedelta(days=20))
    participants.add_participants(scheduled, [own, second], "manual")
    participants.schedule_session(scheduled)
    db.session.commit()
    invitation = db.session.scalar(db.select(Invitation).where(
        Invitation.session_id == scheduled.id, Invitation.expert_id == own.id))
    second_invitation = db.session.scalar(db.select(Invitation).where(
        Invitation.session_id == scheduled.id, Invitation.expert_id == second.id))

    draft_round = make_round(applications=1, scoring_deadline=utcnow() + timedelta(days=40))
    draft_panel = panels.create_panels(draft_round, per_group=False)[0]
    panels.add_member(draft_panel, others[0])
    db.session.commit()
    scoring = scoring_round(applications=3)
    panel = panel_with(scoring, [own, second, *others])
    panel.members[0].is_leader = True
    scored, to_score, to_decline = applications_of(scoring)
    add_sheet(scoring, scored, own, "80")
    group_opinion.save_opinion(scored, own.id, "专家组意见初稿", 0)
    db.session.commit()

    world.ids = {
        "expert": own.id, "second": second.id, "other": others[0].id, "spare": spare.id,
        "spare_code": spare.code,
        "field": db.session.scalar(db.select(ExpertiseField.id).order_by(ExpertiseField.id)),
        "draft_session": draft.id, "held_session": held.id, "scheduled_session": scheduled.id,
        "invitation": invitation.id,
        "rsvp_token": invitation_mail.rsvp_token(second_invitation),
        "draft_round": draft_round.id,
        "draft_application": applications_of(draft_round)[0].id,
        "draft_panel": draft_panel.id, "draft_member": draft_panel.members[0].id,
        "scoring_round": scoring.id, "scored": scored.id, "to_score": to_score.id,
        "to_decline": to_decline.id,
        "user": make_user("official").id,
    }
    return world


def sheet_version(application_id: int, expert_id: int) -> int:
    sheet = db.session.scalar(db.select(ScoreSheet).where(
        ScoreSheet.application_id == application_id, ScoreSheet.expert_id == expert_id))
    return sheet.version if sheet is not None else 0


def opinion_version(application_id: int) -> int:
    opinion = db.session.scalar(db.select(GroupOpinion).where(
        GroupOpinion.application_id == application_id))
    return opinion.version if opinion is not None else 0


@dataclass
class Form:
    """A form of the app: who sends it where, with which valid values, and its
    free-text fields (name -> the most characters the form takes)."""

    name: str
    role: str
    url: str
    data: dict
    texts: dict[str, int]
    numbers: tuple[str, ...] = ()
    # Free-text fields that must also follow a rule (a link, a code, a unique
    # number): the XSS test keeps their valid value so that the form goes through.
    ruled: tuple[str, ...] = ()
    renders: bool = False  # an accepted post renders a PDF (slow): try one value at the limit


def forms(world: World) -> list[Form]:
    """Every form with free text, with values that the form accepts."""
    i = world.ids
    n = next(_numbers)
    criteria = {}
    for index, (name, points) in enumerate((("技术先进性", "30"), ("产业化前景", "25"),
                                            ("团队与基础", "20"), ("经济社会效益", "15"),
                                            ("实施方案可行性", "10"))):
        criteria |= {f"criteria-{index}-name": name, f"criteria-{index}-max_points": points}
    session = {"title": "会商", "kind": "regular", "topic": "planning",
               "starts_at": "2027-03-01T09:00", "ends_at": "2027-03-01T11:00", "place": "会议室",
               "online_link": "", "agenda": "议程", "auto_promote_backups": "y"}
    application = {"number": f"X-{n}", "title": "项目", "organisation": "申报单位",
                   "direction": "生物材料", "city": "南昌", "investment": "100",
                   "group_name": "", "summary": "简介", "contact": "联系人",
                   "phone": "0791-88888888"}
    expert = {"name": "专家", "organisation": "单位", "category": "高校院所", "city": "南昌",
              "mobile": f"136{n:08d}", "email": f"hostile{n}@example.cn",
              "field_names": ["生物医药"], "title": "教授", "position": "院长", "notes": "备注"}
    round_values = {"name": "批次", "category": "中试项目遴选", "description": "说明",
                    "full_mark": "100", **criteria, "aggregation": "mean",
                    "panel_size": "5", "outlier_threshold": "20"}
    return [
        Form("expert new", "secretariat", "/experts/new", expert,
             {"name": 50, "organisation": 100, "title": 50, "position": 50, "notes": 2000},
             ("birth_year",)),
        Form("expert edit", "secretariat", f"/experts/{i['other']}/edit",
             dict(expert, mobile=f"135{n:08d}", email=f"edit{n}@example.cn"),
             {"name": 50, "organisation": 100, "title": 50, "position": 50, "notes": 2000},
             ("birth_year",)),
        Form("expert status", "secretariat", f"/experts/{i['spare']}/status",
             {"status": "suspended", "reason": "原因"}, {"reason": 200}),
        Form("conflict", "secretariat", f"/experts/{i['other']}/conflicts",
             {"organisation": "某公司", "reason": "曾任职"}, {"organisation": 100, "reason": 200}),
        Form("field new", "secretariat", "/experts/fields", {"name": f"领域{n}"}, {"name": 50}),
        Form("field edit", "secretariat", f"/experts/fields/{i['field']}",
             {"name": f"领域改{n}", "active": "1"}, {"name": 50}),
        Form("term renewal", "secretariat", f"/experts/{i['other']}/renew",
             {"new_end": "2031-12-31", "reason": "续聘"}, {"reason": 200}),
        Form("session new", "secretariat", "/consultations/new", session,
             {"title": 200, "place": 200, "online_link": 500, "agenda": 5000},
             ruled=("online_link",)),
        Form("session edit", "secretariat", f"/consultations/{i['draft_session']}/edit", session,
             {"title": 200, "place": 200, "online_link": 500, "agenda": 5000},
             ruled=("online_link",)),
        Form("series new", "secretariat", "/consultations/series/new",
             dict(session, frequency="monthly", interval="1", count="2"),
             {"title": 200, "place": 200, "agenda": 5000}, ("interval", "count")),
        Form("participants by hand", "secretariat",
             f"/consultations/{i['draft_session']}/participants/add", {"experts": "替补专家"},
             {"experts": 2000}),
        Form("draw participants", "secretariat",
             f"/consultations/{i['draft_session']}/participants/draw",
             {"draw-panel_size": "1", "draw-backups": "0", "draw-org_cap": "1"}, {},
             ("draw-panel_size", "draw-backups", "draw-org_cap")),
        Form("reminder hours", "secretariat",
             f"/consultations/{i['draft_session']}/reminders", {"hours": "72, 2"}, {"hours": 50}),
        Form("minutes", "secretariat", f"/consultations/{i['held_session']}/minutes",
             {"text": "纪要", "based_on": "0"}, {"text": 50_000}, ("based_on",)),
        Form("opinion", "expert", f"/consultations/{i['held_session']}/my-opinion",
             {"text": "意见"}, {"text": 50_000}),
        Form("consolidated opinion", "secretariat",
             f"/consultations/{i['held_session']}/opinions/issue", {"text": "综合意见"},
             {"text": 50_000}),
        Form("rating", "secretariat", f"/records/sessions/{i['held_session']}/ratings",
             {"expert_id": str(i["expert"]), "score": "90", "level": "", "comment": "好"},
             {"comment": 200}, ("score", "expert_id")),
        Form("decline in the app", "expert", f"/consultations/invitations/{i['invitation']}",
             {"decline": "1", "reason": "出差"}, {"reason": 500}),
        Form("decline by link", "anonymous", f"/consultations/rsvp/{i['rsvp_token']}",
             {"decline": "1", "reason": "出差"}, {"reason": 500}),
        Form("round new", "secretariat", "/reviews/new", round_values,
             {"name": 200, "category": 100, "description": 5000, "criteria-0-name": 50},
             ("full_mark", "panel_size", "outlier_threshold", "criteria-0-max_points")),
        Form("round edit", "secretariat", f"/reviews/{i['draft_round']}/edit", round_values,
             {"name": 200, "category": 100, "description": 5000, "criteria-0-name": 50},
             ("full_mark", "panel_size", "outlier_threshold", "criteria-0-max_points")),
        Form("group", "secretariat", f"/reviews/{i['draft_round']}/groups", {"name": f"组{n}"},
             {"name": 50}),
        Form("application new", "secretariat", f"/reviews/{i['draft_round']}/applications/new",
             application, {"number": 50, "title": 200, "organisation": 100, "summary": 5000,
                           "contact": 50}),
        Form("application edit", "secretariat",
             f"/reviews/applications/{i['draft_application']}/edit",
             dict(application, number=f"Y-{n}"),
             {"number": 50, "title": 200, "organisation": 100, "summary": 5000, "contact": 50},
             ruled=("number",)),
        Form("avoidance", "secretariat",
             f"/reviews/applications/{i['draft_application']}/avoidance",
             {"expert_name": "某专家", "expert_code": "", "reason": "竞争关系"},
             {"expert_name": 50, "expert_code": 20, "reason": 200}),
        Form("panel member", "secretariat", f"/reviews/panels/{i['draft_panel']}/members",
             {"expert": "替补专家"}, {"expert": 50}),
        Form("panel draw", "secretariat", f"/reviews/panels/{i['draft_panel']}/draw",
             {"backups": "0", "org_cap": "1"}, {}, ("backups", "org_cap")),
        Form("panel member removal", "secretariat",
             f"/reviews/panels/{i['draft_panel']}/members/{i['draft_member']}/remove",
             {"reason": "回避"}, {"reason": 200}),
        Form("score sheet", "expert", f"/reviews/applications/{i['to_score']}/sheet",
             {"action": "save", "comment": "意见", "recommendation": "推荐",
              "version": str(sheet_version(i["to_score"], i["expert"]))},
             {"comment": 5000}, ("version",)),
        Form("sheet conflict", "expert", f"/reviews/applications/{i['to_decline']}/sheet/conflict",
             {"reason": "合作者", "version": "0"}, {"reason": 200}, ("version",)),
        Form("sheet reopening", "secretariat",
             f"/reviews/applications/{i['scored']}/experts/{i['expert']}/sheet/reopen",
             {"reason": "补录", "version": str(sheet_version(i["scored"], i["expert"]))},
             {"reason": 200}, ("version",)),
        Form("group opinion", "expert", f"/reviews/applications/{i['scored']}/opinion/edit",
             {"text": f"专家组意见{n}", "version": str(opinion_version(i["scored"]))},
             {"text": 5000}, ("version",)),
        Form("group opinion dissent", "expert2", f"/reviews/applications/{i['scored']}/opinion",
             {"verdict": "dissent", "reason": "保留意见",
              "version": str(opinion_version(i["scored"]))}, {"reason": 2000}, ("version",)),
        Form("notice", "secretariat", "/notices/new",
             {"title": "通知", "kind": "policy_update", "body": "正文"},
             {"title": 200, "body": 20_000}),
        Form("user new", "admin", "/admin/users/new",
             {"email": f"u{n}@example.cn", "name": "用户", "roles": ["official"],
              "expert_code": "", "active": "y"}, {"name": 50, "expert_code": 20},
             ruled=("expert_code",)),
        Form("user edit", "admin", f"/admin/users/{i['user']}",
             {"email": f"e{n}@example.cn", "name": "用户", "roles": ["official"],
              "expert_code": "", "active": "y"}, {"name": 50, "expert_code": 20},
             ruled=("expert_code",)),
        Form("verify", "anonymous", "/verify", {"code": "ABCD"}, {"code": 40}),
        Form("report issue", "secretariat", "/reports/issue",
             {"kind": "pool_statistics", "title": "统计", "allow_missing_glyphs": "y",
              "sequence": "1"},  # the number the page names: the world has issued none
             {"title": 200}, ("subject_id",), renders=True),
    ]

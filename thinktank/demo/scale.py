"""A large, realistic data set for benchmarks: ``flask demo scale``.

The ordinary demo (``services.load_demo``) goes through the domain services, one
row at a time, with audit entries and mails; that is right for 68 experts and far
too slow for 10,000. Here every table is filled with bulk INSERTs (one
``executemany`` per table and batch), with values that obey the same rules the
services enforce: unique mobiles and mails, pinyin and organisation keys, panels
of 5 to 7 members who each score every application of their round, submitted
sheets whose points stay within each criterion's maximum, invitations and the
reminders queued for them, issued documents with their numbers.

Some rows exist only so that pages have something to show and are not worth a
real render: the issued documents all carry the bytes of one PDF rendered for
real at the start (each with its own trailing comment, so that checksums differ).

A few objects are fixed so that a benchmark can find them at every size:
``BENCH_SESSION_TITLE`` (a scheduled session with 15 invitations),
``BENCH_RESULTS_ROUND`` (a published round with ``RESULTS_APPLICATIONS``
applications) and ``BENCH_SCORING_ROUND`` (a round in scoring whose first
panel member is the expert account).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from thinktank.auth.models import User, UserRole
from thinktank.consultations.invitation_mail import MailKind
from thinktank.consultations.models import (
    Attendance,
    ConsultationSession,
    Invitation,
    InvitationStatus,
    SessionKind,
    SessionStatus,
    SessionTopic,
)
from thinktank.experts import services as experts
from thinktank.experts.models import Expert, ExpertiseField, ExpertStatus, expert_fields
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage, OutboxStatus
from thinktank.permissions import Role
from thinktank.reports.models import DocumentCounter, DocumentStatus, IssuedDocument
from thinktank.reports.registry import APPLICATION_SUBJECT, ROUND_SUBJECT, SESSION_SUBJECT
from thinktank.reviews.models import (
    AggregationRule,
    Application,
    Criterion,
    PanelMember,
    PanelMemberSource,
    ReviewPanel,
    ReviewRound,
    RoundStatus,
    ScoreSheet,
    SheetScore,
    SheetStatus,
)
from thinktank.reviews.scoring import RECOMMENDATIONS
from thinktank.text import organisation_key, pinyin_index
from thinktank.timeutil import utcnow
from thinktank.vocabulary import CATEGORIES, CITIES, INDUSTRY_DIRECTIONS

DOMAIN = "scale.thinktank.cn"
BENCH_SESSION_TITLE = "基准测试·生物制造产业形势会商"
BENCH_RESULTS_ROUND = "基准测试·生物制造重点项目评审（结果）"
BENCH_SCORING_ROUND = "基准测试·生物制造重点项目评审（评分中）"
RESULTS_APPLICATIONS = 200
BENCH_INVITATIONS = 15
DOCUMENT_PREFIX = "赣生智咨"
BATCH = 5_000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩凯鹏飞鑫晨辉俊峰健海波宁欣怡雪梅琳倩颖婷慧敏丹萍"  # noqa: E501
TITLES = ("正高级", "副高级", "中级", "正高级", "副高级")
ORG_KINDS = {
    "高校院所": ("大学", "学院", "研究院", "研究所"),
    "链主企业": ("生物集团有限公司", "药业股份有限公司", "生物科技集团"),
    "高成长企业": ("生物科技有限公司", "合成生物有限公司", "酶工程有限公司"),
    "研发服务机构": ("生物技术服务中心", "中试基地", "检测研究院"),
    "金融投资机构": ("产业投资基金", "创业投资有限公司"),
    "行业协会": ("生物产业协会", "医药行业协会"),
    "其他": ("生物产业促进中心", "科技咨询有限公司"),
}
ORG_WORDS = "瑞康华泰恒源博润新元鼎盛汇智天工长青赣江鄱湖庐山井冈章贡临川信江赣鄱"
SESSION_SUBJECTS = ("发展形势", "政策", "项目", "标准", "规划")
PRODUCTS = ("生物基材料", "酶制剂", "益生菌", "重组蛋白", "生物农药")
AGENDA = "一、通报产业形势\n二、专家研讨\n三、形成意见"
SIGNATURE = "省生物制造产业专家咨询库秘书处"
CRITERIA = (("技术先进性", 30), ("产业化前景", 25), ("经济社会效益", 25), ("团队与基础", 20))


@dataclass
class ScalePlan:
    experts: int = 10_000
    sessions: int = 200
    applications: int = 3_000
    rounds: int = 20
    invitations_per_session: tuple[int, int] = (10, 15)
    panel_size: tuple[int, int] = (5, 7)
    seed: int = 2026

    def tenth(self) -> ScalePlan:
        return ScalePlan(
            experts=max(self.experts // 10, 100), sessions=max(self.sessions // 10, 2),
            applications=max(self.applications // 10, RESULTS_APPLICATIONS + 20),
            rounds=max(self.rounds // 10, 2), seed=self.seed)


@dataclass
class ScaleResult:
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)


def _insert(model, rows: list[dict], *, ids: bool = False) -> list[int]:
    """Bulk INSERT ``rows`` in batches; with ``ids``, return the new ids in order."""
    new_ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        if ids:
            statement = insert(model).returning(model.id, sort_by_parameter_order=True)
            new_ids.extend(db.session.scalars(statement, batch).all())
        else:
            db.session.execute(insert(model), batch)
    return new_ids


def _points(maximum: Decimal, share: float) -> Decimal:
    """``share`` of ``maximum`` to one decimal, within 0 and the maximum."""
    points = (maximum * Decimal(str(round(share, 2)))).quantize(Decimal("0.1"))
    return min(maximum, max(Decimal(0), points))


class _Builder:
    def __init__(self, plan: ScalePlan, password: str, pdf: bytes):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.now = utcnow().replace(microsecond=0)
        self.password_hash = self._hash(password)
        self.pdf = pdf
        self.result = ScaleResult()
        self.sequence: dict[int, int] = {}

    @staticmethod
    def _hash(password: str) -> str:
        user = User(email="x@x", name="x")
        user.set_password(password)  # one scrypt for every account
        return user.password_hash

    # --- the pool -------------------------------------------------------------------------

    def organisations(self, count: int) -> list[tuple[str, str, str]]:
        names: dict[str, tuple[str, str, str]] = {}
        while len(names) < count:
            category = self.rng.choice(CATEGORIES)
            city = self.rng.choice(CITIES[:-1])
            words = "".join(self.rng.sample(ORG_WORDS, 2))
            name = f"江西{city}{words}{self.rng.choice(ORG_KINDS[category])}"
            names.setdefault(name, (name, category, city))
        return list(names.values())

    def add_experts(self) -> list[int]:
        plan, rng = self.plan, self.rng
        organisations = self.organisations(max(plan.experts // 15, 20))
        today = self.now.date()
        rows, used_names = [], set()
        for number in range(plan.experts):
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            if name in used_names:  # homonyms exist; keep them, as real pools have them
                name = name + rng.choice(GIVEN)
            used_names.add(name)
            organisation, category, city = rng.choice(organisations)
            start = today - timedelta(days=rng.randrange(0, 3 * 365))
            status = rng.choices(
                (ExpertStatus.ACTIVE, ExpertStatus.SUSPENDED, ExpertStatus.WITHDRAWN),
                weights=(92, 5, 3))[0].value
            rows.append({
                "code": f"S{number + 1:06d}", "name": name, "name_pinyin": pinyin_index(name),
                "gender": rng.choice(("男", "女")), "birth_year": rng.randrange(1955, 1992),
                "organisation": organisation, "organisation_key": organisation_key(organisation),
                "category": category, "title": rng.choice(TITLES),
                "position": rng.choice(("主任", "教授", "研究员", "总工程师", "副总经理", None)),
                "city": city, "mobile": f"13{number:09d}",
                "email": f"expert{number + 1}@{DOMAIN}", "term_start": start,
                "term_end": start + timedelta(days=3 * 365), "status": status,
                "created_at": self.now, "updated_at": self.now,
            })
        ids = _insert(Expert, rows, ids=True)
        self.active = [i for i, row in zip(ids, rows, strict=True) if row["status"] == "active"]
        self.expert_rows = dict(zip(ids, rows, strict=True))
        fields = db.session.scalars(select(ExpertiseField.id)).all()
        links = []
        for expert_id in ids:
            for field_id in rng.sample(fields, rng.choice((1, 2, 3))):
                links.append({"expert_id": expert_id, "field_id": field_id})
        for start in range(0, len(links), BATCH):
            db.session.execute(insert(expert_fields), links[start:start + BATCH])
        self.result.counts["experts"] = len(ids)
        return ids

    # --- accounts -------------------------------------------------------------------------

    def add_user(self, email: str, name: str, roles: list[Role], expert_id: int | None = None,
                 password: str | None = None) -> int:
        [user_id] = _insert(User, [{
            "email": email, "name": name, "password_hash": self.password_hash,
            "expert_id": expert_id, "created_at": self.now, "password_changed_at": self.now,
        }], ids=True)
        _insert(UserRole, [{"user_id": user_id, "role": role.value} for role in roles])
        if password:
            self.result.logins.append((email, password))
        return user_id

    def add_expert_users(self, expert_ids: list[int]) -> None:
        rows = [{
            "email": self.expert_rows[i]["email"], "name": self.expert_rows[i]["name"],
            "password_hash": self.password_hash, "expert_id": i,
            "created_at": self.now, "password_changed_at": self.now,
        } for i in expert_ids]
        user_ids = _insert(User, rows, ids=True)
        _insert(UserRole, [{"user_id": u, "role": Role.EXPERT.value} for u in user_ids])
        self.result.counts["expert accounts"] = len(user_ids)

    # --- consultations --------------------------------------------------------------------

    def add_sessions(self, secretariat_id: int) -> None:
        plan, rng, now = self.plan, self.rng, self.now
        sessions, titles = [], []
        for number in range(plan.sessions):
            # Two thirds of the sessions are past, the rest in the next months.
            offset = timedelta(days=rng.randrange(-540, 120), hours=rng.randrange(0, 8))
            starts = (now + offset).replace(minute=0, second=0)
            if number == 0:
                starts = (now + timedelta(days=10)).replace(minute=0, second=0)
            past = starts < now
            status = (rng.choice((SessionStatus.HELD, SessionStatus.ISSUED, SessionStatus.ISSUED))
                      if past else SessionStatus.SCHEDULED).value
            topic = rng.choice(list(SessionTopic)).value
            title = BENCH_SESSION_TITLE if number == 0 else (
                f"{rng.choice(INDUSTRY_DIRECTIONS)}产业{rng.choice(SESSION_SUBJECTS)}"
                f"咨询会（第{number}期）")
            titles.append(title)
            sessions.append({
                "title": title, "kind": rng.choice(list(SessionKind)).value, "topic": topic,
                "starts_at": starts, "ends_at": starts + timedelta(hours=3),
                "place": "省工业和信息化厅三楼会议室", "agenda": AGENDA,
                "rsvp_deadline": starts - timedelta(days=3),
                "opinion_deadline": starts + timedelta(days=3), "status": status,
                "sequence": 0, "uid": f"scale-{number}-{rng.getrandbits(64):x}@thinktank",
                "mail_revision": 1, "created_by_id": secretariat_id,
                "created_at": now, "updated_at": now,
            })
        session_ids = _insert(ConsultationSession, sessions, ids=True)
        invitations, outbox = [], []
        for number, (session_id, session) in enumerate(zip(session_ids, sessions, strict=True)):
            size = BENCH_INVITATIONS if number == 0 else rng.randrange(
                plan.invitations_per_session[0], plan.invitations_per_session[1] + 1)
            past = session["starts_at"] < now
            for expert_id in rng.sample(self.active, size):
                answer = rng.choices(
                    (InvitationStatus.ACCEPTED, InvitationStatus.DECLINED,
                     InvitationStatus.INVITED),
                    weights=(75, 10, 15 if not past else 0))[0]
                invitations.append({
                    "session_id": session_id, "expert_id": expert_id, "status": answer.value,
                    "source": "manual", "invited_at": session["starts_at"] - timedelta(days=14),
                    "responded_at": (session["starts_at"] - timedelta(days=10)
                                     if answer != InvitationStatus.INVITED else None),
                    "decline_reason": "时间冲突" if answer == InvitationStatus.DECLINED else None,
                    "attendance": (rng.choice((Attendance.PRESENT.value,) * 9
                                              + (Attendance.ABSENT.value,))
                                   if past and answer == InvitationStatus.ACCEPTED else None),
                    "created_at": now, "updated_at": now,
                })
                outbox.extend(self._session_mails(session_id, session, expert_id, answer))
        _insert(Invitation, invitations)
        _insert(OutboxMessage, outbox)
        self.result.counts["sessions"] = len(session_ids)
        self.result.counts["invitations"] = len(invitations)
        self.result.counts["outbox messages"] = len(outbox)
        self.issued_sessions = [
            (i, s) for i, s in zip(session_ids, sessions, strict=True)
            if s["status"] == SessionStatus.ISSUED]

    def _session_mails(self, session_id, session, expert_id, answer) -> list[dict]:
        expert = self.expert_rows[expert_id]
        starts = session["starts_at"]
        mails = [(MailKind.INVITATION, "", starts - timedelta(days=14))]
        if answer == InvitationStatus.ACCEPTED:
            mails += [(MailKind.MEETING_REMINDER, ":4320", starts - timedelta(days=3)),
                      (MailKind.MEETING_REMINDER, ":120", starts - timedelta(hours=2))]
        rows = []
        for kind, suffix, due in mails:
            sent = due <= self.now
            rows.append({
                "kind": kind.value,
                "dedupe_key": f"scale:{session_id}:{kind.value}{suffix}:{expert_id}",
                "subject_type": "consultation_session", "subject_id": session_id,
                "recipient_email": expert["email"], "recipient_name": expert["name"],
                "expert_id": expert_id, "subject": f"【会议提醒】{session['title']}",
                "text_body": f"{expert['name']}专家：\n\n{session['title']}将于"
                             f"{starts:%Y-%m-%d %H:%M}（UTC）召开。\n\n{SIGNATURE}",
                "due_at": due,
                "status": (OutboxStatus.SENT if sent else OutboxStatus.PENDING).value,
                "attempts": 1 if sent else 0, "sent_at": due if sent else None,
                "created_at": self.now, "updated_at": self.now,
            })
        return rows

    # --- reviews --------------------------------------------------------------------------

    def add_rounds(self, expert_user_experts: list[int]) -> None:
        plan, rng, now = self.plan, self.rng, self.now
        statuses = [RoundStatus.PUBLISHED, RoundStatus.SCORING]
        statuses += [rng.choice((RoundStatus.PUBLISHED, RoundStatus.FINALIZED, RoundStatus.CLOSED))
                     for _ in range(plan.rounds - 2)]
        counts = self._applications_per_round()
        rounds = [{
            "name": (BENCH_RESULTS_ROUND if number == 0 else BENCH_SCORING_ROUND if number == 1
                     else f"{2025 + number % 2}年度生物制造{rng.choice(INDUSTRY_DIRECTIONS)}"
                          f"项目评审（第{number}批）"),
            "category": rng.choice(INDUSTRY_DIRECTIONS), "description": "省级生物制造产业项目遴选",
            "full_mark": Decimal(100), "aggregation": AggregationRule.TRIMMED_MEAN.value,
            "panel_size": 7 if number < 2 else rng.randint(*plan.panel_size),
            "outlier_threshold": Decimal(20),
            "scoring_deadline": now + (timedelta(days=3) if status == RoundStatus.SCORING
                                       else -timedelta(days=rng.randrange(10, 300))),
            "status": status.value, "created_at": now, "updated_at": now,
        } for number, status in enumerate(statuses)]
        round_ids = _insert(ReviewRound, rounds, ids=True)
        criteria_rows = [{"round_id": r, "name": name, "max_points": Decimal(points),
                          "position": position}
                         for r in round_ids for position, (name, points) in enumerate(CRITERIA)]
        criterion_ids = _insert(Criterion, criteria_rows, ids=True)
        criteria = {r: [] for r in round_ids}
        for criterion_id, row in zip(criterion_ids, criteria_rows, strict=True):
            criteria[row["round_id"]].append((criterion_id, row["max_points"]))

        organisations = self.organisations(max(plan.applications // 4, 50))
        applications = []
        for round_id, count in zip(round_ids, counts, strict=True):
            for number in range(count):
                organisation, _category, city = rng.choice(organisations)
                applications.append({
                    "round_id": round_id, "number": f"SC{round_id:03d}-{number + 1:04d}",
                    "title": f"{rng.choice(('年产', '新建', '扩建'))}{rng.randrange(1, 50) * 100}吨"
                             f"{rng.choice(PRODUCTS)}"
                             f"{rng.choice(('产业化项目', '技术改造项目', '中试平台建设'))}",
                    "organisation": organisation,
                    "organisation_key": organisation_key(organisation),
                    "direction": rng.choice(INDUSTRY_DIRECTIONS), "city": city,
                    "investment": Decimal(rng.randrange(500, 500_000)) / 10,
                    "summary": "项目围绕生物制造关键技术开展产业化。", "contact": "联系人",
                    "phone": "0791-88888888", "created_at": now, "updated_at": now,
                })
        application_ids = _insert(Application, applications, ids=True)
        by_round: dict[int, list[int]] = {r: [] for r in round_ids}
        for application_id, row in zip(application_ids, applications, strict=True):
            by_round[row["round_id"]].append(application_id)

        panels = _insert(ReviewPanel, [{"round_id": r, "created_at": now} for r in round_ids],
                         ids=True)
        members, sheets, sheet_points = [], [], []
        panel_experts = iter(expert_user_experts)
        for round_id, panel_id, row in zip(round_ids, panels, rounds, strict=True):
            size = row["panel_size"]
            panel = [next(panel_experts) for _ in range(size)]
            for rank, expert_id in enumerate(panel):
                members.append({
                    "panel_id": panel_id, "expert_id": expert_id, "is_backup": False,
                    "is_leader": rank == 0, "source": PanelMemberSource.MANUAL.value,
                    "added_at": now,
                })
            scoring = row["status"] == RoundStatus.SCORING.value
            for application_id in by_round[round_id]:
                quality = rng.random()
                for position, expert_id in enumerate(panel):
                    # In the round being scored the first member (the bench expert)
                    # has not started; a third of the others have submitted.
                    if scoring and (position == 0 or rng.random() > 0.33):
                        continue
                    points = [_points(maximum, quality * 0.6 + 0.4 * rng.random())
                              for _criterion, maximum in criteria[round_id]]
                    sheets.append({
                        "application_id": application_id, "expert_id": expert_id,
                        "status": SheetStatus.SUBMITTED.value,
                        "recommendation": RECOMMENDATIONS[0 if quality > 0.5 else 1],
                        "comment": "技术路线清晰，产业化条件较好。",
                        "submitted_at": row["scoring_deadline"] - timedelta(days=1),
                        "version": 3, "created_at": now, "updated_at": now,
                    })
                    criterion_ids = [c for c, _m in criteria[round_id]]
                    sheet_points.append(list(zip(criterion_ids, points, strict=True)))
        _insert(PanelMember, members)
        sheet_ids = _insert(ScoreSheet, sheets, ids=True)
        _insert(SheetScore, [
            {"sheet_id": sheet_id, "criterion_id": criterion_id, "points": points}
            for sheet_id, pairs in zip(sheet_ids, sheet_points, strict=True)
            for criterion_id, points in pairs
        ])
        self.result.counts.update({
            "review rounds": len(round_ids), "applications": len(application_ids),
            "panel members": len(members), "score sheets": len(sheet_ids),
        })
        self.published = [
            (r, row, by_round[r]) for r, row in zip(round_ids, rounds, strict=True)
            if row["status"] in (RoundStatus.PUBLISHED.value, RoundStatus.FINALIZED.value)]

    def _applications_per_round(self) -> list[int]:
        plan = self.plan
        rest = plan.applications - RESULTS_APPLICATIONS
        others = plan.rounds - 1
        counts = [RESULTS_APPLICATIONS] + [rest // others] * others
        counts[-1] += rest - sum(counts[1:])
        return counts

    # --- documents ------------------------------------------------------------------------

    def add_documents(self, secretariat_id: int) -> None:
        rows = []
        for session_id, session in self.issued_sessions:
            rows.append(self._document("session_opinion", SESSION_SUBJECT, session_id,
                                       f"关于{session['title']}的咨询意见", session["ends_at"]))
        for round_id, row, application_ids in self.published:
            issued = row["scoring_deadline"] + timedelta(days=5)
            rows.append(self._document("round_results", ROUND_SUBJECT, round_id,
                                       f"{row['name']}结果汇总表", issued))
            for application_id in application_ids[::10]:
                rows.append(self._document("application_opinion", APPLICATION_SUBJECT,
                                           application_id, "项目评审意见", issued))
        for row in rows:
            row["issued_by_id"] = secretariat_id
        _insert(IssuedDocument, rows)
        for year, last in self.sequence.items():
            db.session.execute(insert(DocumentCounter),
                               [{"prefix": DOCUMENT_PREFIX, "year": year, "last_sequence": last}])
        self.result.counts["issued documents"] = len(rows)

    def _document(self, kind, subject_type, subject_id, title, issued_at: datetime) -> dict:
        issued_at = min(issued_at, self.now)
        year = issued_at.year
        self.sequence[year] = sequence = self.sequence.get(year, 0) + 1
        pdf = self.pdf + f"\n% thinktank scale copy {year}-{sequence}\n".encode()
        return {
            "kind": kind, "subject_type": subject_type, "subject_id": subject_id,
            "title": title[:200], "prefix": DOCUMENT_PREFIX, "year": year, "sequence": sequence,
            "number": f"{DOCUMENT_PREFIX}〔{year}〕{sequence}号", "version": 1,
            "verification_code": f"{self.rng.getrandbits(64):016X}",
            "status": DocumentStatus.DONE.value, "html": "", "pdf": pdf,
            "sha256": hashlib.sha256(pdf).hexdigest(), "size": len(pdf), "page_count": 2,
            "issued_at": issued_at, "render_started_at": issued_at, "rendered_at": issued_at,
        }


def sample_pdf() -> bytes:
    """One real two-page document, rendered by the ordinary pipeline."""
    from thinktank.reports.services import write_pdf

    paragraphs = "".join(f"<p>第{n}条　加快生物制造产业发展，推进关键技术攻关与产业化。</p>"
                         for n in range(1, 60))
    pdf, _pages = write_pdf(f"<html><body><h1>咨询意见</h1>{paragraphs}</body></html>")
    return pdf


def load_scale(plan: ScalePlan, password: str) -> ScaleResult:
    """Fill an empty database with ``plan``'s data set. The caller commits."""
    experts.seed_fields()
    if db.session.scalar(select(func.count()).select_from(Expert)):
        raise ValueError("the database already holds experts; scale data needs an empty one")
    builder = _Builder(plan, password, sample_pdf())
    builder.add_experts()
    builder.add_user(f"admin@{DOMAIN}", "系统管理员", [Role.ADMIN], password=password)
    secretariat = builder.add_user(f"secretariat@{DOMAIN}", "秘书处", [Role.SECRETARIAT],
                                   password=password)
    builder.add_user(f"official@{DOMAIN}", "省工信厅", [Role.OFFICIAL], password=password)
    # Panel members get accounts; the bench expert is the first member of the
    # round in scoring, i.e. the 8th panel member overall (round 1 has 7).
    panel_count = plan.rounds * plan.panel_size[1]
    panel_experts = builder.rng.sample(builder.active, panel_count)
    builder.add_expert_users(panel_experts)
    builder.result.logins.append((builder.expert_rows[panel_experts[7]]["email"], password))
    builder.add_sessions(secretariat)
    builder.add_rounds(panel_experts)
    builder.add_documents(secretariat)
    return builder.result

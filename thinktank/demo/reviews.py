"""Demo project-selection reviews, built through the ordinary services: a round
in scoring with two groups, their panels drawn with avoidance and part of the
sheets submitted (the demo expert's left to do), and a small round already
finalized and published, so that officials see results.

The applicant companies, projects and people are invented. Points are drawn
with a fixed seed: the same panel members in the same order get the same
sheets; who is drawn onto a panel is random, as in a real draw.
"""

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from thinktank.auth.models import User
from thinktank.demo import data
from thinktank.experts.models import Expert
from thinktank.reviews import panels, scoring
from thinktank.reviews.applications import add_avoidance_request, create_application
from thinktank.reviews.importer import ApplicationData
from thinktank.reviews.models import (
    AggregationRule,
    Application,
    PanelMember,
    ReviewPanel,
    ReviewRound,
    RoundStatus,
)
from thinktank.reviews.rounds import (
    CriterionData,
    RoundData,
    change_status,
    create_round,
    update_round,
)
from thinktank.timeutil import from_display, today_in_display_zone

CRITERIA = (("技术先进性", "30"), ("产业化前景", "25"), ("团队与基础", "20"),
            ("经济社会效益", "15"), ("实施方案可行性", "10"))
AREA_CODES = {"南昌": "0791", "九江": "0792", "上饶": "0793", "抚州": "0794", "宜春": "0795",
              "吉安": "0796", "赣州": "0797", "景德镇": "0798", "萍乡": "0799", "新余": "0790",
              "鹰潭": "0701"}
CONTACTS = ("王磊", "陈芳", "李强", "刘洋", "张敏", "杨帆", "黄海", "周婷", "吴刚", "徐静",
            "孙浩", "朱丽", "胡斌", "郭琳", "何军")


@dataclass(frozen=True)
class ApplicationSpec:
    title: str
    organisation: str
    direction: str
    city: str
    investment: str  # 万元
    summary: str


@dataclass(frozen=True)
class RoundSpec:
    name: str
    category: str
    description: str
    deadline_days: int  # scoring deadline, days from the day of loading, at 17:00
    prefix: str  # of the application numbers


SCORING = RoundSpec(
    "2026年度江西省生物制造标志性产业化项目遴选", "标志性产业化项目遴选",
    "面向全省生物制造企业遴选一批技术先进、带动性强的标志性产业化项目，"
    "按生物医药、生物化工与材料两个组分组评审，入选项目纳入省级重点项目库。",
    10, "SW2026-",
)
BIOPHARMA_GROUP = "生物医药组"
MATERIALS_GROUP = "生物化工与材料组"
DEMO_EXPERT_GROUP = BIOPHARMA_GROUP  # 刘堃 has a conflict with an applicant of the other group

GROUPS = {
    BIOPHARMA_GROUP: (
        ApplicationSpec("重组胶原蛋白医用敷料产业化项目", "江西赣康生物医药有限公司",
                        "生物医药", "南昌", "18600",
                        "建设年产 2000 万片重组Ⅲ型人源化胶原蛋白医用敷料生产线，配套发酵纯化中试"
                        "平台。"),
        ApplicationSpec("中药配方颗粒智能化生产基地建设", "江西汝水药业集团有限公司",
                        "生物医药", "抚州", "32500",
                        "新建中药配方颗粒提取、浓缩、制粒智能化生产线，年产配方颗粒 3000 吨。"),
        ApplicationSpec("mRNA 疫苗关键原料酶规模化制备", "南昌恒瑞生物技术有限公司",
                        "生物医药", "南昌", "12800",
                        "突破加帽酶、T7 RNA 聚合酶等关键原料酶的高表达与纯化工艺，实现国产替代。"),
        ApplicationSpec("植物提取天然甜味剂产业化", "宜春明月山生物科技有限公司",
                        "新食品", "宜春", "9600",
                        "以甜叶菊、罗汉果为原料，建设莱鲍迪苷 M 生物转化与分离纯化生产线。"),
        ApplicationSpec("单克隆抗体药物商业化生产线", "九江庐山生物制药有限公司",
                        "生物医药", "九江", "46000",
                        "建设 2×2000 L 一次性生物反应器抗体原液生产线及制剂灌装线。"),
        ApplicationSpec("益生菌菌株库与功能食品产业化", "赣州脐橙谷健康食品有限公司",
                        "新食品", "赣州", "7800",
                        "建立本土益生菌菌株资源库，开发脐橙膳食纤维益生菌功能食品。"),
        ApplicationSpec("透明质酸钠发酵法扩产项目", "上饶信州生物工程有限公司",
                        "生物医药", "上饶", "15200",
                        "采用高产菌株与连续发酵工艺，将医药级透明质酸钠产能提升至 300 吨/年。"),
        ApplicationSpec("细胞治疗产品 GMP 制备中心", "南昌赣江新区细胞科技有限公司",
                        "生物医药", "南昌", "21000",
                        "建设符合 GMP 的 CAR-T 与干细胞制备中心，承接临床试验样品生产。"),
        ApplicationSpec("药用辅料微晶纤维素绿色制造", "吉安井冈药用辅料有限公司",
                        "生物医药", "吉安", "6400",
                        "以竹浆为原料酶法制备药用微晶纤维素，降低能耗与废水排放。"),
        ApplicationSpec("功能性低聚糖酶法生产线", "萍乡武功山食品科技有限公司",
                        "新食品", "萍乡", "5200",
                        "利用固定化酶连续转化工艺生产低聚半乳糖、低聚果糖。"),
        ApplicationSpec("中药材道地性溯源与饮片炮制数字化", "樟树市药都饮片有限公司",
                        "生物医药", "宜春", "8900",
                        "建设中药饮片数字化炮制车间和道地药材全程溯源系统。"),
        ApplicationSpec("人源化抗体发现平台及候选药物开发", "赣州稀金生物医药有限公司",
                        "生物医药", "赣州", "13500",
                        "建设转基因小鼠抗体发现平台，推进两个候选抗体进入临床前研究。"),
        ApplicationSpec("富硒茶多酚提取与健康食品开发", "宜春宜丰富硒生物科技有限公司",
                        "新食品", "宜春", "4300",
                        "采用膜分离与大孔树脂技术提取富硒茶多酚，开发系列健康食品。"),
        ApplicationSpec("生物药 CDMO 服务平台建设", "九江濂溪生物医药科技有限公司",
                        "生物医药", "九江", "27800",
                        "建设细胞株构建、工艺开发到中试生产的一站式生物药 CDMO 平台。"),
        ApplicationSpec("酶法合成维生素 K2 产业化", "鹰潭龙虎山营养科技有限公司",
                        "生物医药", "鹰潭", "6900",
                        "以纳豆芽孢杆菌发酵结合酶法转化生产全反式维生素 K2（MK-7）。"),
    ),
    MATERIALS_GROUP: (
        ApplicationSpec("年产 5 万吨聚乳酸全产业链项目", "九江浔阳生物化工股份有限公司",
                        "生物材料", "九江", "128000",
                        "建设乳酸发酵、丙交酯、聚乳酸聚合一体化生产线，年产聚乳酸 5 万吨。"),
        ApplicationSpec("工业酶制剂智能工厂", "南昌瑞禾酶工程技术有限公司",
                        "生物化工", "南昌", "16500",
                        "建设饲用、纺织用酶制剂智能化发酵工厂，年产酶制剂 2 万吨。"),
        ApplicationSpec("秸秆纤维素乙醇示范工程", "上饶鄱湖绿色能源有限公司",
                        "生物能源", "上饶", "38000",
                        "以水稻秸秆为原料，建设年产 3 万吨纤维素燃料乙醇示范线。"),
        ApplicationSpec("PHA 可降解材料中试放大", "新余蓝海生物材料有限公司",
                        "生物材料", "新余", "11200",
                        "开展嗜盐菌开放发酵生产聚羟基脂肪酸酯（PHA）的千吨级中试。"),
        ApplicationSpec("生物基尼龙 56 产业化", "吉安庐陵新材料科技有限公司",
                        "生物材料", "吉安", "56000",
                        "以生物法戊二胺为单体，建设年产 2 万吨生物基尼龙 56 聚合及纺丝线。"),
        ApplicationSpec("稀土微生物浸出与回收技术产业化", "赣州赣南稀土生物冶金有限公司",
                        "生物化工", "赣州", "19800",
                        "利用嗜酸微生物浸出低品位稀土，配套废水生物处理回用系统。"),
        ApplicationSpec("合成生物法生产 1,3-丙二醇", "宜春锦江化工科技有限公司",
                        "生物化工", "宜春", "42000",
                        "采用工程菌以甘油为底物发酵生产 1,3-丙二醇，年产 2 万吨。"),
        ApplicationSpec("生物质可降解餐具成型项目", "景德镇瓷都环保材料有限公司",
                        "生物材料", "景德镇", "5600",
                        "以甘蔗渣、竹纤维为原料生产可降解餐具，年产 3 亿件。"),
        ApplicationSpec("餐厨废油制生物柴油升级改造", "萍乡赣西清洁能源有限公司",
                        "生物能源", "萍乡", "9800",
                        "采用酶法酯交换工艺改造生物柴油生产线，产能提升至 5 万吨。"),
        ApplicationSpec("氨基酸绿色发酵提取一体化", "抚州临川生物化工有限公司",
                        "生物化工", "抚州", "24500",
                        "建设缬氨酸、色氨酸高效发酵与连续离交提取生产线。"),
        ApplicationSpec("竹纤维素基生物医用材料", "鹰潭信江生物材料科技有限公司",
                        "生物材料", "鹰潭", "8700",
                        "开发细菌纤维素与竹纤维素复合医用敷料及组织工程支架材料。"),
        ApplicationSpec("沼气提纯生物天然气项目", "宜春袁州生物燃气有限公司",
                        "生物能源", "宜春", "13600",
                        "以畜禽粪污为原料，建设日产 3 万立方米生物天然气工程。"),
        ApplicationSpec("生物法丁二酸及 PBS 材料", "南昌小蓝经开区绿源化学有限公司",
                        "生物化工", "南昌", "31000",
                        "以葡萄糖发酵生产丁二酸，配套建设聚丁二酸丁二醇酯（PBS）生产线。"),
        ApplicationSpec("微生物油脂 DHA 藻油产业化", "九江共青城海藻生物科技有限公司",
                        "生物化工", "九江", "10400",
                        "利用裂殖壶菌高密度发酵生产 DHA 藻油，年产 500 吨。"),
        ApplicationSpec("木质素高值化利用示范线", "赣州南康绿色家居材料有限公司",
                        "生物材料", "赣州", "7300",
                        "从家具加工废料中提取木质素，制备生物基胶黏剂替代甲醛树脂。"),
    ),
}

# 申请回避: application (by its position in its group, from 1) -> expert and reason.
AVOIDANCE = (
    (BIOPHARMA_GROUP, 1, "胡建军", "该专家团队与本单位在重组胶原蛋白领域存在直接竞争关系"),
    (BIOPHARMA_GROUP, 5, "林娜", "该专家所在投资机构为本单位竞争对手的股东"),
    (MATERIALS_GROUP, 1, "简志刚", "该专家所在企业与本单位存在聚乳酸产品直接竞争"),
    (MATERIALS_GROUP, 7, "肖垚", "该专家所在企业与本单位为同类产品竞争企业"),
)

PANEL_BACKUPS = 2
# The i-th scoring member of each panel (the demo expert left out) submits the
# sheets of its group's first n applications and keeps a draft of the next.
SUBMITTED_PER_MEMBER = (15, 12, 10, 7, 4)

PUBLISHED = RoundSpec(
    "2026年度江西省生物制造中试项目遴选", "中试项目遴选",
    "遴选一批具备中试放大条件的生物制造项目，给予中试平台服务券支持。",
    -5, "ZS2026-",
)
SCORING_DAYS = 2  # its deadline while it is scored, before it moves to the spec's
PUBLISHED_APPLICATIONS = (
    ApplicationSpec("纤维素酶固态发酵中试", "南昌青山湖生物工程有限公司",
                    "生物化工", "南昌", "1800",
                    "开展纤维素酶固态发酵 10 立方米规模中试，验证放大工艺参数。"),
    ApplicationSpec("γ-氨基丁酸发酵中试", "赣州章江食品科技有限公司",
                    "新食品", "赣州", "1200",
                    "利用乳酸菌发酵生产食品级 γ-氨基丁酸，完成中试工艺验证。"),
    ApplicationSpec("生物基聚氨酯多元醇中试", "九江八里湖新材料有限公司",
                    "生物材料", "九江", "2600",
                    "以蓖麻油为原料制备生物基聚氨酯多元醇，建设百吨级中试装置。"),
    ApplicationSpec("红曲色素液态发酵中试", "吉安青原红曲生物有限公司",
                    "新食品", "吉安", "950",
                    "开展低桔霉素红曲色素液态深层发酵中试。"),
)

COMMENTS = {
    "high": ("技术路线清晰，核心技术具有自主知识产权，产业化基础扎实，建议优先支持。",
             "项目技术水平国内领先，市场前景好，团队结构合理，实施方案可行。",
             "产业带动作用明显，投资测算合理，建议支持并加强中试验证。"),
    "middle": ("项目具有一定技术基础，但产业化路径需进一步细化，建议补充市场分析。",
               "技术可行，经济效益测算偏乐观，建议优化投资结构。",
               "团队具备实施能力，建议加强与省内高校院所的产学研合作。"),
    "low": ("技术成熟度不足，尚处于实验室阶段，产业化条件不具备。",
            "实施方案不够具体，投资来源不明确，建议完善后再申报。",
            "与同类项目相比创新性不足，市场竞争风险较大。"),
}
RECOMMEND_FROM = Decimal(75)  # a total from here up is recommended
DRAFT_CRITERIA = 2  # a draft has the points of this many criteria


def add_reviews(secretariat: User, pool: dict[str, Expert]) -> list[ReviewRound]:
    """Create the demo review rounds as the secretariat; returns them. The
    caller commits; ``url_for`` must be able to build external links (the
    scoring reminders are queued)."""
    today = today_in_display_zone()
    rng = random.Random(data.SEED)
    return [_scoring_round(today, secretariat, pool, rng),
            _published_round(today, secretariat, rng)]


def _scoring_round(today: date, user: User, pool: dict[str, Expert], rng: random.Random
                   ) -> ReviewRound:
    """The round in scoring: two groups, a panel per group, part of the sheets in."""
    review_round = _new_round(SCORING, today + timedelta(days=SCORING.deadline_days))
    listed = [(group_name, spec) for group_name, specs in GROUPS.items() for spec in specs]
    by_group: dict[str, list[Application]] = {}
    for number, (group_name, spec) in enumerate(listed, start=1):
        by_group.setdefault(group_name, []).append(
            _add_application(review_round, SCORING, number, spec, group_name))
    for group_name, position, expert_name, reason in AVOIDANCE:
        add_avoidance_request(by_group[group_name][position - 1], expert_name, None,
                              reason, actor=data.ACTOR)
    demo_expert = pool[data.DEMO_EXPERT]
    for panel in panels.create_panels(review_round, per_group=True, user=user):
        if panel.group.name == DEMO_EXPERT_GROUP:
            panels.set_leader(panels.add_member(panel, demo_expert, user=user), user=user)
        panels.draw_members(panel, PANEL_BACKUPS, user=user)
        if panel.group.name != DEMO_EXPERT_GROUP:
            panels.set_leader(_scorers(panel)[0], user=user)
    change_status(review_round, RoundStatus.SCORING, actor=data.ACTOR)
    for panel in panels.panels_of(review_round):
        applications = by_group[panel.group.name]
        scorers = [m for m in _scorers(panel) if m.expert_id != demo_expert.id]
        for member, submitted in zip(scorers, SUBMITTED_PER_MEMBER, strict=False):
            for application in applications[:submitted]:
                _score(application, member.expert_id, rng, submit=True)
            for application in applications[submitted:submitted + 1]:
                _score(application, member.expert_id, rng, submit=False)
    return review_round


def _published_round(today: date, user: User, rng: random.Random) -> ReviewRound:
    """A small round scored in full, finalized and published.

    Sheets can only be saved before the deadline, so the round is scored with
    its deadline ahead; once scoring is closed, the deadline is set to the
    past day the spec gives, as the secretariat may do for a closed round."""
    spec = PUBLISHED
    review_round = _new_round(spec, today + timedelta(days=SCORING_DAYS))
    applications = [_add_application(review_round, spec, number, application)
                    for number, application in enumerate(PUBLISHED_APPLICATIONS, start=1)]
    panel = panels.create_panels(review_round, per_group=False, user=user)[0]
    panels.draw_members(panel, PANEL_BACKUPS, user=user)
    panels.set_leader(_scorers(panel)[0], user=user)
    change_status(review_round, RoundStatus.SCORING, actor=data.ACTOR)
    for member in _scorers(panel):
        for application in applications:
            _score(application, member.expert_id, rng, submit=True)
    change_status(review_round, RoundStatus.CLOSED, actor=data.ACTOR)
    update_round(review_round,
                 _round_data(spec, today + timedelta(days=spec.deadline_days)),
                 _criteria(), actor=data.ACTOR)
    # The demo has no group opinions: the results are locked with the reason given.
    change_status(review_round, RoundStatus.FINALIZED,
                  reason="专家组意见已在评审会现场以纸质形式签署确认", actor=data.ACTOR)
    change_status(review_round, RoundStatus.PUBLISHED, actor=data.ACTOR)
    return review_round


def _criteria() -> list[CriterionData]:
    return [CriterionData(name, Decimal(points)) for name, points in CRITERIA]


def _round_data(spec: RoundSpec, deadline: date) -> RoundData:
    return RoundData(
        name=spec.name, category=spec.category, description=spec.description,
        aggregation=AggregationRule.TRIMMED_MEAN.value, panel_size=5,
        scoring_deadline=from_display(datetime.combine(deadline, time(17, 0))),
    )


def _new_round(spec: RoundSpec, deadline: date) -> ReviewRound:
    return create_round(_round_data(spec, deadline), _criteria(), actor=data.ACTOR)


def _add_application(review_round: ReviewRound, spec: RoundSpec, number: int,
                     application: ApplicationSpec, group_name: str | None = None
                     ) -> Application:
    contact = CONTACTS[number % len(CONTACTS)]
    phone = f"{AREA_CODES[application.city]}-{86000000 + number * 1137}"
    return create_application(review_round, ApplicationData(
        number=f"{spec.prefix}{number:03d}", title=application.title,
        organisation=application.organisation, direction=application.direction,
        city=application.city, investment=Decimal(application.investment),
        group_name=group_name, summary=application.summary, contact=contact, phone=phone,
    ), actor=data.ACTOR)


def _scorers(panel: ReviewPanel) -> list[PanelMember]:
    """The panel's scoring members, in the order they joined it."""
    return sorted((m for m in panel.members if m.active), key=lambda m: m.id)


def _score(application: Application, expert_id: int, rng: random.Random, *, submit: bool
           ) -> None:
    """A sheet through the scoring service: points in half points within each
    criterion's maximum, around the application's own level (seeded by its
    number, so that the panel roughly agrees), a comment and a recommendation
    that follow the total. A draft has the points of the first criteria only."""
    level = random.Random(f"{data.SEED}-{application.number}").uniform(0.5, 0.95)
    criteria = application.round.criteria
    points: dict[int, Decimal] = {}
    for criterion in criteria if submit else criteria[:DRAFT_CRITERIA]:
        share = min(1.0, max(0.2, level + rng.gauss(0, 0.06)))
        points[criterion.id] = Decimal(round(float(criterion.max_points) * share * 2)) / 2
    sheet_input = scoring.SheetInput({c: str(value) for c, value in points.items()})
    if submit:
        total = scoring.total(points.values())
        band = "high" if total >= 80 else "middle" if total >= 65 else "low"
        sheet_input = replace(sheet_input, comment=rng.choice(COMMENTS[band]),
                              recommendation="推荐" if total >= RECOMMEND_FROM else "不推荐")
    scoring.save_sheet(application, expert_id, sheet_input, 0, submit=submit)

"""The demo pool: organisations, their experts, special cases, the demo accounts
and the texts of the demo consultation sessions (built in ``sessions.py``; the
review rounds keep theirs in ``reviews.py``).

Universities, research institutes and the hospital are real public bodies; the
companies, funds, service organisations, associations and all people are
invented. Mobiles are random, mail addresses use the reserved ``example.com``
domain. ``build_experts`` turns the tables into expert records with a fixed
random seed, so every load gives the same pool; dates are relative to the day
of loading, so "term ends within 30 days" stays true whenever it is loaded.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from pypinyin import lazy_pinyin

from thinktank.experts.rules import ExpertData
from thinktank.permissions import Role

SEED = 2026
TERM = relativedelta(years=3)  # the pool appoints for three years
DEFAULT_PASSWORD = "Demo-2026-thinktank"
ACTOR = "demo"  # the audit trail's actor of what the loader does


@dataclass(frozen=True)
class Person:
    name: str
    gender: str
    title: str  # 职称


def M(name: str, title: str) -> Person:  # short, so the tables below read like name lists
    return Person(name, "男", title)


def F(name: str, title: str) -> Person:
    return Person(name, "女", title)


@dataclass(frozen=True)
class Organisation:
    name: str
    category: str
    city: str
    domain: str  # mail domain: <domain>.example.com
    fields: tuple[str, ...]  # what its experts work on, most typical first
    positions: tuple[str, ...]  # handed out in order to its people
    people: tuple[Person, ...]


ORGANISATIONS = (
    # 高校院所
    Organisation(
        "南昌大学", "高校院所", "南昌", "ncu",
        ("新食品", "生物医药", "酶制剂", "生物安全"),
        ("食品科学与资源挖掘全国重点实验室副主任", "生命科学学院院长", "博士生导师",
         "药学院副院长"),
        (M("刘堃", "教授"), F("李晓燕", "教授"), M("胡建军", "教授"), F("饶瑾", "教授")),
    ),
    Organisation(
        "江西农业大学", "高校院所", "南昌", "jxau",
        ("新食品", "生物能源", "酶制剂", "生物化工"),
        ("生物科学与工程学院院长", "动物营养与饲料安全重点实验室主任",
         "生物质能源研究中心副主任"),
        (M("熊伟华", "教授"), F("万玲", "研究员"), M("涂振宇", "副教授")),
    ),
    Organisation(
        "江西师范大学", "高校院所", "南昌", "jxnu",
        ("生物材料", "生物化工", "政策研究"),
        ("化学化工学院副院长", "功能有机小分子教育部重点实验室副主任"),
        (M("陈喆", "教授"), F("周颖", "副研究员")),
    ),
    Organisation(
        "江西中医药大学", "高校院所", "南昌", "jxutcm",
        ("生物医药", "标准制定", "法规伦理"),
        ("中药资源与民族药研究中心主任", "现代中药制剂教育部重点实验室副主任", "药学院教师"),
        (F("朱琳", "研究员"), M("钟毅", "教授"), F("晏秋玥", "副教授")),
    ),
    Organisation(
        "江西省科学院", "高校院所", "南昌", "jxas",
        ("生物能源", "生物材料", "产业规划", "中试与工程化"),
        ("生物资源研究所所长", "能源研究所副所长", "科技战略研究所研究员"),
        (M("邹明辉", "研究员"), F("郭晓红", "研究员"), M("漆昱", "副研究员")),
    ),
    Organisation(
        "中国科学院赣江创新研究院", "高校院所", "赣州", "gia",
        ("生物材料", "生物化工", "数字化与智能制造"),
        ("稀土生物冶金研究部主任", "项目研究员"),
        (M("黄燊", "研究员"), F("孙倩", "副研究员")),
    ),
    Organisation(
        "江西省中国科学院庐山植物园", "高校院所", "九江", "lsbg",
        ("生物医药", "生物安全", "新食品"),
        ("植物资源开发研究中心主任", "副研究员"),
        (F("杨雪", "研究员"), M("曹翀", "副研究员")),
    ),
    Organisation(
        "景德镇陶瓷大学", "高校院所", "景德镇", "jcu",
        ("生物材料", "中试与工程化"),
        ("材料科学与工程学院副院长", "生物陶瓷研究所所长"),
        (F("余淼", "教授"), M("程立新", "研究员")),
    ),
    Organisation(
        "井冈山大学", "高校院所", "吉安", "jgsu",
        ("生物医药", "新食品"),
        ("生命科学学院院长",),
        (M("彭浩然", "教授"),),
    ),
    Organisation(
        "赣南医科大学", "高校院所", "赣州", "gmu",
        ("生物医药", "生物安全", "法规伦理"),
        ("药学院院长", "医学伦理委员会副主任委员"),
        (F("谢婧", "教授"), M("温志远", "主任医师")),
    ),
    Organisation(
        "宜春学院", "高校院所", "宜春", "jxycu",
        ("生物医药", "新食品"),
        ("化学与生物工程学院副院长",),
        (F("袁丽华", "副教授"),),
    ),
    Organisation(
        "萍乡学院", "高校院所", "萍乡", "pxu",
        ("生物化工", "中试与工程化"),
        ("工程与管理学院教授",),
        (M("文斌", "教授"),),
    ),
    Organisation(
        "上饶师范学院", "高校院所", "上饶", "sru",
        ("新食品", "生物材料"),
        ("生命科学学院副院长",),
        (F("汪雅琴", "副教授"),),
    ),
    Organisation(
        "中国科学院天津工业生物技术研究所", "高校院所", "省外", "tib",
        ("酶制剂", "生物化工", "中试与工程化", "数字化与智能制造"),
        ("研究组组长", "工业酶国家工程研究中心研究员"),
        (M("马赟", "研究员"), F("宋佳", "研究员")),
    ),
    Organisation(
        "江南大学", "高校院所", "省外", "jiangnan",
        ("新食品", "酶制剂", "生物化工"),
        ("生物工程学院教授、博士生导师",),
        (M("许家豪", "教授"),),
    ),
    # 链主企业
    Organisation(
        "赣鄱生物制造集团股份有限公司", "链主企业", "南昌", "ganpobio",
        ("生物化工", "中试与工程化", "数字化与智能制造", "产业规划"),
        ("董事长", "首席技术官", "智能制造中心总监"),
        (M("王建平", "正高级工程师"), F("鄢红梅", "正高级工程师"), M("何睿", "高级工程师")),
    ),
    Organisation(
        "江西汝水药业集团有限公司", "链主企业", "抚州", "rushuipharma",
        ("生物医药", "标准制定", "知识产权"),
        ("总经理", "质量总监"),
        (M("吴振国", "正高级经济师"), F("付洁", "主任药师")),
    ),
    Organisation(
        "九江浔阳生物化工股份有限公司", "链主企业", "九江", "xunyangchem",
        ("生物化工", "生物能源", "生物安全"),
        ("总工程师", "安全环保部部长"),
        (M("赵永明", "正高级工程师"), F("龚丹", "高级工程师")),
    ),
    Organisation(
        "新余仙女湖生物材料科技集团有限公司", "链主企业", "新余", "xnhbio",
        ("生物材料", "中试与工程化"),
        ("研究院院长", "副总经理"),
        (M("简志刚", "正高级工程师"), F("黎倩倩", "高级经济师")),
    ),
    # 高成长企业
    Organisation(
        "南昌瑞禾酶工程技术有限公司", "高成长企业", "南昌", "ruihe",
        ("酶制剂", "新食品", "知识产权"),
        ("创始人兼总经理", "研发中心主任"),
        (M("邓宇航", "正高级工程师"), M("揭燊", "高级工程师")),
    ),
    Organisation(
        "鹰潭信江生物材料科技有限公司", "高成长企业", "鹰潭", "xinjiangbm",
        ("生物材料", "数字化与智能制造"),
        ("技术总监", "生产运营副总经理"),
        (M("帅犇", "高级工程师"), F("桂芳", "高级工程师")),
    ),
    Organisation(
        "赣州橙源食品科技有限公司", "高成长企业", "赣州", "chengyuan",
        ("新食品", "标准制定"),
        ("总经理", "质量负责人"),
        (M("廖晓东", "高级经济师"), F("赖秀英", "正高级工程师")),
    ),
    Organisation(
        "宜春明月山生物科技有限公司", "高成长企业", "宜春", "mingyueshan",
        ("生物医药", "新食品"),
        ("董事长",),
        (F("易婷", "副高级"),),
    ),
    Organisation(
        "吉安青原合成生物技术有限公司", "高成长企业", "吉安", "qingyuan",
        ("生物化工", "酶制剂"),
        ("首席科学家",),
        (M("肖垚", "研究员"),),
    ),
    Organisation(
        "上饶三清山生物能源有限公司", "高成长企业", "上饶", "sanqingshan",
        ("生物能源", "中试与工程化"),
        ("总经理",),
        (M("叶峰", "高级工程师"),),
    ),
    Organisation(
        "萍乡安源微生物技术有限公司", "高成长企业", "萍乡", "anyuanmicro",
        ("生物化工", "生物安全"),
        ("技术副总经理",),
        (F("敖雪梅", "副研究员"),),
    ),
    # 研发服务机构
    Organisation(
        "江西省生物制造中试服务中心", "研发服务机构", "南昌", "jxpilot",
        ("中试与工程化", "标准制定", "生物安全"),
        ("主任", "发酵中试平台负责人"),
        (M("聂文", "研究员"), F("上官婉清", "正高级工程师")),
    ),
    Organisation(
        "赣江新区合成生物创新研究院", "研发服务机构", "南昌", "gjsynbio",
        ("生物化工", "知识产权", "数字化与智能制造"),
        ("常务副院长", "成果转化部主任"),
        (M("欧阳子喆", "研究员"), F("罗琴", "高级知识产权师")),
    ),
    Organisation(
        "景德镇昌南检验检测有限公司", "研发服务机构", "景德镇", "changnantest",
        ("标准制定", "生物安全"),
        ("技术负责人",),
        (M("冯晨", "高级工程师"),),
    ),
    Organisation(
        "抚州赣东知识产权服务有限公司", "研发服务机构", "抚州", "gandongip",
        ("知识产权", "法规伦理"),
        ("首席专利代理师",),
        (F("黄珺", "高级知识产权师"),),
    ),
    # 金融投资机构
    Organisation(
        "江西省生物产业投资基金管理有限公司", "金融投资机构", "南昌", "jxbiofund",
        ("投融资", "产业规划"),
        ("总经理", "投资总监"),
        (M("唐俊杰", "高级经济师"), F("蔡慧", "正高级会计师")),
    ),
    Organisation(
        "洪城创新资本管理有限公司", "金融投资机构", "南昌", "hongchengcap",
        ("投融资", "生物医药"),
        ("合伙人",),
        (M("韩磊", "副高级"),),
    ),
    Organisation(
        "赣州章贡创业投资有限公司", "金融投资机构", "赣州", "zhanggongvc",
        ("投融资", "政策研究"),
        ("风控总监",),
        (M("曾德昌", "高级会计师"),),
    ),
    Organisation(
        "上海浦江生物医药创业投资合伙企业（有限合伙）", "金融投资机构", "省外", "pujiangvc",
        ("投融资", "生物医药"),
        ("执行事务合伙人委派代表",),
        (F("林娜", "正高级经济师"),),
    ),
    # 行业协会
    Organisation(
        "江西省生物制造产业联盟", "行业协会", "南昌", "jxbma",
        ("产业规划", "政策研究", "标准制定"),
        ("秘书长", "专家委员会副主任"),
        (M("梁国华", "正高级工程师"), F("蒋慧敏", "高级经济师")),
    ),
    Organisation(
        "江西省生物医药行业协会", "行业协会", "南昌", "jxbpa",
        ("生物医药", "政策研究", "法规伦理"),
        ("常务副会长",),
        (M("傅斌", "主任药师"),),
    ),
    Organisation(
        "宜春市生物医药产业协会", "行业协会", "宜春", "ycbpa",
        ("生物医药", "产业规划"),
        ("会长",),
        (F("潘颖", "正高级"),),
    ),
    # 其他
    Organisation(
        "江西省人民医院", "其他", "南昌", "jxsrmyy",
        ("生物医药", "法规伦理", "生物安全"),
        ("临床药理研究所所长", "医学伦理委员会主任委员"),
        (F("陈静", "主任药师"), M("邱立", "主任医师")),
    ),
    Organisation(
        "江西赣正律师事务所", "其他", "南昌", "ganzhenglaw",
        ("法规伦理", "知识产权"),
        ("高级合伙人",),
        (M("徐海涛", "一级律师"),),
    ),
    Organisation(
        "鹰潭市生物产业发展服务中心", "其他", "鹰潭", "ytbio",
        ("产业规划", "政策研究"),
        ("副主任",),
        (F("方琳", "副高级"),),
    ),
)

# Special cases, by name (names are unique in the pool).
SUSPENDED = {
    "龚丹": "借调省外工作一年，暂停参加咨询与评审",
    "邱立": "本人因健康原因申请暂停",
    "易婷": "所在企业申报本年度遴选项目，评审期间暂停",
}
WITHDRAWN = {
    "叶峰": "已调离江西，本人申请退出",
    "蔡慧": "退休，本人申请退出",
}
EXPIRED_TERMS = ("程立新", "赵永明", "文斌")
TERMS_ENDING_SOON = ("李晓燕", "韩磊", "汪雅琴", "温志远")


@dataclass(frozen=True)
class ConflictSpec:
    expert: str
    organisation: str
    reason: str
    ends_in_days: int | None = None  # relative to the day of loading; None: open-ended


CONFLICTS = (
    ConflictSpec("刘堃", "南昌瑞禾酶工程技术有限公司", "担任该公司技术顾问"),
    ConflictSpec("王建平", "江西省生物产业投资基金管理有限公司", "该基金为本公司股东"),
    ConflictSpec("邓宇航", "南昌大学", "原工作单位，离职未满三年", ends_in_days=540),
    ConflictSpec("唐俊杰", "赣鄱生物制造集团股份有限公司", "所管理基金持有该公司股份"),
    ConflictSpec("唐俊杰", "南昌瑞禾酶工程技术有限公司", "所管理基金的被投企业"),
    ConflictSpec("黄珺", "江西汝水药业集团有限公司", "代理该公司专利申请事务",
                 ends_in_days=200),
    ConflictSpec("马赟", "吉安青原合成生物技术有限公司", "横向合作项目负责人，合作期内回避",
                 ends_in_days=120),
    ConflictSpec("朱琳", "宜春明月山生物科技有限公司", "配偶在该公司任职"),
    ConflictSpec("钟毅", "江西汝水药业集团有限公司", "曾任该公司研发总监", ends_in_days=-30),
)


@dataclass(frozen=True)
class DemoUser:
    role: Role
    email: str
    name: str
    expert: str | None = None  # the expert record this account belongs to


DEMO_USERS = (
    DemoUser(Role.ADMIN, "admin@demo.thinktank.cn", "系统管理员"),
    DemoUser(Role.SECRETARIAT, "secretariat@demo.thinktank.cn", "周敏"),
    DemoUser(Role.EXPERT, "expert@demo.thinktank.cn", "刘堃", expert="刘堃"),
    DemoUser(Role.OFFICIAL, "official@demo.thinktank.cn", "何立新"),
)

MOBILE_PREFIXES = (
    "135", "136", "138", "139", "150", "152", "158", "159",
    "177", "180", "182", "187", "188", "189", "191", "199",
)


@dataclass
class _Draw:
    """The seeded choices, kept unique where the pool requires it."""

    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    mobiles: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def email(self, name: str, domain: str) -> str:
        local = "".join(lazy_pinyin(name))
        address, number = f"{local}@{domain}.example.com", 1
        while address in self.emails:
            number += 1
            address = f"{local}{number}@{domain}.example.com"
        self.emails.add(address)
        return address

    def fields(self, organisation: Organisation, index: int) -> list[str]:
        """One to three of the organisation's fields, starting at the person's own."""
        start = index % len(organisation.fields)
        rotated = organisation.fields[start:] + organisation.fields[:start]
        return list(rotated[: self.rng.randint(1, min(3, len(rotated)))])

    def term(self, name: str, today: date) -> tuple[date, date]:
        if name in EXPIRED_TERMS:
            end = today - timedelta(days=self.rng.randint(15, 200))
        elif name in TERMS_ENDING_SOON:
            end = today + timedelta(days=self.rng.randint(3, 28))
        else:  # appointed in one of the last batches, well within term
            start = (today - timedelta(days=self.rng.randint(60, 800))).replace(day=1)
            return start, start + TERM - timedelta(days=1)
        return end - TERM + timedelta(days=1), end


def build_experts(today: date) -> list[ExpertData]:
    """The demo pool as expert data, the same on every call for the same day."""
    draw = _Draw()
    experts = []
    for organisation in ORGANISATIONS:
        for index, person in enumerate(organisation.people):
            term_start, term_end = draw.term(person.name, today)
            experts.append(
                ExpertData(
                    name=person.name,
                    gender=person.gender,
                    birth_year=draw.rng.randint(1963, 1990),
                    organisation=organisation.name,
                    category=organisation.category,
                    title=person.title,
                    position=organisation.positions[index % len(organisation.positions)],
                    city=organisation.city,
                    mobile=draw.mobile(),
                    email=draw.email(person.name, organisation.domain),
                    field_names=draw.fields(organisation, index),
                    term_start=term_start,
                    term_end=term_end,
                )
            )
    return experts


# Consultation sessions about the provincial biomanufacturing plan. Days are
# counted from the day of loading (negative: already held), times are
# wall-clock times in the display zone.


@dataclass(frozen=True)
class SessionSpec:
    title: str
    kind: str  # SessionKind value
    topic: str  # SessionTopic value
    days: int
    start: str  # "09:30"
    hours: float
    place: str | None
    agenda: str
    online_link: str | None = None
    rsvp_days_before: int | None = 2
    opinion_days_after: int | None = 7


SERIES = SessionSpec(
    "生物制造产业发展定期会商", "regular", "planning", 0, "09:30", 2.5,
    "省发展改革委 3 楼第一会议室",
    "一、通报本季度全省生物制造产业运行情况和重点项目推进情况\n"
    "二、研判合成生物、生物医药、生物基材料等细分领域发展态势\n"
    "三、梳理产业链堵点难点，提出下季度工作建议",
    online_link="https://meeting.example.com/j/88602026",
    rsvp_days_before=3,
)
SERIES_OCCURRENCES = 4  # quarterly, from the 15th of next month
SERIES_PANEL = (5, 2)  # members, backups

DRAFT = SessionSpec(
    "合成生物学中试平台建设专题咨询", "topical", "planning", 24, "14:30", 3,
    "江西省生物制造中试服务中心 二楼报告厅",
    "一、省生物制造中试服务中心汇报合成生物学中试平台建设方案\n"
    "二、专家围绕平台功能定位、共享运营机制、建设投资规模进行咨询\n"
    "三、形成专题咨询意见，报省生物制造产业推进工作专班",
)

SCHEDULED = SessionSpec(
    "生物医药产业链补链强链决策咨询", "decision", "policy", 9, "14:30", 2.5,
    "省工业和信息化厅 5 楼会议室",
    "一、通报全省生物医药产业链图谱及“断点”“堵点”清单\n"
    "二、研究原料药、高端制剂、医疗器械补链项目储备和招引方向\n"
    "三、对《生物医药产业链补链强链若干措施（征求意见稿）》提出决策建议",
    rsvp_days_before=3,
)
SCHEDULED_PANEL = (5, 2)
SCHEDULED_ACCEPTING = 2  # the first drawn members accept through their RSVP links
SCHEDULED_DECLINE_REASON = "当日已有省外学术会议安排，无法出席，建议另请专家。"

CANCELLED = SessionSpec(
    "生物发酵产能布局优化专题咨询", "topical", "planning", 20, "09:00", 3,
    "九江市生物产业园管委会会议室",
    "一、研究全省生物发酵产能现状与能耗、排放约束\n"
    "二、研讨赣北、赣中、赣南发酵产能布局优化方案",
)
CANCELLED_PANEL = (3, 1)
CANCEL_REASON = "与全省生物制造产业推进大会时间冲突，另行安排。"

DEMO_EXPERT = "刘堃"  # the demo expert account's own record: it has invitations to see


@dataclass(frozen=True)
class HeldSpec:
    """A session already held, with its participants (picked by hand) and the
    record of the meeting."""

    session: SessionSpec
    attendance: dict[str, str]  # expert name -> present, absent or excused
    minutes: str
    opinions: dict[str, str]  # expert name -> opinion (the present who submitted)
    collected: bool = False
    consolidated: str | None = None  # issued when given


HELD = HeldSpec(
    SessionSpec(
        "生物制造标准体系评估论证", "assessment", "standards", -3, "09:00", 3,
        "省市场监管局 2 楼会议室",
        "一、省标准化研究院汇报《江西省生物制造标准体系建设指南（草案）》\n"
        "二、专家对标准体系框架、重点标准制修订清单进行评估论证\n"
        "三、研究团体标准培育和标准化试点示范安排",
        opinion_days_after=10,
    ),
    {"刘堃": "present", "聂文": "present", "冯晨": "present", "付洁": "present",
     "梁国华": "excused", "赖秀英": "present"},
    "会议由秘书处主持，应到专家 6 人，实到 5 人，梁国华同志请假。\n"
    "一、与会专家认为，标准体系框架总体合理，建议将“中试验证”“生物安全”单列为子体系。\n"
    "二、建议优先制定发酵过程数字化监测、生物基材料降解性能评价等地方标准。\n"
    "三、请省标准化研究院根据专家意见修改完善，书面意见于截止日前提交秘书处。",
    {"聂文": "建议在标准体系中单列中试验证子体系，明确中试放大、工艺验证的通用技术要求。",
     "冯晨": "建议加快生物基材料降解性能检测方法标准的制定，支撑产品认证和市场准入。"},
)

COLLECTED = HeldSpec(
    SessionSpec(
        "生物基材料产业化支持政策专题咨询", "topical", "policy", -9, "14:30", 3,
        "省科技厅 3 楼会议室",
        "一、研究生物基材料首批次应用保险补偿政策\n"
        "二、研究聚乳酸、聚羟基脂肪酸酯等产品推广应用支持措施",
        opinion_days_after=14,
    ),
    {"余淼": "present", "简志刚": "present", "帅犇": "present", "黄燊": "absent",
     "郭晓红": "present"},
    "会议应到专家 5 人，实到 4 人。与会专家围绕生物基材料首批次应用、下游推广和"
    "产能建设进行了讨论，一致认为应以应用场景开放带动产业化。",
    {"余淼": "建议将生物医用陶瓷复合材料纳入首批次应用保险补偿目录。",
     "简志刚": "建议在快递包装、农用地膜领域开展生物基材料替代示范，给予采购补贴。",
     "帅犇": "建议支持企业建设数字化生产线，对技改投资给予贴息。",
     "郭晓红": "建议建立生物基材料碳足迹核算方法，衔接绿色产品认证。"},
    collected=True,
)

ISSUED = HeldSpec(
    SessionSpec(
        "《江西省生物制造产业高质量发展行动方案》中期评估论证", "assessment", "evaluation",
        -12, "09:00", 3.5, "省发展改革委 3 楼第一会议室",
        "一、秘书处汇报行动方案实施情况自评估报告\n"
        "二、专家对目标完成情况、重点任务进展和存在问题进行评估论证\n"
        "三、提出行动方案调整完善建议",
        opinion_days_after=14,
    ),
    {"王建平": "present", "邹明辉": "present", "唐俊杰": "present", "蒋慧敏": "present",
     "欧阳子喆": "present", "傅斌": "present"},
    "会议应到专家 6 人，实到 6 人。专家组听取了自评估报告，经质询和讨论，"
    "认为行动方案总体进展符合预期，部分产业化项目进度滞后。",
    {"王建平": "龙头企业带动作用明显，建议进一步支持链主企业牵头组建创新联合体。",
     "邹明辉": "建议加大对生物质能源关键技术攻关的持续支持。",
     "唐俊杰": "建议扩大省生物产业投资基金规模，引导社会资本投早投小。",
     "蒋慧敏": "建议建立产业运行监测月报制度，及时掌握重点企业情况。",
     "欧阳子喆": "建议完善合成生物成果转化收益分配机制，提高科研人员积极性。",
     "傅斌": "建议加快生物医药领域审评审批服务前移，缩短产品上市周期。"},
    collected=True,
    consolidated=(
        "经专家组评估论证，形成综合意见如下：\n"
        "一、行动方案实施以来，全省生物制造产业规模稳步增长，主要目标总体进展符合预期。\n"
        "二、建议进一步发挥链主企业带动作用，组建合成生物创新联合体。\n"
        "三、建议扩大产业投资基金规模，完善成果转化收益分配机制。\n"
        "四、建议建立产业运行监测月报制度，加快审评审批服务前移。"
    ),
)

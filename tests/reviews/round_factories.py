"""Rounds and applications for the reviews tests, made through the services."""

import itertools
from decimal import Decimal

from thinktank.extensions import db
from thinktank.reviews.applications import create_application
from thinktank.reviews.importer import COLUMNS, ApplicationData
from thinktank.reviews.models import ReviewRound, RoundStatus
from thinktank.reviews.rounds import CriterionData, RoundData, create_round

CRITERIA = [("技术先进性", "30"), ("产业化前景", "25"), ("团队与基础", "20"),
            ("经济社会效益", "15"), ("实施方案可行性", "10")]
_numbers = itertools.count(1)


def criteria(pairs=CRITERIA) -> list[CriterionData]:
    return [CriterionData(name, Decimal(points)) for name, points in pairs]


def round_data(**overrides) -> RoundData:
    values = {"name": "2026年标志性产业化项目遴选", "category": "标志性产业化项目遴选"}
    values.update(overrides)
    return RoundData(**values)


def application_data(**overrides) -> ApplicationData:
    number = next(_numbers)
    values = {
        "number": f"SB-{number:04d}",
        "title": f"生物基材料中试项目{number}",
        "organisation": f"江西生物科技有限公司{number}",
        "direction": "生物材料",
        "city": "南昌",
    }
    values.update(overrides)
    return ApplicationData(**values)


def make_round(status: RoundStatus = RoundStatus.DRAFT, applications: int = 0,
               group: str | None = None, **overrides) -> ReviewRound:
    """A committed round with the demo's five criteria (docs/design.md, "Reviews")
    and ``applications`` applications (in ``group``, if named); ``status`` is set
    directly (the transitions are tested on their own)."""
    review_round = create_round(round_data(**overrides), criteria(), actor="test")
    for _ in range(applications):
        create_application(review_round, application_data(group_name=group),
                           actor="test")
    review_round.status = status.value
    db.session.commit()
    return review_round


HEADERS = [column.header for column in COLUMNS]


def row(**overrides):
    """A valid row of the applications template, keyed by header."""
    number = next(_numbers)
    values = {
        "申报编号": f"2026-{number:03d}",
        "项目名称": f"酶法合成中试项目{number}",
        "申报单位": "江西某生物科技有限公司",
        "方向": "生物化工",
        "所在地区": "赣州市",
        "总投资（万元）": 1200.5,
        "分组": "生物化工组",
        "项目简介": "利用酶催化……",
        "联系人": "王工",
        "联系电话": "0797-8888888",
    }
    values.update(overrides)
    return values

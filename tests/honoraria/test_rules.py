"""The pure honoraria rules, with amounts computed by hand."""

from datetime import timedelta
from decimal import Decimal

import pytest

from thinktank.honoraria.rules import (
    Band,
    RateError,
    checked_total,
    rates_from_config,
    review_amount,
    round_yuan,
    session_amount,
    session_days,
    title_band,
)

D = Decimal
DEFAULT = rates_from_config({})


@pytest.mark.parametrize("title", ["教授", "研究员", "主任医师", "正高级工程师", "教授级高级工程师",
                                   "主任药师", " 正高级经济师 ", "中国工程院院士"])
def test_full_senior_titles_are_senior(title):
    assert title_band(title) == Band.SENIOR


@pytest.mark.parametrize("title", ["副教授", "副研究员", "副主任医师", "助理研究员", "高级工程师",
                                   "讲师", "工程师", "", None])
def test_other_titles_and_none_are_other(title):
    assert title_band(title) == Band.OTHER


def test_defaults_lie_within_the_guidance():
    assert DEFAULT.day == {Band.SENIOR: D(2000), Band.OTHER: D(1200)}
    assert DEFAULT.item == D(500)


@pytest.mark.parametrize("config", [
    {"HONORARIA_SENIOR_DAY_RATE": 1500, "HONORARIA_OTHER_DAY_RATE": 900},
    {"HONORARIA_SENIOR_DAY_RATE": "2,400", "HONORARIA_OTHER_DAY_RATE": "1500"},
])
def test_the_ends_of_the_ranges_are_allowed(config):
    rates = rates_from_config(config)
    assert rates.day[Band.SENIOR] == D(str(config["HONORARIA_SENIOR_DAY_RATE"]).replace(",", ""))


@pytest.mark.parametrize(("key", "value", "bounds"), [
    ("HONORARIA_SENIOR_DAY_RATE", 2401, "1500–2400"),
    ("HONORARIA_SENIOR_DAY_RATE", 1499, "1500–2400"),
    ("HONORARIA_OTHER_DAY_RATE", 899, "900–1500"),
    ("HONORARIA_OTHER_DAY_RATE", "1600", "900–1500"),
])
def test_a_day_rate_outside_the_guidance_is_refused(key, value, bounds):
    with pytest.raises(RateError) as caught:
        rates_from_config({key: value})
    assert caught.value.key == key
    assert bounds in str(caught.value)


@pytest.mark.parametrize(("key", "value"), [
    ("HONORARIA_REVIEW_ITEM_RATE", 0), ("HONORARIA_REVIEW_ITEM_RATE", "-5"),
    ("HONORARIA_SENIOR_DAY_RATE", "两千"), ("HONORARIA_OTHER_DAY_RATE", "NaN"),
])
def test_a_rate_that_is_not_a_positive_amount_is_refused(key, value):
    with pytest.raises(RateError, match=key):
        rates_from_config({key: value})


@pytest.mark.parametrize(("hours", "days"), [
    (2, D("0.5")), (4, D("0.5")), (4 + 1 / 60, D("1")), (6, D("1")), (8, D("1")),
])
def test_sessions_up_to_four_hours_are_half_days(hours, days):
    assert session_days(timedelta(hours=hours)) == days


@pytest.mark.parametrize(("band", "days", "amount"), [
    (Band.SENIOR, D("1"), D(2000)), (Band.SENIOR, D("0.5"), D(1200)),  # 60 % of 2,000
    (Band.OTHER, D("1"), D(1200)), (Band.OTHER, D("0.5"), D(720)),  # 60 % of 1,200
])
def test_session_amount_per_band(band, days, amount):
    assert session_amount(DEFAULT, band, days) == amount


def test_half_day_of_an_odd_rate_is_rounded_half_up():
    rates = rates_from_config({"HONORARIA_SENIOR_DAY_RATE": "2222.5",
                               "HONORARIA_OTHER_DAY_RATE": "1001"})
    assert session_amount(rates, Band.SENIOR, D("0.5")) == D(1334)  # 1,333.5
    assert session_amount(rates, Band.OTHER, D("0.5")) == D(601)  # 600.6


def test_per_item_rate_below_the_cap_stays():
    assert DEFAULT.review_item(Band.SENIOR) == D(500)  # cap 1,000
    assert DEFAULT.review_item(Band.OTHER) == D(500)  # cap 600
    assert review_amount(DEFAULT, Band.OTHER, 3) == D(1500)


def test_per_item_rate_is_capped_at_half_the_day_rate():
    rates = rates_from_config({"HONORARIA_REVIEW_ITEM_RATE": 800})
    assert rates.review_item(Band.OTHER) == D(600)  # half of 1,200
    assert rates.review_item(Band.SENIOR) == D(800)  # cap 1,000 not reached
    assert review_amount(rates, Band.OTHER, 3) == D(1800)
    assert review_amount(rates, Band.SENIOR, 3) == D(2400)


def test_a_fractional_cap_is_rounded_on_the_line():
    rates = rates_from_config({"HONORARIA_OTHER_DAY_RATE": 1001, "HONORARIA_REVIEW_ITEM_RATE": 800})
    assert rates.review_item(Band.OTHER) == D("500.5")
    assert review_amount(rates, Band.OTHER, 3) == D(1502)  # 1,501.5


@pytest.mark.parametrize(("amount", "rounded"), [
    ("1333.5", 1334), ("1333.49", 1333), ("0.5", 1), ("2.5", 3), ("720.0", 720),
])
def test_rounding_is_half_up_to_whole_yuan(amount, rounded):
    assert round_yuan(D(amount)) == D(rounded)


def test_the_total_is_the_sum_of_whole_yuan_lines():
    assert checked_total([D(1200), D(1200), D(720)]) == D(3120)
    assert checked_total([]) == D(0)
    with pytest.raises(ValueError, match="whole yuan"):
        checked_total([D(1200), D("720.5")])

"""Aggregation rules of project-selection reviews, with hand-computed cases."""

import math
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thinktank.reviews.aggregation import (
    PointsError,
    PointsProblem,
    ScoreSheet,
    aggregate,
    aggregate_application,
    criterion_means,
    expert_total,
    mean,
    median,
    outliers,
    parse_points,
    rank,
    standard_deviation,
    trimmed_mean,
)


@pytest.fixture(autouse=True)
def clean_database():
    """Pure rules: these tests need neither the app nor the database."""
    yield


def decimals(*values: str) -> list[Decimal]:
    return [Decimal(value) for value in values]


# ---- parse_points -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", "12.0"),
        ("12.5", "12.5"),
        ("12.50", "12.5"),  # trailing zero as spreadsheets print it
        (" １２．５ ", "12.5"),  # full-width digits and point, spaces
        ("0", "0.0"),
        ("-0", "0.0"),
        ("30", "30.0"),  # the maximum itself
        ("30.0", "30.0"),
    ],
)
def test_parse_points_accepts_one_decimal_within_range(text, expected):
    value = parse_points(text, Decimal("30"), "技术先进性")
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", PointsProblem.MISSING),
        ("  ", PointsProblem.MISSING),
        ("12.55", PointsProblem.TOO_PRECISE),
        ("0.05", PointsProblem.TOO_PRECISE),
        ("-1", PointsProblem.NEGATIVE),
        ("-0.5", PointsProblem.NEGATIVE),
        ("30.1", PointsProblem.ABOVE_MAXIMUM),
        ("31", PointsProblem.ABOVE_MAXIMUM),
        ("NaN", PointsProblem.NOT_A_NUMBER),
        ("inf", PointsProblem.NOT_A_NUMBER),
        ("Infinity", PointsProblem.NOT_A_NUMBER),
        ("-Infinity", PointsProblem.NOT_A_NUMBER),
        ("1e1", PointsProblem.NOT_A_NUMBER),
        ("12,5", PointsProblem.NOT_A_NUMBER),
        ("12.", PointsProblem.NOT_A_NUMBER),
        (".5", PointsProblem.NOT_A_NUMBER),
        ("+5", PointsProblem.NOT_A_NUMBER),
        ("十二", PointsProblem.NOT_A_NUMBER),
        ("abc", PointsProblem.NOT_A_NUMBER),
    ],
)
def test_parse_points_refuses_bad_values_with_a_code(text, problem):
    with pytest.raises(PointsError) as raised:
        parse_points(text, Decimal("30"), "技术先进性")
    assert raised.value.problem == problem
    assert raised.value.criterion == "技术先进性"
    assert raised.value.maximum == Decimal("30")


# ---- totals and means -----------------------------------------------------------


def test_expert_total_is_the_sum_of_criterion_points():
    points = dict(zip(["技术先进性", "产业化前景", "团队与基础", "经济社会效益", "实施方案可行性"],
                      decimals("27.5", "20.0", "18.5", "12.0", "8.5"), strict=True))
    assert expert_total(points) == Decimal("86.5")


def test_mean_of_whole_totals():
    assert mean(decimals("80", "85", "90")) == Decimal("85.00")


def test_mean_rounds_a_repeating_decimal_half_up():
    # 70.1 + 80.2 + 90.2 = 240.5; 240.5 / 3 = 80.1666… → 80.17
    assert mean(decimals("70.1", "80.2", "90.2")) == Decimal("80.17")


def test_mean_exact_at_two_decimals_is_not_changed():
    # (70.1 + 70.0) / 2 = 70.05 exactly
    assert mean(decimals("70.1", "70.0")) == Decimal("70.05")


def test_mean_below_the_half_cent_rounds_down():
    # (70.1 + 7 × 70.0) / 8 = 560.1 / 8 = 70.0125 → 70.01
    assert mean(decimals("70.1", *["70.0"] * 7)) == Decimal("70.01")


def test_mean_exactly_on_the_half_cent_rounds_up_not_to_even():
    # (80.1 + 80.0 + 80.0 + 80.0) / 4 = 320.1 / 4 = 80.025 exactly:
    # half-up gives 80.03; banker's rounding would give 80.02 (2 is even).
    assert mean(decimals("80.1", "80.0", "80.0", "80.0")) == Decimal("80.03")
    # (80.5 + 80.0 + 80.0 + 80.0) / 4 = 320.5 / 4 = 80.125 → 80.13 (banker's: 80.12)
    assert mean(decimals("80.5", "80.0", "80.0", "80.0")) == Decimal("80.13")


def test_results_ignore_the_callers_decimal_context():
    with localcontext() as context:
        context.prec = 3
        context.rounding = ROUND_HALF_EVEN
        assert mean(decimals("80.1", "80.0", "80.0", "80.0")) == Decimal("80.03")
        assert mean(decimals("70.1", "80.2", "90.2")) == Decimal("80.17")
        assert expert_total({"a": Decimal("27.5"), "b": Decimal("59.3")}) == Decimal("86.8")


def test_rules_refuse_empty_totals_but_aggregate_returns_none():
    for rule in (mean, trimmed_mean, median):
        with pytest.raises(ValueError):
            rule([])
    assert aggregate([], "trimmed_mean") is None


def test_aggregate_refuses_an_unknown_rule():
    with pytest.raises(KeyError):
        aggregate(decimals("80"), "geometric_mean")


# ---- trimmed mean -----------------------------------------------------------


def test_trimmed_mean_with_four_totals_is_the_plain_mean():
    # (60 + 70 + 80 + 95) / 4 = 305 / 4 = 76.25; trimming would give 75.00
    totals = decimals("60", "95", "70", "80")
    assert trimmed_mean(totals) == Decimal("76.25")
    assert aggregate(totals, "trimmed_mean") == Decimal("76.25")


def test_trimmed_mean_with_five_totals_drops_one_highest_and_one_lowest():
    # drop 50.0 and 99.0: (72.5 + 80.0 + 85.5) / 3 = 238 / 3 = 79.333… → 79.33
    # (the plain mean would be 387 / 5 = 77.40)
    totals = decimals("85.5", "50.0", "99.0", "72.5", "80.0")
    assert trimmed_mean(totals) == Decimal("79.33")
    assert aggregate(totals, "trimmed_mean") == Decimal("79.33")
    assert aggregate(totals, "mean") == Decimal("77.40")


def test_trimmed_mean_drops_only_one_of_tied_highest_totals():
    # drop one 90 and the 70: (90 + 90 + 80) / 3 = 86.666… → 86.67
    assert trimmed_mean(decimals("90", "90", "90", "80", "70")) == Decimal("86.67")


def test_trimmed_mean_drops_only_one_of_tied_lowest_totals():
    # drop the 95 and one 60: (60 + 60 + 75) / 3 = 65.00
    assert trimmed_mean(decimals("60", "95", "60", "75", "60")) == Decimal("65.00")


def test_trimmed_mean_of_equal_totals():
    assert trimmed_mean(decimals(*["82.5"] * 7)) == Decimal("82.50")


# ---- median -----------------------------------------------------------------


def test_median_of_an_odd_count_is_the_middle_total():
    assert median(decimals("70", "90", "80")) == Decimal("80.00")
    assert aggregate(decimals("70", "90", "80", "10", "95"), "median") == Decimal("80.00")


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    # sorted 70, 80, 85, 90 → (80 + 85) / 2 = 82.50
    assert median(decimals("90", "70", "85", "80")) == Decimal("82.50")
    # sorted 70, 80.0, 80.1, 90 → (80.0 + 80.1) / 2 = 80.05
    assert median(decimals("80.1", "90", "80.0", "70")) == Decimal("80.05")


def test_median_rounds_half_up():
    # (80.00 + 80.01) / 2 = 80.005 → 80.01 (banker's: 80.00)
    assert median(decimals("80.00", "80.01")) == Decimal("80.01")


def test_median_of_one_total():
    assert median(decimals("77.7")) == Decimal("77.70")


# ---- standard deviation ------------------------------------------------------


def test_standard_deviation_is_the_sample_deviation():
    # mean 85; squares 25 + 0 + 25 = 50; 50 / (3 − 1) = 25; √25 = 5
    assert standard_deviation(decimals("80", "85", "90")) == Decimal("5.00")
    # mean 75; 25 + 25 = 50; 50 / 1 = 50; √50 = 7.0710… → 7.07 (population: 5.00)
    assert standard_deviation(decimals("70", "80")) == Decimal("7.07")
    # mean 0.5; 0.25 + 0.25 = 0.5; √0.5 = 0.7071… → 0.71
    assert standard_deviation(decimals("0", "1")) == Decimal("0.71")


def test_standard_deviation_rounds_half_up():
    # mean 80.005; 0.005² + 0 + 0.005² = 0.00005; / 2 = 0.000025; √ = 0.005 → 0.01
    assert standard_deviation(decimals("80", "80.005", "80.01")) == Decimal("0.01")
    # deviations ±12.345: variance 12.345², √ = 12.345 → 12.35 (banker's 12.34)
    assert standard_deviation(decimals("67.655", "80", "92.345")) == Decimal("12.35")


def test_standard_deviation_needs_two_totals():
    assert standard_deviation([]) is None
    assert standard_deviation(decimals("80")) is None
    assert standard_deviation(decimals("80", "80")) == Decimal("0.00")


# ---- outliers ---------------------------------------------------------------


def test_outliers_are_strictly_further_than_the_threshold_from_the_median():
    totals = {"甲": Decimal("80"), "乙": Decimal("85"), "丙": Decimal("90"),
              "丁": Decimal("105"), "戊": Decimal("64.9")}
    # median 85: 丁 is exactly 20 away (not flagged), 戊 20.1 away (flagged)
    assert outliers(totals) == {"戊"}
    assert outliers(totals, Decimal("20.1")) == set()
    assert outliers(totals, Decimal("10")) == {"丁", "戊"}


def test_outliers_use_the_exact_median_of_an_even_panel():
    # median (80 + 81) / 2 = 80.5: 100.5 and 60.5 are exactly 20 away, 100.6 and 60.4 20.1
    assert outliers({"a": Decimal("80"), "b": Decimal("81"), "c": Decimal("100.5"),
                     "d": Decimal("60.5")}) == set()
    assert outliers({"a": Decimal("80"), "b": Decimal("81"), "c": Decimal("100.6"),
                     "d": Decimal("60.4")}) == {"c", "d"}
    # median (80.00 + 80.01) / 2 = 80.005, not rounded: 100.01 is 20.005 away
    # (a median rounded to 80.01 would put it exactly 20 away, unflagged)
    assert outliers({"a": Decimal("80.00"), "b": Decimal("80.01"), "c": Decimal("100.01"),
                     "d": Decimal("60.01")}) == {"c"}


def test_no_totals_no_outliers():
    assert outliers({}) == set()


# ---- ranking ----------------------------------------------------------------


def test_competition_ranking():
    scores = {"A": Decimal("90"), "B": Decimal("85"), "C": Decimal("85"), "D": Decimal("80")}
    assert rank(scores) == {"A": 1, "B": 2, "C": 2, "D": 4}


def test_ranking_is_in_display_order_with_ties_by_key_and_unscored_last():
    scores = {"Z": None, "c": Decimal("85.00"), "b": Decimal("85.0"), "a": Decimal("92.31"),
              "d": Decimal("70.5"), "Y": None}
    ranks = rank(scores)
    assert list(ranks.items()) == [
        ("a", 1), ("b", 2), ("c", 2), ("d", 4), ("Y", None), ("Z", None),
    ]


def test_ranking_of_nothing():
    assert rank({}) == {}
    assert rank({1: None}) == {1: None}


# ---- criterion means and the whole application ---------------------------------


def test_criterion_means_are_plain_means_in_criterion_order():
    sheets = [
        {"技术先进性": Decimal("27.5"), "产业化前景": Decimal("20.0")},
        {"技术先进性": Decimal("25.0"), "产业化前景": Decimal("21.5")},
        {"技术先进性": Decimal("30.0"), "产业化前景": Decimal("18.0")},
    ]
    means = criterion_means(sheets)
    # 82.5 / 3 = 27.50; 59.5 / 3 = 19.8333… → 19.83
    assert list(means.items()) == [("技术先进性", Decimal("27.50")),
                                   ("产业化前景", Decimal("19.83"))]
    assert criterion_means([]) == {}


def sheet(expert, first, second, recommendation=None):
    return ScoreSheet(expert, {"技术先进性": Decimal(first), "产业化前景": Decimal(second)},
                      recommendation)


def test_aggregate_application_returns_every_figure():
    sheets = [
        sheet("甲", "27.5", "20.0", "推荐"),  # 47.5
        sheet("乙", "25.0", "21.5", "推荐"),  # 46.5
        sheet("丙", "30.0", "18.0", "不推荐"),  # 48.0
        sheet("丁", "28.0", "22.0", "推荐"),  # 50.0
        sheet("戊", "5.0", "3.0"),  # 8.0
    ]
    result = aggregate_application(sheets, "trimmed_mean")
    assert result.submitted == 5
    assert result.totals == {"甲": Decimal("47.5"), "乙": Decimal("46.5"),
                             "丙": Decimal("48.0"), "丁": Decimal("50.0"),
                             "戊": Decimal("8.0")}
    # drop 50.0 and 8.0: (47.5 + 46.5 + 48.0) / 3 = 142 / 3 = 47.333… → 47.33
    assert result.final_score == Decimal("47.33")
    # 115.5 / 5 = 23.10; 84.5 / 5 = 16.90
    assert result.criterion_means == {"技术先进性": Decimal("23.10"),
                                      "产业化前景": Decimal("16.90")}
    # mean 40; squares 56.25 + 42.25 + 64 + 100 + 1024 = 1286.5; / 4 = 321.625;
    # √321.625 = 17.9339… → 17.93
    assert result.standard_deviation == Decimal("17.93")
    # median 47.5: 戊 is 39.5 away
    assert result.outliers == {"戊"}
    assert result.recommendations == {"推荐": 3, "不推荐": 1}

    assert aggregate_application(sheets, "mean").final_score == Decimal("40.00")
    assert aggregate_application(sheets, "median").final_score == Decimal("47.50")
    assert aggregate_application(sheets, "mean", Decimal("40")).outliers == set()


def test_aggregate_application_without_submitted_sheets():
    result = aggregate_application([], "trimmed_mean")
    assert result.submitted == 0
    assert result.totals == {}
    assert result.final_score is None
    assert result.criterion_means == {}
    assert result.standard_deviation is None
    assert result.outliers == set()
    assert result.recommendations == {}


def test_aggregate_application_refuses_two_sheets_of_one_expert():
    with pytest.raises(ValueError):
        aggregate_application([sheet("甲", "1", "2"), sheet("甲", "3", "4")], "mean")


# ---- properties -------------------------------------------------------------

one_decimal_totals = st.lists(
    st.integers(min_value=0, max_value=1000).map(lambda tenths: Decimal(tenths).scaleb(-1)),
    min_size=1,
    max_size=15,
)


def half_up_cents(value: Fraction) -> Decimal:
    """Reference rounding on exact fractions: ⌊100·value + ½⌋ cents."""
    cents = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(cents) / 100


def reference(totals: list[Decimal], rule: str) -> Decimal:
    values = sorted(Fraction(total) for total in totals)
    if rule == "trimmed_mean" and len(values) >= 5:
        values = values[1:-1]
    if rule == "median":
        middle = len(values) // 2
        values = values[middle:middle + 1] if len(values) % 2 else values[middle - 1:middle + 1]
    return half_up_cents(sum(values) / len(values))


@given(one_decimal_totals, st.sampled_from(["mean", "trimmed_mean", "median"]))
def test_aggregate_matches_a_fraction_reference(totals, rule):
    assert aggregate(totals, rule) == reference(totals, rule)


@given(one_decimal_totals, st.sampled_from(["mean", "trimmed_mean", "median"]))
def test_aggregate_lies_between_the_lowest_and_highest_total(totals, rule):
    assert min(totals) <= aggregate(totals, rule) <= max(totals)


@given(st.data(), one_decimal_totals, st.sampled_from(["mean", "trimmed_mean", "median"]))
def test_aggregate_ignores_the_order_of_totals(data, totals, rule):
    shuffled = data.draw(st.permutations(totals))
    assert aggregate(shuffled, rule) == aggregate(totals, rule)


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=2, max_size=12))
def test_standard_deviation_is_the_half_up_rounded_root(hundredths):
    totals = [Decimal(value).scaleb(-2) for value in hundredths]
    values = [Fraction(total) for total in totals]
    centre = sum(values) / len(values)
    variance = sum((value - centre) ** 2 for value in values) / (len(values) - 1)
    result = Fraction(standard_deviation(totals))
    half_cent = Fraction(1, 200)
    # half-up: the root lies in [result − ½ cent, result + ½ cent)
    assert max(result - half_cent, 0) ** 2 <= variance < (result + half_cent) ** 2


@given(st.dictionaries(
    st.integers(min_value=1, max_value=50),
    st.one_of(st.none(), st.integers(min_value=0, max_value=40).map(Decimal)),
))
def test_ranking_is_consistent_with_scores(scores):
    ranks = rank(scores)
    assert set(ranks) == set(scores)
    scored = [key for key, score in scores.items() if score is not None]
    for key in scored:
        assert ranks[key] == 1 + sum(1 for other in scored if scores[other] > scores[key])
        for other in scored:
            if scores[key] > scores[other]:
                assert ranks[key] < ranks[other]
            elif scores[key] == scores[other]:
                assert ranks[key] == ranks[other]
    assert all(ranks[key] is None for key, score in scores.items() if score is None)
    order = list(ranks)
    assert order[:len(scored)] == sorted(scored, key=lambda key: (-scores[key], key))

"""The pure rules of the draw, with hand-checked cases."""

import random
from datetime import date

import pytest

from thinktank.draws.rules import (
    Candidate,
    CandidateConflict,
    DrawRequest,
    KeepAway,
    Skip,
    TooFewExperts,
    draw_order,
    screen,
    walk_order,
)

DAY = date(2026, 3, 1)


def test_draw_order_samples_the_pool_sorted_ascending():
    pool = [42, 7, 19, 3, 88, 21]
    expected = random.Random(12345).sample([3, 7, 19, 21, 42, 88], 6)
    assert draw_order(pool, 12345) == expected
    assert draw_order(sorted(pool), 12345) == expected
    assert sorted(expected) == [3, 7, 19, 21, 42, 88]


def test_draw_order_is_pinned_for_a_known_seed():
    # Recorded from CPython's random.Random; a change of algorithm breaks
    # every stored draw's check, so it must show up here.
    assert draw_order(range(1, 11), 2026) == random.Random(2026).sample(list(range(1, 11)), 10)
    assert draw_order(range(1, 11), 2026) == [2, 6, 10, 8, 5, 9, 4, 3, 7, 1]


def test_draw_order_accepts_a_seed_of_64_bits():
    seed = 2**64 - 1
    assert draw_order([1, 2, 3, 4], seed) == random.Random(seed).sample([1, 2, 3, 4], 4)
    assert draw_order([], seed) == []


ORGS = {
    5: "江西甲公司", 3: "江西甲公司", 8: "乙大学", 1: "江西甲公司　", 9: "丙研究院", 2: "丁协会",
}


def test_walk_takes_one_per_organisation_and_records_skips():
    walk = walk_order([5, 3, 8, 1, 9, 2], ORGS, panel_size=2, backups=2, org_cap=1)
    assert walk.drawn == [5, 8]
    assert walk.backups == [9, 2]
    # 1's organisation differs only by a full-width space: the same organisation.
    assert walk.skips == [Skip(3, "江西甲公司", (5,)), Skip(1, "江西甲公司　", (5,))]


def test_walk_with_a_cap_of_two():
    drawn, backups, skips = walk_order([5, 3, 8, 1, 9, 2], ORGS, 2, 2, org_cap=2)
    assert drawn == [5, 3]
    assert backups == [8, 9]
    assert skips == [Skip(1, "江西甲公司　", (5, 3))]


def test_walk_stops_once_enough_are_taken():
    walk = walk_order([5, 3, 8, 1, 9, 2], ORGS, panel_size=1, backups=0)
    assert walk == ([5], [], [])


def test_walk_compares_full_width_letters_folded():
    organisations = {1: "ＡＢＣ生物科技", 2: "abc 生物科技", 3: "江西ABC"}
    walk = walk_order([1, 2, 3], organisations, panel_size=2, backups=0)
    assert walk.drawn == [1, 3]
    assert walk.skips == [Skip(2, "abc 生物科技", (1,))]


def test_walk_fills_backups_as_far_as_possible():
    walk = walk_order([1, 2, 3], {1: "甲", 2: "乙", 3: "丙"}, panel_size=2, backups=3)
    assert walk.drawn == [1, 2]
    assert walk.backups == [3]


def test_too_few_eligible():
    with pytest.raises(TooFewExperts) as caught:
        walk_order([1, 2], {1: "甲", 2: "乙"}, panel_size=3, backups=1)
    assert (caught.value.found, caught.value.takeable, caught.value.needed) == (2, 2, 3)
    assert not caught.value.limited_by_cap


def test_too_few_under_the_organisation_cap():
    with pytest.raises(TooFewExperts) as caught:
        walk_order([1, 2, 3, 4], {1: "甲", 2: "甲", 3: "乙", 4: "甲 "}, panel_size=3, backups=0)
    assert (caught.value.found, caught.value.takeable, caught.value.needed) == (4, 2, 3)
    assert caught.value.limited_by_cap
    assert caught.value.org_cap == 1


def candidate(expert_id, organisation="无关单位", name=None, code=None):
    return Candidate(expert_id, code or f"ZJ{expert_id:05d}", name or f"专家{expert_id}",
                     organisation)


def request(**overrides):
    return DrawRequest(event_date=DAY, panel_size=1, **overrides)


def test_screen_records_each_reason_in_order():
    candidates = [
        candidate(4, "江西生物科技有限公司　"),
        candidate(2, "其他单位"),
        candidate(7, "另一单位", name="张　三"),
        candidate(9, "第四单位"),
        candidate(1, "第五单位"),
    ]
    conflicts = {2: [CandidateConflict("江西生物科技有限公司", "曾任职", date(2027, 1, 1))]}
    screening = screen(candidates, conflicts, request(
        applicant_organisations=["江西生物科技有限公司"],
        keep_away=[KeepAway("张三", "江西生物科技有限公司")],
        already_on=[9],
    ))
    assert screening.pool == [1]
    assert [(e["expert_id"], e["reason"]) for e in screening.exclusions] == [
        (2, "conflict"), (4, "applicant_organisation"), (7, "kept_away"), (9, "already_on"),
    ]
    by_id = {e["expert_id"]: e for e in screening.exclusions}
    assert by_id[4]["detail"] == {"applicant": "江西生物科技有限公司"}
    assert by_id[2]["detail"] == {
        "organisation": "江西生物科技有限公司", "reason": "曾任职", "ends_on": "2027-01-01",
    }
    assert by_id[7]["detail"] == {"named": "张三", "requested_by": "江西生物科技有限公司"}
    assert by_id[7]["name"] == "张　三" and by_id[7]["organisation"] == "另一单位"


def test_screen_records_only_the_first_reason():
    screening = screen(
        [candidate(3, "甲公司", name="李四")], {},
        request(applicant_organisations=["甲公司"], keep_away=[KeepAway("李四")], already_on=[3]),
    )
    assert [e["reason"] for e in screening.exclusions] == ["applicant_organisation"]


@pytest.mark.parametrize(
    ("ends_on", "excluded"),
    [(None, True), (date(2026, 3, 1), True), (date(2026, 2, 28), False)],
)
def test_a_conflict_counts_until_its_end_date(ends_on, excluded):
    conflicts = {1: [CandidateConflict("甲公司", "曾任职", ends_on)]}
    screening = screen([candidate(1)], conflicts, request(applicant_organisations=["甲公司"]))
    assert (screening.pool == []) is excluded


def test_a_conflict_with_another_organisation_does_not_exclude():
    conflicts = {1: [CandidateConflict("乙公司", "合作", None)]}
    screening = screen([candidate(1)], conflicts, request(applicant_organisations=["甲公司"]))
    assert screening.pool == [1]


@pytest.mark.parametrize("named", ["ZJ00003", " zj00003 ", "ＺＪ００００３", "王 五", "王五"])
def test_keep_away_by_code_or_name(named):
    screening = screen(
        [candidate(3, name="王五", code="ZJ00003"), candidate(4, name="王五一", code="ZJ00004")],
        {}, request(keep_away=[KeepAway(named)]),
    )
    assert screening.pool == [4]


def test_blank_applicant_organisations_exclude_nobody():
    screening = screen([candidate(1, "")], {}, request(applicant_organisations=["", "　"]))
    assert screening.pool == [1]

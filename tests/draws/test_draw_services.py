"""The eligible pool from the expert pool, stored draws, audit and backups."""

import random
from datetime import date

import pytest
from sqlalchemy import select

from thinktank.audit.models import AuditEntry
from thinktank.draws import services
from thinktank.draws.models import Draw
from thinktank.draws.rules import KeepAway, TooFewExperts, draw_order
from thinktank.errors import DomainError
from thinktank.experts.models import Expert, ExpertiseField, ExpertStatus
from thinktank.experts.services import add_conflict, set_status
from thinktank.extensions import db
from thinktank.text import organisation_key

from .helpers import EVENT_DAY

APPLICANT = "江西生物科技有限公司"


def reasons(eligible) -> dict[int, str]:
    return {e["expert_id"]: e["reason"] for e in eligible.exclusions}


def test_pool_is_active_experts_whose_term_covers_the_date(make_expert, draw_request):
    current = make_expert()
    open_ended = make_expert(term_start=None, term_end=None)
    starts_on_the_day = make_expert(term_start=EVENT_DAY)
    ends_on_the_day = make_expert(term_end=EVENT_DAY)
    make_expert(term_end=date(2026, 2, 28))
    make_expert(term_start=date(2026, 3, 2))
    suspended, withdrawn = make_expert(), make_expert()
    set_status(suspended, ExpertStatus.SUSPENDED, "出国")
    set_status(withdrawn, ExpertStatus.WITHDRAWN)
    db.session.commit()

    eligible = services.eligible_pool(draw_request())

    assert eligible.pool == sorted(
        [current.id, open_ended.id, starts_on_the_day.id, ends_on_the_day.id]
    )
    assert eligible.exclusions == []


def test_filters_are_any_of_within_a_list_and_all_of_across(make_expert, draw_request):
    medicine_nc = make_expert(field_names=["生物医药"], city="南昌", category="高校院所")
    enzyme_jj = make_expert(field_names=["酶制剂", "投融资"], city="九江", category="链主企业")
    make_expert(field_names=["生物材料"], city="南昌", category="高校院所")
    make_expert(field_names=["生物医药"], city="赣州", category="高校院所")
    association = make_expert(field_names=["生物医药"], city="南昌", category="行业协会")
    enzyme = db.session.scalar(select(ExpertiseField).where(ExpertiseField.name == "酶制剂"))

    eligible = services.eligible_pool(draw_request(
        field_ids=[enzyme.id], field_names=["生物医药"], cities=["南昌", "九江"],
        categories=["高校院所", "链主企业"],
    ))
    assert eligible.pool == [medicine_nc.id, enzyme_jj.id]
    assert set(eligible.fields.values()) == {"酶制剂", "生物医药"}

    only_enzyme = services.eligible_pool(draw_request(field_names=["酶制剂"]))
    assert only_enzyme.pool == [enzyme_jj.id]
    assert services.eligible_pool(draw_request(cities=["九江"])).pool == [enzyme_jj.id]
    assert services.eligible_pool(draw_request(categories=["行业协会"])).pool == [association.id]


def test_an_unknown_field_is_an_error(draw_request):
    with pytest.raises(DomainError, match="炼金术"):
        services.eligible_pool(draw_request(field_names=["炼金术"]))
    with pytest.raises(DomainError):
        services.eligible_pool(draw_request(field_ids=[999999]))


@pytest.mark.parametrize("organisation", [
    APPLICANT, f"{APPLICANT}　", f"  {APPLICANT} ", "江西生物科技有限公司".replace("江西", "江西 "),
])
def test_same_organisation_as_an_applicant_is_excluded(make_expert, draw_request, organisation):
    expert = make_expert(organisation=organisation)
    other = make_expert(organisation="南昌大学")
    eligible = services.eligible_pool(draw_request(applicant_organisations=[APPLICANT]))
    assert eligible.pool == [other.id]
    [entry] = eligible.exclusions
    assert entry == {
        "expert_id": expert.id, "code": expert.code, "name": expert.name,
        "organisation": organisation, "reason": "applicant_organisation",
        "detail": {"applicant": APPLICANT},
    }


def test_full_width_letters_in_an_organisation_are_folded(make_expert, draw_request):
    expert = make_expert(organisation="ＸＹＺ生物（江西）有限公司")
    eligible = services.eligible_pool(
        draw_request(applicant_organisations=["xyz生物(江西)有限公司"])
    )
    assert reasons(eligible) == {expert.id: "applicant_organisation"}


@pytest.mark.parametrize(
    ("ends_on", "excluded"),
    [(None, True), (EVENT_DAY, True), (date(2029, 1, 1), True), (date(2026, 2, 28), False)],
)
def test_declared_conflict_excludes_while_in_force(make_expert, draw_request, ends_on, excluded):
    expert = make_expert(organisation="南昌大学")
    add_conflict(expert, f"{APPLICANT}　", "曾任职三年内", ends_on)
    db.session.commit()
    eligible = services.eligible_pool(draw_request(applicant_organisations=[APPLICANT]))
    assert (eligible.pool == []) is excluded
    if excluded:
        [entry] = eligible.exclusions
        assert entry["reason"] == "conflict"
        assert entry["detail"] == {
            "organisation": APPLICANT, "reason": "曾任职三年内",
            "ends_on": ends_on.isoformat() if ends_on else None,
        }


def test_conflicts_with_other_organisations_do_not_exclude(make_expert, draw_request):
    expert = make_expert()
    add_conflict(expert, "别的公司", "亲属任职", None)
    db.session.commit()
    eligible = services.eligible_pool(draw_request(applicant_organisations=[APPLICANT]))
    assert eligible.pool == [expert.id]


def test_named_to_keep_away_by_name_or_code(make_expert, draw_request):
    by_name = make_expert(name="陈明")
    by_code = make_expert()
    kept = make_expert()
    eligible = services.eligible_pool(draw_request(keep_away=[
        KeepAway("陈 明", "甲公司"), KeepAway(by_code.code.lower(), "乙公司"),
    ]))
    assert eligible.pool == [kept.id]
    assert reasons(eligible) == {by_name.id: "kept_away", by_code.id: "kept_away"}
    detail = {e["expert_id"]: e["detail"] for e in eligible.exclusions}
    assert detail[by_code.id] == {"named": by_code.code.lower(), "requested_by": "乙公司"}


def test_already_on_the_panel_is_excluded(make_expert, draw_request):
    member, other = make_expert(), make_expert()
    eligible = services.eligible_pool(draw_request(already_on=[member.id, 999999]))
    assert eligible.pool == [other.id]
    assert reasons(eligible) == {member.id: "already_on"}


def make_spread(make_expert, organisations):
    return [make_expert(organisation=name) for name in organisations]


def third_party_walk(order, organisation_of, n, b, cap):
    """What someone checking the draw writes: walk the order, cap per organisation."""
    taken, counts = [], {}
    for expert_id in order:
        key = organisation_of[expert_id]
        if counts.get(key, 0) < cap and len(taken) < n + b:
            counts[key] = counts.get(key, 0) + 1
            taken.append(expert_id)
    return taken[:n], taken[n:]


@pytest.mark.parametrize("cap", [1, 2])
def test_a_third_party_can_rerun_the_stored_draw(make_expert, draw_request, cap):
    experts = make_spread(make_expert, ["甲大学"] * 4 + ["乙公司"] * 3 + ["丙研究院"] * 2
                          + ["丁协会", "戊基金", "己中心", "庚学院"])
    request = draw_request(panel_size=5, backups=2, org_cap=cap)
    draw_id = services.perform_draw(request, "panel", 3).id
    db.session.commit()
    db.session.expire_all()

    draw = db.session.get(Draw, draw_id)
    pool = draw.pool
    assert pool == sorted(e.id for e in experts)
    order = random.Random(draw.seed).sample(pool, len(pool))
    assert order == draw.order
    organisation_of = {e.id: organisation_key(e.organisation) for e in experts}
    drawn, backups = third_party_walk(order, organisation_of, 5, 2, cap)
    assert (drawn, backups) == (draw.drawn, draw.backups)
    counts = {}
    for expert_id in drawn + backups:
        counts[organisation_of[expert_id]] = counts.get(organisation_of[expert_id], 0) + 1
    assert max(counts.values()) <= cap
    # Every expert walked past before the last taken and not taken is a recorded skip.
    walked = draw.walked
    assert set(walked) == set(drawn) | set(backups) | {s["expert_id"] for s in draw.skips}
    for skip in draw.skips:
        key = organisation_of[skip["expert_id"]]
        assert [organisation_of[i] for i in skip["taken"]] == [key] * cap
        assert walked.index(skip["expert_id"]) > max(walked.index(i) for i in skip["taken"])
    assert draw.parameters["org_cap"] == cap
    assert set(draw.snapshot) == {str(i) for i in walked}


def test_cap_one_records_skips_of_the_same_organisation(make_expert, draw_request):
    university = make_spread(make_expert, ["甲大学"] * 5)
    company = make_expert(organisation="乙公司")
    pool = sorted(e.id for e in [*university, company])
    same = {e.id for e in university}
    # A seed whose order starts with two experts of 甲大学: the second is skipped.
    seed = next(s for s in range(1000) if set(draw_order(pool, s)[:2]) <= same)
    order = draw_order(pool, seed)

    draw = services.perform_draw(draw_request(panel_size=2, seed=seed), "session", 1)

    assert draw.drawn == [order[0], company.id]
    assert draw.skips[0] == {"expert_id": order[1], "organisation": "甲大学", "taken": [order[0]]}
    assert draw.walked == order[: order.index(company.id) + 1]
    assert len(draw.skips) == order.index(company.id) - 1


def test_a_given_seed_repeats_the_draw(make_expert, draw_request):
    make_spread(make_expert, [f"单位{i}" for i in range(8)])
    first = services.perform_draw(draw_request(panel_size=3, backups=2, seed=77), "panel", 1)
    second = services.perform_draw(draw_request(panel_size=3, backups=2, seed=77), "panel", 2)
    assert first.seed == second.seed == 77
    assert (first.order, first.drawn, first.backups) == (second.order, second.drawn, second.backups)


def test_a_fresh_seed_is_random_each_time(make_expert, draw_request):
    make_spread(make_expert, [f"单位{i}" for i in range(3)])
    seeds = {services.perform_draw(draw_request(), "panel", 1).seed for _ in range(5)}
    assert len(seeds) == 5
    assert all(0 <= seed < 2**64 for seed in seeds)


@pytest.mark.parametrize("seed", [2**63, 2**63 + 12345, 2**64 - 1, 0])
def test_a_64_bit_seed_round_trips(make_expert, draw_request, seed):
    make_spread(make_expert, [f"单位{i}" for i in range(6)])
    draw_id = services.perform_draw(draw_request(panel_size=3, seed=seed), "panel", 1).id
    db.session.commit()
    db.session.expire_all()
    draw = db.session.get(Draw, draw_id)
    assert draw.seed == seed
    assert draw.order == random.Random(seed).sample(draw.pool, len(draw.pool))


def test_too_few_eligible_is_an_error_naming_the_counts(make_expert, draw_request):
    make_spread(make_expert, ["甲", "乙", "丙"])
    make_expert(organisation=APPLICANT)  # excluded: not counted as found
    with pytest.raises(DomainError) as caught:
        services.perform_draw(
            draw_request(panel_size=5, backups=2, applicant_organisations=[APPLICANT]), "panel", 1
        )
    assert "3" in caught.value.message and "5" in caught.value.message
    shortage = caught.value.__cause__
    assert isinstance(shortage, TooFewExperts)
    assert (shortage.found, shortage.takeable, shortage.needed) == (3, 3, 5)
    assert db.session.scalar(select(Draw.id)) is None


def test_too_few_under_the_organisation_cap_names_both_counts(make_expert, draw_request):
    make_spread(make_expert, ["甲大学"] * 6 + ["乙公司"] * 2)
    with pytest.raises(DomainError) as caught:
        services.perform_draw(draw_request(panel_size=3), "panel", 1)
    message = caught.value.message
    assert "8" in message and "2" in message and "3" in message
    assert caught.value.__cause__.limited_by_cap
    draw = services.perform_draw(draw_request(panel_size=3, org_cap=2), "panel", 1)
    assert len(draw.drawn) == 3


def test_a_shortage_of_backups_is_recorded_not_an_error(make_expert, draw_request):
    make_spread(make_expert, ["甲", "乙", "丙", "丁"])
    draw = services.perform_draw(draw_request(panel_size=3, backups=3), "panel", 1)
    assert len(draw.drawn) == 3
    assert len(draw.backups) == 1
    assert draw.backups_missing == 2


@pytest.mark.parametrize("overrides", [
    {"panel_size": 0}, {"backups": -1}, {"org_cap": 0}, {"seed": -1}, {"seed": 2**64},
])
def test_nonsense_parameters_are_refused(make_expert, draw_request, overrides):
    make_expert()
    with pytest.raises(DomainError):
        services.perform_draw(draw_request(**overrides), "panel", 1)


def test_a_draw_is_audited_with_seed_and_pool(make_expert, make_user, draw_request):
    user = make_user("secretariat")
    make_spread(make_expert, [f"单位{i}" for i in range(5)])
    excluded = make_expert(organisation=APPLICANT)
    draw = services.perform_draw(
        draw_request(panel_size=2, backups=1, seed=2**63 + 1, applicant_organisations=[APPLICANT]),
        "session", 12, actor=user,
    )
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "draw.performed"))
    assert entry.target_type == "Draw" and entry.target_id == draw.id
    assert entry.user_id == user.id
    assert entry.payload == {
        "context": ["session", 12], "seed": str(2**63 + 1), "pool_size": 5, "excluded": 1,
        "drawn": draw.drawn, "backups": draw.backups, "backups_missing": 0,
    }
    assert draw.created_by_id == user.id
    assert draw.exclusions[0]["expert_id"] == excluded.id


def test_draws_for_a_context(make_expert, draw_request):
    make_spread(make_expert, ["甲", "乙"])
    first = services.perform_draw(draw_request(), "panel", 3)
    services.perform_draw(draw_request(), "session", 3)
    second = services.perform_draw(draw_request(), "panel", 3)
    assert services.draws_for("panel", 3) == [first, second]
    assert services.draws_for("panel", 4) == []


def test_query_count_does_not_grow_with_the_pool(make_expert, draw_request, count_queries):
    def measure():
        request = draw_request(
            field_names=["生物医药"], cities=["南昌"], applicant_organisations=[APPLICANT],
        )
        db.session.expire_all()
        with count_queries() as counter:
            eligible = services.eligible_pool(request)
        return counter.count, eligible

    def add(count):
        for _ in range(count):
            expert = make_expert()
            add_conflict(expert, APPLICANT, "曾任职", None)
        db.session.commit()

    add(10)
    small, eligible = measure()
    assert len(eligible.exclusions) == 10
    add(290)
    large, eligible = measure()
    assert len(eligible.exclusions) == 300
    assert small == large <= 3


def backups_draw(make_expert, draw_request, backups=2):
    make_spread(make_expert, [f"单位{i}" for i in range(2 + backups)])
    return services.perform_draw(draw_request(panel_size=2, backups=backups), "session", 1)


def test_a_decline_promotes_the_next_backup(make_expert, draw_request):
    draw = backups_draw(make_expert, draw_request)
    declined = draw.drawn[1]
    assert services.promote_next_backup(draw, declined) == draw.backups[0]
    assert draw.panel == [draw.drawn[0], draw.backups[0]]
    # A promoted backup who declines in turn is replaced by the next one.
    assert services.promote_next_backup(draw, draw.backups[0]) == draw.backups[1]
    assert draw.panel == [draw.drawn[0], draw.backups[1]]
    db.session.commit()
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "draw.backup_promoted")
        .order_by(AuditEntry.id)
    ).all()
    assert [e.payload["backup"] for e in entries] == draw.backups


def test_a_backup_no_longer_active_is_passed_over(make_expert, draw_request):
    draw = backups_draw(make_expert, draw_request)
    set_status(db.session.get(Expert, draw.backups[0]), ExpertStatus.SUSPENDED, "生病")
    assert services.promote_next_backup(draw, draw.drawn[0]) == draw.backups[1]
    assert [p["outcome"] for p in draw.promotions] == ["no_longer_eligible", "promoted"]
    assert draw.panel == [draw.backups[1], draw.drawn[1]]


def test_without_backups_left_the_member_leaves_the_panel(make_expert, draw_request):
    draw = backups_draw(make_expert, draw_request, backups=0)
    assert services.promote_next_backup(draw, draw.drawn[0]) is None
    assert draw.panel == [draw.drawn[1]]
    assert draw.promotions[-1]["outcome"] == "exhausted"


def test_only_a_panel_member_can_be_replaced(make_expert, draw_request):
    draw = backups_draw(make_expert, draw_request)
    with pytest.raises(DomainError):
        services.promote_next_backup(draw, draw.backups[0])
    services.promote_next_backup(draw, draw.drawn[0])
    with pytest.raises(DomainError):
        services.promote_next_backup(draw, draw.drawn[0])

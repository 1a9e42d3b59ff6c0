from tests.records.history_factories import build_history
from tests.reviews.outcome_factories import add_sheet
from tests.reviews.panel_factories import applications_of, panel_with, scoring_round
from thinktank.extensions import db
from thinktank.records.services import expert_history


def test_counts_match_the_built_history(make_expert):
    expert, other = make_expert(name="张三"), make_expert(name="李四")
    built = build_history(expert, other)

    history = expert_history(expert)

    assert len(history.invited) == 4  # the reserve place was never sent
    assert len(history.accepted) == 3
    assert [i.decline_reason for i in history.declined] == [built.declined_reason]
    assert len(history.attended) == 1
    assert len(history.rounds) == 1  # the backup place does not count as serving
    assert (history.sheets_on_time, history.sheets_late) == (1, 1)
    assert [r.application.id for r in history.sheets if not r.on_time] == [
        built.late_application.id]
    assert [r.sheet.conflict_reason for r in history.conflicts] == ["曾任职"]
    assert [o.text for o in history.opinions] == ["建议"]


def test_the_other_experts_history_is_their_own(make_expert):
    expert, other = make_expert(), make_expert()
    build_history(expert, other)

    history = expert_history(other)

    assert len(history.invited) == 3
    assert len(history.accepted) == 1  # marked absent at the held session
    assert len(history.declined) == 0
    assert len(history.attended) == 0
    assert len(history.rounds) == 2
    assert history.sheets == [] and history.conflicts == []  # a draft is not submitted
    assert history.opinions == []


def test_a_new_expert_has_an_empty_history(make_expert):
    history = expert_history(make_expert())

    assert history.invited == [] and history.rounds == []
    assert (history.sheets_on_time, history.sheets_late) == (0, 0)


def test_a_sheet_is_on_time_up_to_the_deadline_and_without_one(make_expert):
    expert = make_expert()
    with_deadline = scoring_round(applications=1)
    without = scoring_round(applications=1)
    panel_with(with_deadline, [expert])
    panel_with(without, [expert])
    without.scoring_deadline = None  # after the panel, which needs a deadline
    add_sheet(with_deadline, applications_of(with_deadline)[0], expert, "90").submitted_at = (
        with_deadline.scoring_deadline)
    add_sheet(without, applications_of(without)[0], expert, "90")
    db.session.commit()

    history = expert_history(expert)

    assert [record.on_time for record in history.sheets] == [True, True]
    assert history.sheets_late == 0


def test_removed_members_have_not_served(make_expert):
    from thinktank.timeutil import utcnow

    expert = make_expert()
    panel = panel_with(scoring_round(applications=1), [expert])
    panel.members[0].removed_at = utcnow()
    db.session.commit()

    assert expert_history(expert).rounds == []


def test_the_number_of_queries_does_not_grow_with_the_history(make_expert, count_queries):
    small, large, other = make_expert(), make_expert(), make_expert()
    build_history(small, other)
    build_history(large, other, sessions=3)
    assert small.id and large.id  # loaded again after the commits, as a view would have them

    with count_queries() as few:
        expert_history(small)
    with count_queries() as many:
        history = expert_history(large)
        # Reading what the page shows loads nothing more.
        titles = [i.session.title for i in history.invited + history.opinions]

    assert len(history.invited) == 12 and len(titles) == 15
    assert many.count == few.count == 4

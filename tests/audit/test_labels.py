"""Every act the app records has a label in the audit log: the action codes
are found in the source (``tests/code_values.py``), so a new one fails here
until it is labelled."""

from tests.code_values import calls_of
from thinktank.audit.labels import ACTION_LABELS
from thinktank.audit.services import record


def test_every_recorded_action_has_a_label(app):
    calls = calls_of(record, "action", 0)
    assert len(calls) > 60  # the search itself works
    assert [call.where for call in calls if call.values is None] == [], \
        "write the action code so that it can be read from the source"
    recorded = set().union(*(call.values for call in calls))
    assert {"invitation.accepted", "score_sheet.proxy_submitted", "draw.backup_promoted",
            "honoraria.round_exported", "group_opinion.dissent"} <= recorded
    assert sorted(recorded - ACTION_LABELS.keys()) == []

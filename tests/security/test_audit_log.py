"""The audit log cannot be changed through the app: the walk (``walk.py``)
opens every route with every method as a user holding every role, on the
demo data, while watching the SQL; the log only grows.

The one page of the log (``admin.audit``) is read-only; tests/test_permissions.py
checks that only admins open it."""

from pathlib import Path

import pytest

from tests.security.walk import AUDIT_WRITE
from thinktank.paths import ROOT

FIELDS = ("id", "at", "user_id", "actor", "ip", "action", "target_type", "target_id", "payload")


def test_no_route_takes_put_patch_or_delete(app, site_walk):
    for rule in app.url_map.iter_rules():
        assert rule.methods <= {"GET", "HEAD", "OPTIONS", "POST"}, (rule.endpoint, rule.methods)
    answers = {(visit.body.decode(), visit.status) for visit in site_walk.other_methods
               if visit.body != b"POST"}
    assert {method for method, _status in answers} == {"PUT", "PATCH", "DELETE"}
    assert {status for _method, status in answers} == {405}


def test_every_post_route_was_tried(app, site_walk):
    posted = {visit.endpoint for visit in site_walk.other_methods if visit.body == b"POST"}
    expected = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posted == expected
    assert not [visit for visit in site_walk.other_methods if visit.status >= 500]


def test_no_request_changed_or_removed_an_audit_entry(site_walk):
    before, after = site_walk.audit_before, site_walk.audit_after
    assert len(before) > 100  # the demo's own history
    assert before.keys() <= after.keys(), "audit entries were deleted"
    changed = {entry_id: dict(zip(FIELDS, after[entry_id], strict=True))
               for entry_id in before if before[entry_id] != after[entry_id]}
    assert changed == {}
    assert len(after) > len(before)  # the walk's own acts were logged
    assert site_walk.audit_writes == []


@pytest.mark.parametrize(("statement", "is_write"), [
    ("UPDATE audit_entries SET actor=%(actor)s WHERE audit_entries.id = %(id)s", True),
    ("DELETE FROM audit_entries WHERE audit_entries.id IN (?)", True),
    ("\n  delete from audit_entries", True),
    ("TRUNCATE audit_entries", True),
    ("INSERT INTO audit_entries (at, actor) VALUES (?, ?)", False),
    ("UPDATE users SET session_token=? WHERE users.id = ?", False),
    ("SELECT audit_entries.id FROM audit_entries", False),
])
def test_the_watch_spots_writes_to_the_log(statement, is_write):
    assert bool(AUDIT_WRITE.match(statement)) is is_write


def test_the_code_writes_audit_entries_only_by_adding_them():
    """No module outside the audit package names the table in a write."""
    offenders = []
    for path in sorted((ROOT / "thinktank").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in ("update(AuditEntry", "delete(AuditEntry", "AuditEntry).delete",
                       "AuditEntry).update", "audit_entries"):
            if needle in text and not _is_definition(path, needle):
                offenders.append((str(path.relative_to(ROOT)), needle))
    assert offenders == []


def _is_definition(path: Path, needle: str) -> bool:
    """The model names its own table."""
    return path == ROOT / "thinktank" / "audit" / "models.py" and needle == "audit_entries"

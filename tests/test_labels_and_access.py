"""Display labels live in each area's ``labels.py`` and cover every value;
object permissions live in each area's ``access.py`` (docs/architecture.md)."""

import ast

import pytest

from thinktank.auth.labels import ROLE_LABELS
from thinktank.consultations.invitation_mail import MailKind
from thinktank.consultations.labels import (
    ATTENDANCE_LABELS,
    FREQUENCY_LABELS,
    INVITATION_STATUS_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    TOPIC_LABELS,
)
from thinktank.consultations.models import (
    Attendance,
    InvitationStatus,
    SeriesFrequency,
    SessionKind,
    SessionStatus,
    SessionTopic,
)
from thinktank.draws.labels import EXCLUSION_LABELS
from thinktank.draws.rules import ExclusionReason
from thinktank.experts.labels import STATUS_LABELS as EXPERT_STATUS_LABELS
from thinktank.experts.models import ExpertStatus
from thinktank.notices.labels import KIND_LABELS as NOTICE_KIND_LABELS
from thinktank.notices.models import NoticeKind
from thinktank.notifications.labels import KIND_LABELS as MAIL_KIND_LABELS
from thinktank.notifications.labels import STATUS_LABELS as OUTBOX_STATUS_LABELS
from thinktank.notifications.models import OutboxStatus
from thinktank.paths import ROOT
from thinktank.permissions import Role
from thinktank.reports.labels import STATUS_LABELS as DOCUMENT_STATUS_LABELS
from thinktank.reports.models import DocumentStatus
from thinktank.reviews import labels as review_labels
from thinktank.reviews.models import (
    AggregationRule,
    OpinionVerdict,
    PanelMemberSource,
    RoundStatus,
    SheetStatus,
)
from thinktank.reviews.rounds import TRANSITIONS

PACKAGE = ROOT / "thinktank"


@pytest.mark.parametrize("values, labels", [
    (Role, ROLE_LABELS),
    (SessionKind, KIND_LABELS),
    (SessionTopic, TOPIC_LABELS),
    (SessionStatus, STATUS_LABELS),
    (SeriesFrequency, FREQUENCY_LABELS),
    (InvitationStatus, INVITATION_STATUS_LABELS),
    (MailKind, MAIL_KIND_LABELS),
    (Attendance, ATTENDANCE_LABELS),
    (ExclusionReason, EXCLUSION_LABELS),
    (ExpertStatus, EXPERT_STATUS_LABELS),
    (NoticeKind, NOTICE_KIND_LABELS),
    (OutboxStatus, OUTBOX_STATUS_LABELS),
    (DocumentStatus, DOCUMENT_STATUS_LABELS),
    (RoundStatus, review_labels.STATUS_LABELS),
    (AggregationRule, review_labels.AGGREGATION_LABELS),
    (SheetStatus, review_labels.SHEET_STATUS_LABELS),
    (OpinionVerdict, review_labels.VERDICT_LABELS),
    (PanelMemberSource, review_labels.SOURCE_LABELS),
], ids=lambda item: getattr(item, "__name__", ""))
def test_every_value_has_a_label(values, labels):
    assert {value.value for value in values} <= set(labels)


def test_every_round_transition_has_a_button_label():
    transitions = {(current, target) for current, targets in TRANSITIONS.items()
                   for target in targets}
    assert transitions == set(review_labels.TRANSITION_LABELS)


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_labels_are_defined_only_in_labels_modules():
    strays = [
        f"{path.relative_to(ROOT)}: {target.id}"
        for path, tree in _modules() if path.name != "labels.py"
        for node in tree.body if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.endswith("_LABELS")
    ]
    assert strays == []


def test_object_permissions_are_defined_only_in_access_modules():
    strays = [
        f"{path.relative_to(ROOT)}: {node.name}"
        for path, tree in _modules() if path.name != "access.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("can_")
    ]
    assert strays == []

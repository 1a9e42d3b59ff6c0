"""The kinds of document the app issues: kind → template and context builder.

A domain that issues a document (a session's 咨询意见书, a review's 评审结果汇总表)
registers its kind here; the issuing, numbering, rendering, storage and
verification machinery in ``services`` is the same for all kinds.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from thinktank.reports import (
    application_opinion,
    expert_sheet,
    pool_statistics,
    results_summary,
    session_opinion,
)


@dataclass(frozen=True)
class DocumentKind:
    name: str
    label: str  # a lazy string: the kind as shown to the secretariat
    default_title: str  # a lazy string: the title proposed when issuing
    template: str  # under templates/, extending reports/base.html
    # Builds the template context from the subject's id (None for kinds
    # without a subject); raises NotFound for a subject that does not exist.
    build_context: Callable[[int | None], dict]
    subject_type: str | None = None


# IssuedDocument.subject_type values: what a document is about. The portal
# decides who may read a document from these.
SESSION_SUBJECT = "consultation_session"
ROUND_SUBJECT = "review_round"
APPLICATION_SUBJECT = "review_application"
GROUP_SUBJECT = "review_group"
MEMBER_SUBJECT = "review_panel_member"  # one expert's sheets of a round

KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    if kind.name in KINDS:
        raise ValueError(f"document kind {kind.name!r} is registered twice")
    KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> DocumentKind | None:
    return KINDS.get(name)


register(DocumentKind(
    name="pool_statistics",
    label=_l("Expert pool statistics"),
    default_title=_l("Composition of the expert consultation pool"),
    template="reports/pool_statistics.html",
    build_context=pool_statistics.build_context,
))

register(DocumentKind(
    name="session_opinion",
    label=_l("Consultation opinion"),
    default_title=_l("Consultation opinion"),
    template="reports/session_opinion.html",
    build_context=session_opinion.build_context,
    subject_type=SESSION_SUBJECT,
))

register(DocumentKind(
    name="application_opinion",
    label=_l("Expert review form"),
    default_title=_l("Expert review form"),
    template="reports/application_opinion.html",
    build_context=application_opinion.build_context,
    subject_type=APPLICATION_SUBJECT,
))

register(DocumentKind(
    name="round_results",
    label=_l("Summary of review results"),
    default_title=_l("Summary of review results"),
    template="reports/results_summary.html",
    build_context=results_summary.build_round_context,
    subject_type=ROUND_SUBJECT,
))

register(DocumentKind(
    name="group_results",
    label=_l("Summary of review results of a group"),
    default_title=_l("Summary of review results"),
    template="reports/results_summary.html",
    build_context=results_summary.build_group_context,
    subject_type=GROUP_SUBJECT,
))

register(DocumentKind(
    name="expert_sheet",
    label=_l("Expert's score sheet"),
    default_title=_l("Expert's score sheet"),
    template="reports/expert_sheet.html",
    build_context=expert_sheet.build_context,
    subject_type=MEMBER_SUBJECT,
))

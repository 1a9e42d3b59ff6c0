"""The kinds of document the app issues: kind → template and context builder.

A domain that issues a document (a session's 咨询意见书, a review's 评审结果汇总表)
registers its kind here; the issuing, numbering, rendering, storage and
verification machinery in ``services`` is the same for all kinds.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from thinktank.reports import pool_statistics


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

"""What the pages and documents call the review area's values: one label per
value (forms, views and documents read them from here)."""

from flask_babel import lazy_gettext as _l

from thinktank.reviews.models import (
    AggregationRule,
    OpinionVerdict,
    PanelMemberSource,
    RoundStatus,
    SheetStatus,
)

STATUS_LABELS = {
    RoundStatus.DRAFT: _l("Draft"),
    RoundStatus.SCORING: _l("Scoring"),
    RoundStatus.CLOSED: _l("Scoring closed"),
    RoundStatus.FINALIZED: _l("Finalized"),
    RoundStatus.PUBLISHED: _l("Published"),
}

# The buttons that move a round from one status to the next (``rounds.TRANSITIONS``).
TRANSITION_LABELS = {
    (RoundStatus.DRAFT, RoundStatus.SCORING): _l("Start scoring"),
    (RoundStatus.SCORING, RoundStatus.CLOSED): _l("Close scoring"),
    (RoundStatus.CLOSED, RoundStatus.SCORING): _l("Reopen scoring"),
    (RoundStatus.CLOSED, RoundStatus.FINALIZED): _l("Finalize the results"),
    (RoundStatus.FINALIZED, RoundStatus.PUBLISHED): _l("Publish"),
}

AGGREGATION_LABELS = {
    AggregationRule.TRIMMED_MEAN: _l("Trimmed mean (drop one highest and one lowest total)"),
    AggregationRule.MEAN: _l("Mean"),
    AggregationRule.MEDIAN: _l("Median"),
}

# The short headers of the results' columns of each rule's score (the round's rule
# is marked ``RULE_MARK``).
RULE_COLUMN_LABELS = {
    AggregationRule.MEAN: _l("Mean"),
    AggregationRule.TRIMMED_MEAN: _l("Trimmed mean"),
    AggregationRule.MEDIAN: _l("Median"),
}
RULE_MARK = _l("the round's rule")

# ``None``: no sheet yet.
SHEET_STATUS_LABELS = {
    None: _l("Not started"),
    SheetStatus.DRAFT: _l("Draft"),
    SheetStatus.SUBMITTED: _l("Submitted"),
    SheetStatus.CONFLICT: _l("Conflict declared"),
    SheetStatus.REOPENED: _l("Reopened"),
}

VERDICT_LABELS = {
    OpinionVerdict.CONFIRMED: _l("Confirmed"),
    OpinionVerdict.DISSENT: _l("Dissent (保留意见)"),
}

# How an expert came onto a panel (``PanelMember.source``).
SOURCE_LABELS = {
    PanelMemberSource.DRAW: _l("Random draw"),
    PanelMemberSource.MANUAL: _l("Added by hand"),
    PanelMemberSource.REPLACEMENT: _l("Replacement"),
}

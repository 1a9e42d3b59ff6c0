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

# What the confirmation page of each status change says: what will be locked,
# who will be notified, what cannot be undone (``TRANSITION_LABELS``' keys).
TRANSITION_CONSEQUENCES = {
    (RoundStatus.DRAFT, RoundStatus.SCORING): (
        _l("The criteria, the full mark and the list of applications: no application can be "
           "added, imported or removed any more."),
        _l("The panel members with sheets to do get scoring reminders 48 and 24 hours before "
           "the scoring deadline."),
        _l("The round cannot go back to draft."),
    ),
    (RoundStatus.SCORING, RoundStatus.CLOSED): (
        _l("The score sheets: experts can no longer save or submit them."),
        _l("Nobody; the pending scoring reminders are cancelled."),
        _l("Nothing yet: scoring can be reopened until the results are locked."),
    ),
    (RoundStatus.CLOSED, RoundStatus.SCORING): (
        _l("Nothing: experts can again save and submit the sheets they have not submitted."),
        _l("The panel members with sheets still to do get scoring reminders again before the "
           "scoring deadline."),
        _l("The results stay a draft; scoring can be closed again."),
    ),
    (RoundStatus.CLOSED, RoundStatus.FINALIZED): (
        _l("All score sheets and the results: no sheet can be changed or reopened and the round "
           "can no longer be edited."),
        _l("Nobody; officials see the results once they are published."),
        _l("The results cannot be unlocked and scoring cannot be reopened."),
    ),
    (RoundStatus.FINALIZED, RoundStatus.PUBLISHED): (
        _l("The results become the official results of the round."),
        _l("The officials: the results appear in their portal."),
        _l("Publication cannot be withdrawn."),
    ),
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

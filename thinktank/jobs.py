"""Every periodic job of the app, in one list: the scheduler
(``thinktank/scheduler.py``: ``flask scheduler run``, or inside ``flask run``)
registers these and nothing else.

A job is a function of its area, without arguments, that commits its own work
and logs what it did. The scheduler runs it in an app context of its own, or
in a request to ``SITE_URL`` when it builds links (``url_for(..., _external=True)``
needs a host); once when the scheduler starts, then at every interval. To add a
job, write the function in its area and add its entry here.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from thinktank.experts.terms import term_reminders_job
from thinktank.notifications.services import dispatch_job
from thinktank.records.reminders import rating_reminders_job
from thinktank.reports.background import render_pending_job

# APScheduler options: a run never overlaps the previous one (a slow dispatch
# pass waiting on SMTP timeouts), after a pause there is one catch-up run
# rather than one per missed interval, and a late run still runs.
ONE_AT_A_TIME = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}


@dataclass(frozen=True)
class Job:
    function: Callable[[], object]
    every: timedelta  # the interval trigger
    options: Mapping[str, object]  # passed to APScheduler's ``add_job``
    builds_links: bool = False  # runs in a request to SITE_URL (``site_context``)


# By id (the APScheduler job id).
JOBS: dict[str, Job] = {
    # Sends the outbox's due mails; each is claimed, so two schedulers are safe.
    "outbox-dispatch": Job(dispatch_job, timedelta(minutes=1), ONE_AT_A_TIME),
    # The date-driven reminders; each is keyed in the outbox, so it is queued once.
    "term-reminders": Job(term_reminders_job, timedelta(hours=1), ONE_AT_A_TIME,
                          builds_links=True),
    "rating-reminders": Job(rating_reminders_job, timedelta(hours=1), ONE_AT_A_TIME,
                            builds_links=True),
    # Documents whose render was lost with its process; each render is claimed,
    # so one in progress elsewhere is not rendered twice.
    "render-pending": Job(render_pending_job, timedelta(minutes=5), ONE_AT_A_TIME),
}

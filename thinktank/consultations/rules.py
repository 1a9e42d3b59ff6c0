"""Pure rules of consultation sessions: recurrence."""

from datetime import date, datetime, time

from dateutil.rrule import MONTHLY, WEEKLY, rrule

from thinktank.consultations.models import SeriesFrequency

# (rrule frequency, months or weeks per step): a quarter is three months.
FREQUENCIES = {
    SeriesFrequency.WEEKLY: (WEEKLY, 1),
    SeriesFrequency.MONTHLY: (MONTHLY, 1),
    SeriesFrequency.QUARTERLY: (MONTHLY, 3),
}


def occurrence_starts(
    first: datetime,
    frequency: SeriesFrequency,
    interval: int,
    *,
    count: int | None = None,
    until: date | None = None,
    limit: int,
) -> list[datetime]:
    """Wall-clock starts of a series beginning at ``first`` (naive, display zone).

    Recurring on local wall-clock time keeps a 09:00 meeting at 09:00 whatever
    the zone does. A monthly series started on the 29th to 31st falls on the
    month's last day in shorter months (31 Jan, 28 Feb, 31 Mar), where a plain
    rrule would skip those months. At most ``limit + 1`` starts are returned,
    so that a caller can tell a series that is too long.
    """
    freq, step = FREQUENCIES[frequency]
    options: dict = {"dtstart": first, "interval": interval * step}
    if count is not None:
        options["count"] = min(count, limit + 1)
    if until is not None:
        options["until"] = datetime.combine(until, time.max)
    if freq == MONTHLY and first.day > 28:
        options["bymonthday"] = tuple(range(28, first.day + 1))
        options["bysetpos"] = -1
    starts = []
    for start in rrule(freq, **options):
        starts.append(start)
        if len(starts) > limit:
            break
    return starts

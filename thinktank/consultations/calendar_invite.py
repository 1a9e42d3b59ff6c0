"""The iCalendar (.ics) invite of a session for one invitee (RFC 5545/5546).

No Flask imports: the caller passes the zone, the addresses and the links.
One UID per session for its whole life and a SEQUENCE raised on every change,
so a calendar replaces the invite it holds; ``CANCEL`` with the same UID
removes it.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from thinktank.notifications.models import CalendarMethod

PRODID = "-//Biomanufacturing Expert Think Tank//thinktank//ZH"


@dataclass(frozen=True)
class InviteDetails:
    """What the invite states; times are aware (any zone)."""

    uid: str
    sequence: int
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str
    location: str
    url: str | None
    organizer_email: str
    organizer_name: str
    attendee_email: str
    attendee_name: str


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def build_invite(details: InviteDetails, method: CalendarMethod, zone: ZoneInfo,
                 stamp: datetime) -> str:
    """The calendar text for ``method`` (REQUEST or CANCEL), with the times
    given in ``zone`` (TZID plus its VTIMEZONE) so clients show local time."""
    cancel = method is CalendarMethod.CANCEL
    event = Event.new(
        uid=details.uid,
        sequence=details.sequence,
        stamp=stamp,
        start=details.starts_at.astimezone(zone),
        end=details.ends_at.astimezone(zone),
        summary=details.title,
        description=details.description,
        location=details.location,
        url=details.url,
        organizer=_address(details.organizer_email, details.organizer_name),
        attendees=[
            _address(
                details.attendee_email, details.attendee_name,
                ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", CUTYPE="INDIVIDUAL",
            )
        ],
        status="CANCELLED" if cancel else "CONFIRMED",
    )
    # Built by hand: ``Calendar.new`` would add a random calendar UID beside the event's.
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method.value)
    calendar.add_component(Timezone.from_tzid(zone.key))
    calendar.add_component(event)
    return calendar.to_ical().decode()

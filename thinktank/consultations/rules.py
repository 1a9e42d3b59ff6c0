"""Pure rules of consultation sessions: recurrence and the file types of materials."""

import io
import zipfile
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


class MaterialType:
    """An accepted file type: its MIME type and the file name endings that go with it."""

    def __init__(self, mimetype: str, extensions: tuple[str, ...]):
        self.mimetype = mimetype
        self.extensions = extensions


PDF = MaterialType("application/pdf", (".pdf",))
DOCX = MaterialType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
)
XLSX = MaterialType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = MaterialType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)
)
PNG = MaterialType("image/png", (".png",))
JPEG = MaterialType("image/jpeg", (".jpg", ".jpeg"))
GIF = MaterialType("image/gif", (".gif",))
WEBP = MaterialType("image/webp", (".webp",))

# Office Open XML files are zip archives told apart by their main folder.
OFFICE_FOLDERS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))


def material_type(data: bytes) -> MaterialType | None:
    """The type of a file judged by its content (never by its name), or None
    when it is not one of the accepted types."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return None


def _office_type(data: bytes) -> MaterialType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    for folder, kind in OFFICE_FOLDERS:
        if any(name.startswith(folder) for name in names):
            return kind
    return None

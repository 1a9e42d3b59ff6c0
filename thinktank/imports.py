"""Excel imports on the web and CLI side: the wording of problems and the
uploads kept between a preview and its confirmation.

Every import template (experts, project applications) reads its workbook with
``thinktank.spreadsheets``; this module says its findings in the user's
language and stashes the file the user is asked to confirm.
"""

import contextlib
import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from thinktank.spreadsheets import Problem, Reason
from thinktank.storage import write_new_file

REASON_TEXTS = {
    Reason.NOT_XLSX: _l("Only .xlsx files (Excel workbooks) can be imported."),
    Reason.TOO_LARGE: _l("The file is larger than %(megabytes)s MB."),
    Reason.EXPANDS_TOO_MUCH: _l(
        "The file unpacks to far more data than such a list holds and was refused."
    ),
    Reason.UNREADABLE: _l(
        "The file is not a readable .xlsx workbook (it may be damaged, or another format "
        "renamed to .xlsx). Save it in Excel as an Excel Workbook (*.xlsx) and try again."
    ),
    Reason.NO_ROWS: _l("The file has no data rows below the header row."),
    Reason.MISSING_COLUMN: _l("This required column is missing from the header row."),
    Reason.REPEATED_COLUMN: _l("This column appears more than once in the header row."),
    Reason.UNKNOWN_COLUMN: _l("This column is not in the template and was ignored."),
    Reason.REQUIRED: _l("This cell is required."),
    Reason.TOO_LONG: _l("At most %(limit)d characters."),
    Reason.GENDER: _l("Enter one of: %(choices)s."),
    Reason.BIRTH_YEAR: _l("Enter a four-digit year from %(first)d to %(last)d."),
    Reason.CATEGORY: _l("Enter one of: %(choices)s."),
    Reason.UNKNOWN_FIELD: _l(
        "Unknown expertise field: %(names)s. Separate several fields with 、 , ; or /."
    ),
    Reason.CITY: _l("Enter a Jiangxi prefecture city (e.g. 南昌 or 南昌市) or 省外."),
    Reason.MOBILE: _l("A mainland mobile number has 11 digits and starts with 1."),
    Reason.EMAIL: _l("This is not a valid email address."),
    Reason.DATE: _l(
        "Not a date. Use a date cell or write e.g. 2025-01-01, 2025/1/1, 2025.1.1 or 2025年1月1日."
    ),
    Reason.TERM_ORDER: _l("The term cannot end before it starts."),
    Reason.SAME_AS_ROW: _l("Row %(row)d has the same value: one row per expert."),
    Reason.CONTACT_OF_OTHER_EXPERT: _l(
        "This belongs to expert %(code)s (%(name)s), not to the expert this row names."
    ),
    Reason.SAME_EXPERT_AS_ROW: _l("Row %(row)d already names the same expert (%(code)s)."),
    Reason.RETIRED_FIELD: _l("Expertise field no longer in use: %(names)s."),
    Reason.DIRECTION: _l("Enter one of: %(choices)s."),
    Reason.INVESTMENT: _l(
        "Enter the amount in 10,000 yuan as a number of at least 0 with at most 2 decimals."
    ),
    Reason.PHONE: _l(
        "Enter a mainland mobile number (11 digits) or a landline number such as 0791-88888888."
    ),
    Reason.SAME_NUMBER_AS_ROW: _l("Row %(row)d has the same application number."),
    Reason.NUMBER_TAKEN: _l("The round already has an application with this number."),
}

UPLOAD_TOKEN = re.compile(r"[0-9a-f]{32}")
# A preview that is never confirmed leaves its file behind; clear such files after a day.
STALE_UPLOAD_SECONDS = 24 * 3600


def describe(reason: Reason, params: dict | None = None) -> str:
    """A reason in the current user's language."""
    text = str(REASON_TEXTS[reason])
    return text % params if params else text


def problem_line(problem: Problem) -> str:
    """``row N, COLUMN: reason``, as the CLI prints it."""
    return f"row {problem.row}, {problem.column}: {describe(problem.reason, problem.params)}"


def _imports_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "imports"


def stash_upload(data: bytes) -> str:
    """Keep an uploaded workbook between preview and confirmation; returns its token."""
    directory = _imports_dir()
    token = secrets.token_hex(16)
    write_new_file(directory, f"{token}.xlsx", data)
    cutoff = time.time() - STALE_UPLOAD_SECONDS
    for old in directory.iterdir():
        with contextlib.suppress(FileNotFoundError):  # another request may be clearing too
            if old.stat().st_mtime < cutoff:
                old.unlink()
    return token


def claim_upload(token: str) -> bytes | None:
    """Take a stashed workbook, once: ``None`` if it is gone or already taken.

    The rename is atomic, so of two confirmations of one preview only one
    gets the file; the file is deleted either way."""
    if not UPLOAD_TOKEN.fullmatch(token):
        return None
    directory = _imports_dir()
    claimed = directory / f"{token}.{secrets.token_hex(8)}.claimed"
    try:
        os.rename(directory / f"{token}.xlsx", claimed)
    except FileNotFoundError:
        return None
    try:
        return claimed.read_bytes()
    finally:
        claimed.unlink()


def discard_upload(token: str) -> None:
    """Delete a stashed workbook that will not be confirmed."""
    if UPLOAD_TOKEN.fullmatch(token):
        (_imports_dir() / f"{token}.xlsx").unlink(missing_ok=True)


# Control and format characters (NUL, line breaks, the bidi overrides that
# disguise an extension) never belong in a file name; PostgreSQL refuses NUL.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def client_filename(name: str | None, limit: int = 100) -> str:
    """The base name of an uploaded file as the browser sent it, without
    control characters and bounded in length: it is only shown back, kept
    in the session cookie and given back as the download name."""
    return re.split(r"[\\/]", UNPRINTABLE.sub("", name or ""))[-1][-limit:]

"""Pure normalisation and validation rules for expert data.

Shared by the web forms and the Excel import, so a value accepted in one is
accepted in the other. No Flask imports: messages are returned as lazy
strings by the callers that show them.
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass
class ExpertData:
    """The editable facts of an expert, normalised."""

    name: str
    organisation: str
    category: str
    city: str
    mobile: str
    email: str
    field_names: list[str] = field(default_factory=list)
    gender: str | None = None
    birth_year: int | None = None
    title: str | None = None
    position: str | None = None
    term_start: date | None = None
    term_end: date | None = None
    notes: str | None = None

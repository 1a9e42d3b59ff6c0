"""Which characters the configured report fonts can draw.

WeasyPrint (through Pango) quietly prints an empty box, or a glyph from some
unrelated system font, for a character the configured fonts lack. Before a
document is issued its text is checked against the character maps of the
configured families, so a rare name character is reported instead.

Font files are found with fontconfig (as WeasyPrint finds them) and their
character maps read with fontTools; both are cached for the life of the process.
"""

import subprocess
import unicodedata
from functools import lru_cache

from flask_babel import gettext as _
from fontTools.ttLib import TTFont

from thinktank.errors import DomainError

# The faces a report uses: body text regular, titles and table heads bold.
STYLES = ("Regular", "Bold")
# Not drawn, so not looked up: control and format characters (line breaks, ZWJ...).
UNDRAWN_CATEGORIES = frozenset({"Cc", "Cf"})


class FontNotInstalled(DomainError):
    """A configured report font family is not installed on the server."""

    def __init__(self, family: str):
        super().__init__(_(
            "The report font family “%(family)s” is not installed on the server: ask the "
            "administrator to install it or to correct REPORT_FONT_SERIF / REPORT_FONT_SANS.",
            family=family,
        ))
        self.family = family


@lru_cache(maxsize=32)
def font_file(family: str, style: str) -> tuple[str, int]:
    """The file and face index fontconfig picks for ``family`` in ``style``.

    fontconfig always answers with some font, so the answer is only accepted
    when one of its family names is the one asked for."""
    result = subprocess.run(
        ["fc-match", "-f", "%{file}\t%{index}\t%{family}", f"{family}:style={style}"],
        capture_output=True, text=True, check=True, timeout=30,
    )
    path, index, families = result.stdout.split("\t", 2)
    if family.casefold() not in {name.strip().casefold() for name in families.split(",")}:
        raise FontNotInstalled(family)
    return path, int(index)


@lru_cache(maxsize=32)
def _code_points(path: str, index: int) -> frozenset[int]:
    # A .ttc holds several faces (Noto CJK: JP, KR, SC, TC, HK); read the one asked for.
    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


@lru_cache(maxsize=8)
def covered_code_points(families: tuple[str, ...]) -> frozenset[int]:
    """Code points that at least one face of ``families`` can draw."""
    covered: set[int] = set()
    for family in families:
        for style in STYLES:
            covered |= _code_points(*font_file(family, style))
    return frozenset(covered)


def uncovered_characters(text: str, families: tuple[str, ...] | list[str]) -> list[str]:
    """The distinct characters of ``text`` that no face of ``families`` covers, sorted."""
    covered = covered_code_points(tuple(families))
    return sorted(
        {
            char for char in text
            if ord(char) not in covered
            and not char.isspace()
            and unicodedata.category(char) not in UNDRAWN_CATEGORIES
        }
    )

"""Text normalisation shared by imports, searches and avoidance rules."""

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_SPACES = re.compile(r"\s+")


def fold(value: str | None) -> str:
    """Trim and fold full-width characters to half-width (NFKC), spaces squeezed.

    ``"　江西 生物 "`` and ``"江西 生物"`` fold to the same text; so do
    ``"ＡＢＣ１２３"`` and ``"ABC123"``.
    """
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


def organisation_key(name: str | None) -> str:
    """The form in which organisation names are compared (avoidance rules)."""
    return fold(name).replace(" ", "").casefold()


def pinyin_index(name: str) -> str:
    """Searchable pinyin of a name: full syllables and initials, e.g.
    ``"张三"`` → ``"zhangsan zs"``. Rare characters unknown to pypinyin are kept."""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="default")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return f"{''.join(syllables)} {''.join(initials)}".lower()

"""Text normalisation shared by imports, searches and avoidance rules."""

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_SPACES = re.compile(r"\s+")
# The lengths of the columns that keep these keys. Casefolding ("ß" → "ss") and
# pinyin (one character, up to six letters) make a key longer than its name.
ORGANISATION_KEY_LIMIT = 100
PINYIN_INDEX_LIMIT = 255


def fold(value: str | None) -> str:
    """Trim and fold full-width characters to half-width (NFKC), spaces squeezed.

    ``"　江西 生物 "`` and ``"江西 生物"`` fold to the same text; so do
    ``"ＡＢＣ１２３"`` and ``"ABC123"``.
    """
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


def organisation_key(name: str | None) -> str:
    """The form in which organisation names are compared (avoidance rules),
    cut to ``ORGANISATION_KEY_LIMIT``: names equal that far count as the same."""
    return fold(name).replace(" ", "").casefold()[:ORGANISATION_KEY_LIMIT]


def pinyin_index(name: str) -> str:
    """Searchable pinyin of a name: full syllables and initials, e.g.
    ``"张三"`` → ``"zhangsan zs"``. Rare characters unknown to pypinyin are kept.
    Cut to ``PINYIN_INDEX_LIMIT``: a name that long is found by its beginning."""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="default")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return f"{''.join(syllables)} {''.join(initials)}".lower()[:PINYIN_INDEX_LIMIT]

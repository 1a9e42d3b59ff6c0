"""Text normalisation shared by forms, imports, searches and avoidance rules.

What users type is stored as they typed it, only tidied (``tidy``): a
round named "（测试）" keeps its full-width brackets in pages and documents.
Folding (``fold``: full-width to half-width) is for the keys that compare
texts: organisation keys, searches, import matching, codes and numbers.
"""

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_SPACES = re.compile(r"\s+")
# Characters Windows refuses in a file name (macOS and Linux refuse fewer), and
# the C0 and C1 control characters.
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f]')
FILE_NAME_LIMIT = 100
# The lengths of the columns that keep these keys. Casefolding ("ß" → "ss") and
# pinyin (one character, up to six letters) make a key longer than its name.
ORGANISATION_KEY_LIMIT = 100
PINYIN_INDEX_LIMIT = 255


def tidy(value: str | None) -> str:
    """Display text as stored: trimmed, any run of white space (full-width
    spaces and line breaks included) made one space, every other character as
    typed: ``" （测试）\n轮次 "`` → ``"（测试） 轮次"``."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value)).strip()


def fold(value: str | None) -> str:
    """Trim and fold full-width characters to half-width (NFKC), spaces squeezed.

    ``"　江西 生物 "`` and ``"江西 生物"`` fold to the same text; so do
    ``"ＡＢＣ１２３"`` and ``"ABC123"``.
    """
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


def file_name(text: str) -> str:
    """``text`` made into the name of a downloaded file (without its extension):
    characters that file systems refuse become ``_``, spaces are squeezed, and
    the name is cut to ``FILE_NAME_LIMIT``. What users typed otherwise stays,
    full-width punctuation included."""
    name = _NOT_IN_FILE_NAMES.sub("_", _SPACES.sub(" ", text)).strip(" .")
    return name[:FILE_NAME_LIMIT] or "_"


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

"""The glyph coverage check against the real installed fonts."""

import subprocess

import pytest

from thinktank.reports.fonts import FontNotInstalled, font_file, uncovered_characters
from thinktank.reports.services import document_text

DEFAULT = ("Noto Serif CJK SC", "Noto Sans CJK SC")


def test_default_fonts_cover_chinese_and_rare_name_characters():
    assert uncovered_characters("江西省生物制造 堃喆燊 〔2026〕3号 — 1 — ABC", DEFAULT) == []


def test_characters_outside_the_fonts_are_reported_once_and_sorted():
    # U+E000 is a private-use code point; U+20000 is CJK Extension B, not in Noto CJK SC.
    text = "王\ue000明\U00020000\ue000"
    assert uncovered_characters(text, DEFAULT) == ["\ue000", "\U00020000"]


def test_a_latin_only_family_misses_chinese():
    family = "DejaVu Sans"  # bin/test installs fonts-dejavu-core
    assert family in subprocess.run(["fc-list", ":", "family"], capture_output=True,
                                    text=True).stdout
    assert uncovered_characters("Report 堃 No. 3", (family,)) == ["堃"]


def test_the_sc_face_of_a_collection_is_read():
    path, index = font_file("Noto Serif CJK SC", "Regular")
    assert path.endswith(".ttc")
    assert index != 0  # face 0 of the collection is the Japanese one


def test_a_family_that_is_not_installed_is_a_clear_error():
    with pytest.raises(FontNotInstalled, match="No Such Font Family"):
        uncovered_characters("a", ("No Such Font Family",))


def test_document_text_is_what_is_drawn():
    html = ("<html><head><style>p { content: '\ue000'; }</style></head>"
            "<body><p>A&amp;B 堃</p></body></html>")
    text = document_text(html)
    assert "A&B 堃" in text
    assert "\ue000" not in text and "content" not in text
    assert "—" in text  # the page-number dashes are checked as well

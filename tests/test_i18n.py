from thinktank.i18n import compile_catalogs, source_messages, untranslated
from thinktank.paths import TRANSLATIONS


def test_every_ui_message_has_a_chinese_translation():
    assert len(source_messages()) > 100  # the extraction itself works
    missing = untranslated("zh_CN")
    assert missing == {}, "untranslated messages:\n" + "\n".join(
        f"{where}: {msgid}" for msgid, where in sorted(missing.items(), key=lambda i: i[1]))


def test_catalogs_compile():
    assert compile_catalogs(TRANSLATIONS) >= 1

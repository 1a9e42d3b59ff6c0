from thinktank.i18n import catalogs, compile_catalogs, source_messages, untranslated
from thinktank.paths import ROOT, TRANSLATIONS


def test_every_ui_message_has_a_chinese_translation():
    assert len(source_messages()) > 100  # the extraction itself works
    missing = untranslated("zh_CN")
    assert missing == {}, "untranslated messages:\n" + "\n".join(
        f"{where}: {msgid}" for msgid, where in sorted(missing.items(), key=lambda i: i[1]))


def test_catalogs_compile():
    assert compile_catalogs(TRANSLATIONS) >= 1


def test_one_catalog_per_package_and_each_message_in_one_catalog():
    """translations/<package>/ for each package of thinktank that has UI text,
    core/ for the shared modules; a message translated in two catalogs would
    depend on which catalog Flask-Babel merges last."""
    packages = {path.parent.name for path in (ROOT / "thinktank").glob("*/__init__.py")}
    seen: dict[str, str] = {}
    for po_file, catalog in catalogs("zh_CN"):
        name = po_file.parents[2].name
        assert name in packages | {"core"}, f"{name} is not a package of thinktank"
        for message in catalog:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            if msgid:
                assert msgid not in seen, f"{msgid!r} is in {seen[msgid]} and {name}"
                seen[msgid] = name

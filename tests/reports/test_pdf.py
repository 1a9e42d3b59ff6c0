"""The pool statistics document as a real PDF, read back with poppler-utils."""

import re
import shutil
import subprocess

from thinktank.extensions import db
from thinktank.reports import services

from .helpers import RARE_NAMES, pdf_fonts, pdf_info, pdf_text, poppler


def rendered_statistics(make_expert, count: int = 40):
    # Enough experts for the annex to run over several pages.
    for number in range(count):
        make_expert(name=f"测试专家{number}", city="上饶", category="行业协会")
    document = services.request_issue("pool_statistics", None, "专家库构成统计表")
    db.session.commit()
    return services.render_document(document.id)


def test_pool_statistics_pdf_has_the_text_numbers_and_embedded_cjk_fonts(
    pool, make_expert, tmp_path
):
    document = rendered_statistics(make_expert)
    text = pdf_text(document.pdf, tmp_path)
    for expected in ("专家库构成统计表", "按单位类别统计", "在库专家名单", "内部资料 注意保密",
                     "江西省生物制造产业发展专家咨询库秘书处", *RARE_NAMES, document.number,
                     document.display_code, services.issued_on(document), "制表人"):
        assert expected in text, expected
    assert re.search(r"—\s*1\s*—", text) and re.search(r"—\s*3\s*—", text)
    assert "46" in text  # 6 + 40 active experts in the total row

    fonts = pdf_fonts(document.pdf, tmp_path)
    assert fonts, "no fonts in the PDF"
    assert all(font["emb"] == "yes" for font in fonts), fonts
    names = {font["name"].split("+")[-1] for font in fonts}
    assert any("Serif-CJK-SC" in name for name in names), names
    assert any("Sans-CJK-SC-Bold" in name for name in names), names

    pages, size = pdf_info(document.pdf, tmp_path)
    assert pages == document.page_count and pages >= 3
    assert size.startswith("595.2") and "x 841.8" in size  # A4 in points


def test_table_heads_repeat_on_every_page_of_the_annex(pool, make_expert, tmp_path):
    document = rendered_statistics(make_expert, count=60)
    pages = pdf_text(document.pdf, tmp_path).split("\f")
    annex_pages = [page for page in pages if "测试专家" in page]
    assert len(annex_pages) >= 2
    assert all("序号" in page and "工作单位" in page for page in annex_pages)


def test_page_one_screenshot(pool, make_expert, tmp_path, screenshots):
    """Page 1 as PNG for the documentation (report-pool.png in ``screenshots``)."""
    document = rendered_statistics(make_expert, count=10)
    source = tmp_path / "pool.pdf"
    source.write_bytes(document.pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(source),
                    str(tmp_path / "page")], check=True, timeout=60)
    image = tmp_path / "page.png"
    assert image.read_bytes().startswith(b"\x89PNG")
    shutil.copyfile(image, screenshots / "report-pool.png")


# 21 characters of the title's size fill one line of the type area and leave
# one over; 41 fill two and leave one.
LONG_TITLES = ["关于生物制造产业发展规划编制工作咨询意见书",
               "关于江西省生物制造产业发展规划编制与重点项目布局及配套政策措施研究工作的咨询意见书"]


def test_a_title_never_leaves_one_character_on_its_last_line(pool, tmp_path):
    assert [len(title) for title in LONG_TITLES] == [21, 41]
    for title in LONG_TITLES:
        document = services.request_issue("pool_statistics", None, title)
        db.session.commit()
        document = services.render_document(document.id)
        first_page = poppler("pdftotext", document.pdf, tmp_path, "-layout", "-l", "1")
        lines = [line.strip() for line in first_page.splitlines() if line.strip()]
        # The title's lines follow the document number.
        title_lines = lines[lines.index(document.number) + 1:]
        while "".join(title_lines) != title:
            title_lines.pop()
        assert len(title_lines) >= 2 and len(title_lines[-1]) >= 2, title_lines

"""The server-side SVG bar charts."""

import xml.etree.ElementTree as ET

from thinktank.portal.charts import WIDTH, bar_chart, fit_label

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_one_bar_per_row_with_its_label_count_and_title():
    svg = _parse(bar_chart("c", "按单位类别", [("高校院所", 4), ("链主企业", 2), ("其他", 0)],
                           "共 6 位在库专家"))
    assert svg.get("viewBox") == f"0 0 {WIDTH} {3 * 26 + 8}"
    assert svg.get("width") == "100%" and svg.get("height") is None
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "c-title c-desc"
    assert svg.find(f"{SVG}title").text == "按单位类别"
    assert svg.find(f"{SVG}desc").text == "共 6 位在库专家"
    bars = svg.findall(f"{SVG}g")
    titles = [bar.find(f"{SVG}title").text for bar in bars]
    assert titles == ["高校院所: 4", "链主企业: 2", "其他: 0"]
    texts = [[text.text for text in bar.findall(f"{SVG}text")] for bar in bars]
    assert texts == [["高校院所", "4"], ["链主企业", "2"], ["其他", "0"]]
    widths = [float(bar.find(f"{SVG}rect").get("width")) for bar in bars]
    assert widths[0] == 2 * widths[1] > 0 and widths[2] == 0
    # the longest bar and its count stay inside the viewBox
    rect = bars[0].find(f"{SVG}rect")
    assert float(rect.get("x")) + widths[0] < WIDTH - 20


def test_labels_and_titles_are_escaped():
    evil = '<script>alert("x")</script>&'
    markup = str(bar_chart('x"><script>', evil, [(evil, 1)], evil))
    assert "<script>" not in markup
    svg = _parse(markup)  # still well-formed XML
    assert svg.find(f"{SVG}title").text == evil
    assert svg.find(f"{SVG}g/{SVG}title").text == f"{evil}: 1"


def test_long_labels_are_cut_but_keep_their_full_title():
    label = "生物制造数字化与智能制造及工程化"
    svg = _parse(bar_chart("c", "t", [(label, 3)]))
    shown = svg.find(f"{SVG}g/{SVG}text").text
    assert shown.endswith("…") and label.startswith(shown[:-1]) and len(shown) < len(label)
    assert svg.find(f"{SVG}g/{SVG}title").text == f"{label}: 3"
    assert fit_label("数字化与智能制造") == "数字化与智能制造"  # the longest seeded field fits
    assert fit_label("Contract research org") != "Contract research org"


def test_an_empty_chart_is_still_valid():
    svg = _parse(bar_chart("c", "空", []))
    assert svg.findall(f"{SVG}g") == [] and svg.get("viewBox") == f"0 0 {WIDTH} 34"

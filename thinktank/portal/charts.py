"""Horizontal bar charts as inline SVG, drawn on the server (no script, no CDN).

The chart has a viewBox and no fixed size, so it scales to its container (a
390-px phone screen included). Every text is escaped; each bar carries a
``<title>`` with its label and count, and the chart a ``<title>`` and
``<desc>`` for screen readers.
"""

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 360  # viewBox units; the chart is drawn at the width of its container
LABEL_WIDTH = 112  # left column for the labels
VALUE_WIDTH = 40  # right of the longest bar, for its count
ROW_HEIGHT = 26
BAR_HEIGHT = 18
FONT_SIZE = 12
PADDING = 4


def _text_width(text: str) -> float:
    """Rough drawn width in font sizes: CJK and other wide characters take a
    full em, Latin letters and digits about 0.6."""
    return sum(1.0 if ord(char) > 0x2E7F else 0.6 for char in text)


def fit_label(label: str, width: float = LABEL_WIDTH - PADDING * 2) -> str:
    """``label``, cut with an ellipsis if it would not fit ``width`` units."""
    limit = width / FONT_SIZE
    if _text_width(label) <= limit:
        return label
    kept = ""
    for char in label:
        if _text_width(kept + char) > limit - 1:
            break
        kept += char
    return kept + "…"


def bar_chart(
    chart_id: str, title: str, bars: Sequence[tuple[str, int]], description: str = ""
) -> Markup:
    """An SVG bar chart of (label, value) ``bars``, one row each, the longest
    bar for the largest value.

    ``chart_id`` makes the ids of the title and description unique in the page."""
    height = max(len(bars), 1) * ROW_HEIGHT + PADDING * 2
    largest = max((value for _, value in bars), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    cid = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" class="portal-chart" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-size="{FONT_SIZE}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
    ]
    for index, (label, value) in enumerate(bars):
        top = PADDING + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        length = round(room * value / largest, 1)
        parts.append(
            f'<g class="bar"><title>{escape(label)}: {int(value)}</title>'
            f'<text x="{LABEL_WIDTH - PADDING}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(fit_label(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{middle - BAR_HEIGHT / 2}" width="{length}" '
            f'height="{BAR_HEIGHT}" fill="#0d6efd"/>'
            f'<text x="{LABEL_WIDTH + length + PADDING}" y="{middle}" '
            f'dominant-baseline="middle">{int(value)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))

"""Helpers for the report tests: a small pool with rare name characters and
readers of real PDFs through poppler-utils."""

import re
import subprocess
from pathlib import Path

import pytest

RARE_NAMES = ("王堃", "李喆", "陈燊")


@pytest.fixture(autouse=True)
def render_in_request(app, monkeypatch):
    """Render at once inside the request, so tests see the PDF without waiting;
    the background test switches the executor back on."""
    monkeypatch.setitem(app.config, "REPORT_RENDER_IN_BACKGROUND", False)


@pytest.fixture
def pool(make_expert):
    """Active experts in several categories, fields and cities, three with rare characters."""
    experts = [
        make_expert(name=RARE_NAMES[0], category="高校院所", city="南昌", field_names=["生物医药"]),
        make_expert(name=RARE_NAMES[1], category="链主企业", city="赣州",
                    field_names=["生物医药", "酶制剂"]),
        make_expert(name=RARE_NAMES[2], category="链主企业", city="九江", field_names=["新食品"]),
    ]
    experts += [
        make_expert(category="高成长企业", city="宜春", field_names=["生物化工"]) for _ in range(3)
    ]
    return experts


def _poppler(tool: str, data: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / f"{tool}-input.pdf"
    path.write_bytes(data)
    result = subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout


def pdf_text(data: bytes, tmp_path: Path) -> str:
    return _poppler("pdftotext", data, tmp_path)


def pdf_fonts(data: bytes, tmp_path: Path) -> list[dict]:
    """pdffonts rows: name and the emb/sub/uni flags."""
    lines = _poppler("pdffonts", data, tmp_path).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name ... emb sub uni object-id generation
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def pdf_info(data: bytes, tmp_path: Path) -> tuple[int, str]:
    """The page count and page size (in points) pdfinfo reports."""
    info = _poppler("pdfinfo", data, tmp_path)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    size = re.search(r"^Page size:\s+(.+)$", info, re.MULTILINE).group(1)
    return pages, size

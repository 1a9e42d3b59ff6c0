"""The report tests' rare name characters, and readers of real PDFs through
poppler-utils."""

import re
import subprocess
from pathlib import Path

RARE_NAMES = ("王堃", "李喆", "陈燊")


def poppler(tool: str, data: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / f"{tool}-input.pdf"
    path.write_bytes(data)
    result = subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout


def pdf_text(data: bytes, tmp_path: Path) -> str:
    return poppler("pdftotext", data, tmp_path)


def pdf_fonts(data: bytes, tmp_path: Path) -> list[dict]:
    """pdffonts rows: name and the emb/sub/uni flags."""
    lines = poppler("pdffonts", data, tmp_path).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name ... emb sub uni object-id generation
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def pdf_info(data: bytes, tmp_path: Path) -> tuple[int, str]:
    """The page count and page size (in points) pdfinfo reports."""
    info = poppler("pdfinfo", data, tmp_path)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    size = re.search(r"^Page size:\s+(.+)$", info, re.MULTILINE).group(1)
    return pages, size

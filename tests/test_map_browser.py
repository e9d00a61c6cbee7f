"""The html map in a real headless Chromium, opened from disk: a screenshot at a laptop's size and
the DOM the browser built, which must show every feature and every count of the JSON map."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from map_support import map_json, project, run

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    message = "Chromium is not installed (apt-get install chromium)"
    if os.environ.get("FLAKE8_DDD_REQUIRE_TOOLS"):
        pytest.fail(message)
    pytest.skip(message)


def chromium(page: Path, profile: Path, *mode: str) -> subprocess.CompletedProcess:
    command = [browser(), "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", f"--user-data-dir={profile}", "--window-size=1366,900",
               *mode, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=str(profile))


class Cells(HTMLParser):
    """The rows of features and the cells of the map table, as the browser laid them out."""

    def __init__(self) -> None:
        super().__init__()
        self.features: List[str] = []
        self.cells: Dict[str, Tuple[int, int]] = {}
        self.totals: List[int] = []
        self.summary: Optional[int] = None
        self.anchors: set = set()
        self.links: set = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "tr" and "data-feature" in found:
            self.features.append(found["data-feature"])
        if tag == "td" and "data-cell" in found:
            self.cells[found["data-cell"]] = (int(found["data-files"]), int(found["data-findings"]))
        if tag == "td" and "data-total" in found:
            self.totals.append(int(found["data-total"]))
        if found.get("id") == "summary":
            self.summary = int(found["data-findings"])
        if "id" in found:
            self.anchors.add(found["id"])
        if tag == "a" and (found.get("href") or "").startswith("#"):
            self.links.add(found["href"][1:])


def png_size(path: Path) -> Tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_page_shows_every_feature_and_count(tmp_path: Path) -> None:
    root = project(tmp_path / "shop")
    page = tmp_path / "map.html"
    page.write_text(run("map", ["--output-format", "html"], root).stdout, encoding="utf-8")
    document = map_json(root)
    profile = tmp_path / "profile"
    profile.mkdir()
    shot = tmp_path / "map.png"
    done = chromium(page, profile, f"--screenshot={shot}")
    assert shot.exists(), done.stderr
    assert png_size(shot) == (1366, 900)
    assert shot.stat().st_size > 20_000  # a page with tables and colours, not a blank one
    dom = chromium(page, profile, "--dump-dom")
    assert dom.returncode == 0, dom.stderr
    cells = Cells()
    cells.feed(dom.stdout)
    assert cells.features == [feature["name"] for feature in document["features"]]
    expected = {f"{f['name']}/{layer}": (cell["files"], cell["findings"])
                for f in document["features"] for layer, cell in f["layers"].items()}
    assert cells.cells == expected
    assert cells.totals == [sum(c["findings"] for c in f["layers"].values()) for f in document["features"]]
    assert cells.summary == document["findings"]
    assert cells.links <= cells.anchors  # every count and code leads somewhere on the page
    assert {f"rule-{code}" for code in ("DDD101", "DDD102", "DDD103", "DDD104", "E999")} <= cells.anchors


def test_mermaid_renders_with_the_official_cli_when_installed(tmp_path: Path) -> None:
    """Optional (``npm install @mermaid-js/mermaid-cli``, ``mmdc`` on PATH): never required."""
    mmdc = shutil.which("mmdc")
    if mmdc is None:
        pytest.skip("the mermaid CLI (mmdc) is not installed")
    root = project(tmp_path / "shop")
    source = tmp_path / "map.mmd"
    source.write_text(run("map", [], root).stdout, encoding="utf-8")
    config = tmp_path / "puppeteer.json"
    config.write_text('{"executablePath": "%s", "args": ["--no-sandbox", "--disable-gpu"]}' % browser())
    image = tmp_path / "map.svg"
    done = subprocess.run([mmdc, "-p", str(config), "-i", str(source), "-o", str(image)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "orders (" in image.read_text(encoding="utf-8")

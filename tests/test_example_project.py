"""The bundled example application: flake8 reports exactly its deliberate violations."""

from __future__ import annotations

import re
from pathlib import Path

from harness import codes, run_flake8

EXAMPLE = Path(__file__).parent.parent / "examples" / "shop"
DELIBERATE = re.compile(r"#\s*deliberate:\s*(DDD\d{3})")


def deliberate_violations() -> set:
    found = set()
    for path in EXAMPLE.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for code in DELIBERATE.findall(line):
                found.add((str(path.relative_to(EXAMPLE)), number, code))
    return found


def test_example_reports_exactly_its_deliberate_violations():
    result = run_flake8([], EXAMPLE)
    assert "Traceback" not in result.stderr, result.stderr
    reported = codes(result)
    expected = deliberate_violations()
    assert len(expected) >= 5
    assert reported == expected
    assert result.returncode == 1

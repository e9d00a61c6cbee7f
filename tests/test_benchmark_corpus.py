"""The benchmark generator (benchmarks/generate.py): a generated corpus is reported by the real
``flake8-ddd check`` with exactly the codes the generator claims to carry, and every template
file is one the generator fills."""

from __future__ import annotations

import re
from pathlib import Path

import feature_modules
import generate
from harness import codes, run_check

BENCHMARKS = Path(generate.__file__).parent
#: A small corpus of the default seed that still holds every claimed violation (DDD004 and
#: DDD604 are the rarest: 660 files is the smallest size that has both).
SIZE = 700


def test_generated_corpus_reports_exactly_the_codes_it_claims(tmp_path):
    root, _ = generate.generate(SIZE, str(tmp_path / "corpus"))
    result = run_check(["--no-cache", "."], Path(root))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert {code for _, _, code in codes(result)} == set(generate.VIOLATIONS)


def test_every_template_is_filled_by_the_generator():
    sources = "".join((BENCHMARKS / name).read_text(encoding="utf-8")
                      for name in ("generate.py", "feature_modules.py"))
    filled = set(re.findall(r'fill\("([a-z0-9_/]+)"', sources))
    templates = Path(feature_modules.TEMPLATES)
    on_disk = {str(path.relative_to(templates).with_suffix("")).replace("\\", "/")
               for path in templates.rglob("*.tmpl")}
    assert filled == on_disk

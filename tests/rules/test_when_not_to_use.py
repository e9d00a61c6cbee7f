"""Each rule's documentation says when not to use it and how to silence it (issue 13)."""

from __future__ import annotations

import pytest

from flake8_ddd.registry import all_rules

#: The rules whose documentation carries the section; the others (DDD002, DDD003, DDD009,
#: DDD010, DDD105, DDD402, DDD600, DDD606) are documented by the helpers that own them.
CODES = ("DDD001", "DDD004", "DDD005", "DDD006", "DDD007", "DDD008", "DDD101", "DDD102", "DDD103",
         "DDD104", "DDD201", "DDD202", "DDD203", "DDD204", "DDD205", "DDD301", "DDD302", "DDD401",
         "DDD403", "DDD404", "DDD405", "DDD501", "DDD502", "DDD503", "DDD504", "DDD601", "DDD602",
         "DDD603", "DDD604", "DDD605")
RULES = {rule.code: rule for rule in all_rules()}


@pytest.mark.parametrize("code", CODES)
def test_doc_says_when_not_to_use_and_how_to_silence(code):
    doc = RULES[code].__doc__ or ""
    assert doc.index("## When not to use it") > doc.index("## Options")
    section = doc.split("## When not to use it", 1)[1]
    assert f"# noqa: {code}" in section


def test_ddd504_says_which_of_it_and_ruff_to_keep():
    section = (RULES["DDD504"].__doc__ or "").split("## When not to use it", 1)[1]
    assert "ASYNC210" in section and "ASYNC212" in section and "keep DDD504 and ASYNC212" in section

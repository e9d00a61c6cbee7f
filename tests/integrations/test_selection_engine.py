"""flake8_ddd.flake8_compat reproduces flake8's own decisions: compared with flake8's code itself."""

from __future__ import annotations

import argparse
import itertools

import pytest

from flake8_ddd.flake8_compat import (
    FLAKE8_DEFAULT_IGNORE, NOQA_FILE, NOQA_INLINE, PerFileIgnoresError, Selection, is_noqa,
    noqa_line_map, parse_per_file_ignores, trap_warning)

defaults = pytest.importorskip("flake8.defaults")
style_guide = pytest.importorskip("flake8.style_guide")
utils = pytest.importorskip("flake8.utils")
violation = pytest.importorskip("flake8.violation")

LISTS = [None, [], ["DDD"], ["D"], ["DD"], ["DDD0"], ["DDD001"], ["E", "F"], ["DDD1", "DDD00"], ["E999"]]
EXTENDS = [[], ["DDD"], ["DDD001"], ["D1"], ["DDD0", "DDD105"]]
CODES = ["DDD001", "DDD004", "DDD101", "DDD105", "DDD999", "DDD000", "E999", "D100"]
DEFAULT_SELECT = ["C90", "F", "E", "W", "DDD", "D"]


def test_the_regular_expressions_are_flake8s():
    assert NOQA_INLINE.pattern == defaults.NOQA_INLINE_REGEXP.pattern
    assert NOQA_INLINE.flags == defaults.NOQA_INLINE_REGEXP.flags
    assert NOQA_FILE.pattern == defaults.NOQA_FILE.pattern
    assert FLAKE8_DEFAULT_IGNORE == tuple(defaults.IGNORE)


def test_decisions_match_flake8s_decision_engine():
    compared = 0
    for select, ignore in itertools.product(LISTS, LISTS):
        for extend_select, extend_ignore in itertools.product(EXTENDS, EXTENDS):
            options = argparse.Namespace(
                select=select, extend_select=extend_select, ignore=ignore,
                extend_ignore=extend_ignore, extended_default_select=DEFAULT_SELECT,
                extended_default_ignore=[])
            engine = style_guide.DecisionEngine(options)
            ours = Selection(select, extend_select, ignore, extend_ignore, default_select=DEFAULT_SELECT)
            for code in CODES:
                expected = engine.decision_for(code) is style_guide.Decision.Selected
                case = (select, extend_select, ignore, extend_ignore, code)
                assert ours.is_selected(code) == expected, case
                compared += 1
    assert compared > 10000


@pytest.mark.parametrize("line", [
    "x  # noqa", "x  # noqa: DDD001", "x  # noqa:DDD001,DDD004", "x  # NOQA: DDD004 DDD001",
    "x  # noqa: DDD", "x  # noqa : DDD001", "x  # noqa: ddd001", "x  # noqa: DDD0", "x  # noqa: E501",
    "x  # noqa:  DDD001", "x  # type: ignore # noqa: DDD001", "x  #noqa", "x", "x  # noqa: DDD001 trailing",
])
@pytest.mark.parametrize("code", ["DDD001", "DDD004"])
def test_inline_noqa_matches_flake8s_violation(line, code):
    expected = violation.Violation(code, "f.py", 1, 1, "text", line + "\n").is_inline_ignored(False)
    assert is_noqa(code, line + "\n") == expected


def test_noqa_line_mapping_matches_flake8s_processor():
    processor = pytest.importorskip("flake8.processor")
    source = ("def f(session):\n    x = '''\n    %s''' % session.commit()\n    session.commit(\n"
              "    )\n    y = 1  # comment\n\n    return f'{x}'\n")
    lines = source.splitlines(True)
    options = argparse.Namespace(hang_closing=False, indent_size=4, max_line_length=79,
                                 max_doc_length=None, verbose=0)
    theirs = processor.FileProcessor("f.py", options, lines=list(lines))
    assert noqa_line_map(lines) == {n: theirs.noqa_line_for(n) for n in range(1, len(lines) + 1)
                                    if theirs.noqa_line_for(n) is not None}


@pytest.mark.parametrize("value", [
    "app/*.py:DDD001", "app/a.py,app/b.py:DDD001,DDD004 app/c.py:DDD1",
    "\n    app/a.py: DDD001\n    app/b.py: DDD0\n", "", "app/*.py DDD001", "app/a.py:DDD001 :DDD004",
])
def test_per_file_ignores_parse_like_flake8(value):
    try:
        expected = utils.parse_files_to_codes_mapping(value)
    except Exception:
        with pytest.raises(PerFileIgnoresError):
            parse_per_file_ignores(value)
    else:
        assert parse_per_file_ignores(value) == expected


def test_trap_warnings():
    codes = ["DDD001", "DDD101"]
    assert trap_warning(Selection(), codes) is None
    swallowed = trap_warning(Selection(extend_ignore=["D"]), codes)
    assert "extend-ignore entry 'D'" in swallowed and "D1, D2, D3, D4" in swallowed
    assert "extend-select = DDD" in swallowed
    assert "ignore entry 'DD'" in trap_warning(Selection(ignore=["DD"]), codes)
    assert trap_warning(Selection(extend_ignore=["D"], extend_select=["DDD"]), codes) is None
    assert trap_warning(Selection(extend_ignore=["D1", "D2"]), codes) is None
    unselected = trap_warning(Selection(select=["E", "F", "W"]), codes)
    assert "`select = E,F,W` names no DDD prefix" in unselected and "extend-select = DDD" in unselected
    assert trap_warning(Selection(select=["E", "DDD1"]), codes) is None
    assert trap_warning(Selection(select=["E"], extend_select=["DDD105"]), ["DDD001", "DDD105"]) is None
    assert trap_warning(Selection(select=["E", "D"]), codes) is None  # D selects DDD too
    assert trap_warning(Selection(ignore=["DDD"]), codes) is None  # named on purpose

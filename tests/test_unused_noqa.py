"""DDD010's check (flake8_ddd.unused_noqa), in-process: which ``# noqa`` codes silence nothing."""

from __future__ import annotations

import textwrap

from flake8_ddd.unused_noqa import unused_noqa


def stale(source: str, found=()):
    return [(u.line, u.col, u.codes) for u in unused_noqa(textwrap.dedent(source).splitlines(True), found)]


def test_code_reported_on_the_line_is_used():
    assert stale("x = f()  # noqa: DDD001\n", [(1, "DDD001")]) == []


def test_code_not_reported_is_stale_at_the_comment():
    assert stale("x = f()  # noqa: DDD001\n") == [(1, 9, ("DDD001",))]


def test_only_the_unused_codes_are_named_and_other_tools_codes_ignored():
    assert stale("x = f()  # noqa: E501, DDD001, DDD004, F401\n", [(1, "DDD004")]) == \
        [(1, 9, ("DDD001",))]


def test_prefix_is_used_when_a_code_under_it_is_reported():
    assert stale("x = f()  # noqa: DDD0\n", [(1, "DDD004")]) == []
    assert stale("x = f()  # noqa: DDD0\n", [(1, "DDD104")]) == [(1, 9, ("DDD0",))]


def test_bare_noqa_and_noqa_with_ddd_only_name_nothing():
    assert stale("x = f()  # noqa\ny = g()  # noqa: DDD\n") == []


def test_comment_after_a_multi_line_string_covers_its_first_line():
    source = '''\
        x = f("""
        text
        """)  # noqa: DDD006
        '''
    assert stale(source, [(1, "DDD006")]) == []
    assert stale(source, [(4, "DDD006")]) == [(3, 6, ("DDD006",))]


def test_noqa_text_inside_a_string_is_not_a_comment():
    assert stale('x = "# noqa: DDD001"\n') == []


def test_ddd010_itself_is_never_stale():
    assert stale("x = f()  # noqa: DDD010\n") == []


def test_column_is_in_utf8_bytes():
    assert stale("x = 'é'  # noqa: DDD001\n") == [(1, 10, ("DDD001",))]


def test_file_without_ddd_noqa_is_not_tokenized():
    assert stale("x = (\n") == []  # would not tokenize; never looked at

"""``# noqa`` insertion (flake8_ddd.add_noqa): where flake8 reads the comment, merging with an
existing one, reasons; then the real flake8 on the rewritten files reports nothing."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List, Tuple

import pytest

from flake8_ddd.add_noqa import NOQA_INLINE, add_noqa, add_noqa_to_file, clean_reason


def added(source: str, findings, reason=None) -> str:
    return "".join(add_noqa(source.splitlines(True), findings, reason).lines)


# --- where the comment goes --------------------------------------------------------------------

def test_plain_line_gets_the_comment_at_its_end():
    assert added("x = f()   \n", [(1, "DDD001")]) == "x = f()  # noqa: DDD001\n"


def test_codes_of_one_line_are_sorted_into_one_comment():
    assert added("x = f()\n", [(1, "DDD006"), (1, "DDD003"), (1, "DDD006")]) == \
        "x = f()  # noqa: DDD003, DDD006\n"


def test_multi_line_string_comment_goes_after_the_closing_quotes():
    source = 'x = f("""\nabc\n""")\ny = 2\n'
    assert added(source, [(1, "DDD001")]) == 'x = f("""\nabc\n""")  # noqa: DDD001\ny = 2\n'


def test_backslash_continuation_comment_goes_on_the_last_line():
    source = "x = f() if ok else \\\n    None\n"
    assert added(source, [(1, "DDD001")]) == "x = f() if ok else \\\n    None  # noqa: DDD001\n"


def test_inside_brackets_each_line_takes_its_own_comment():
    source = "x = g(\n    f(),\n)\n"
    assert added(source, [(2, "DDD001")]) == "x = g(\n    f(),  # noqa: DDD001\n)\n"


def test_existing_noqa_is_extended_and_its_reason_kept():
    assert added("x = 1  # noqa: E501 too long\n", [(1, "DDD001")], "legacy") == \
        "x = 1  # noqa: E501, DDD001 too long\n"
    assert added("x = 1  # NOQA:E501,W291\n", [(1, "DDD001")], "legacy") == \
        "x = 1  # NOQA:E501,W291, DDD001 legacy\n"


def test_other_comment_is_kept_and_noqa_follows_it():
    assert added("x = 1  # type: ignore[misc]\n", [(1, "DDD001")]) == \
        "x = 1  # type: ignore[misc]  # noqa: DDD001\n"


def test_fmt_skip_stays_last():
    assert added("x = 1  # fmt: skip\n", [(1, "DDD001")]) == "x = 1  # noqa: DDD001  # fmt: skip\n"


def test_line_endings_and_a_missing_final_newline_are_kept():
    assert added("a = 1\r\nx = f()\r\n", [(2, "DDD001")]) == "a = 1\r\nx = f()  # noqa: DDD001\r\n"
    assert added("x = f()", [(1, "DDD001")]) == "x = f()  # noqa: DDD001"


def test_empty_file_gets_a_comment_line():
    assert added("", [(1, "DDD605")]) == "# noqa: DDD605\n"


def test_already_silenced_or_internal_codes_are_left_alone():
    result = add_noqa(["x = 1  # noqa: DDD0\n"], [(1, "DDD001"), (1, "DDD000")])
    assert result.touched == [] and result.skipped == [(1, "DDD000")]


def test_noqa_spelled_inside_a_string_first_cannot_be_beaten():
    source = 'x = """# noqa: E501\n"""\n'
    result = add_noqa(source.splitlines(True), [(1, "DDD001")])
    assert result.touched == [] and result.skipped == [(1, "DDD001")]


# --- reasons -------------------------------------------------------------------------------------

@pytest.mark.parametrize("reason, written", [
    ("legacy code", "legacy code"),
    ("  spread\nover  lines ", "spread over lines"),
    ("E5 until the rewrite", "-- E5 until the rewrite"),
    ("py2 compat", "-- py2 compat"),
    ("", ""),
    (None, ""),
])
def test_reason_never_reads_as_codes(reason, written):
    assert clean_reason(reason) == written
    comment = "# noqa: DDD001" + (f" {written}" if written else "")
    assert NOQA_INLINE.search(comment).group("codes").replace(",", " ").split() == ["DDD001"]


# --- files ---------------------------------------------------------------------------------------

def test_file_keeps_encoding_and_bom(tmp_path):
    target = tmp_path / "x.py"
    target.write_bytes(b"\xef\xbb\xbfname = 'caf\xc3\xa9'\r\n")
    result = add_noqa_to_file(str(target), [(1, "DDD001")], "d\u00e9j\u00e0 vu")
    assert result.touched == [1] and result.error is None
    expected = "\ufeffname = 'caf\u00e9'  # noqa: DDD001 d\u00e9j\u00e0 vu\r\n"
    assert target.read_bytes() == expected.encode("utf-8")


def test_latin1_file_with_an_unwritable_reason_is_left_unchanged(tmp_path):
    target = tmp_path / "x.py"
    original = b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n"
    target.write_bytes(original)
    result = add_noqa_to_file(str(target), [(2, "DDD001")], "\u2603")
    assert result.error and target.read_bytes() == original
    result = add_noqa_to_file(str(target), [(2, "DDD001")], "ok")
    assert target.read_bytes() == original.replace(b"'\n", b"'  # noqa: DDD001 ok\n")


# --- the real flake8 --------------------------------------------------------------------------------

CRUD = textwrap.dedent('''\
    from fastapi import HTTPException


    class UserCrud:
        async def create(self, db, user, ok):
            await db.commit()  # noqa: E501 the line is long
            await db.commit() if ok else \\
                None
            raise HTTPException(status_code=500, detail="""
            several lines
            """)

        async def more(self, db):
            x = f"""{await db.commit()}
            """
            await db.commit()  # a note
            await db.commit()  # fmt: skip
            return x
    ''')
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")


def flake8(*args: str) -> List[Tuple[str, int, str]]:
    done = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select=DDD", *args],
                          capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    found = []
    for line in done.stdout.splitlines():
        match = LINE.match(line)
        assert match, line
        found.append((match["path"], int(match["line"]), match["code"]))
    return found


@pytest.mark.parametrize("reason", [None, "legacy, see ticket 12", "E501 first word is a code"])
def test_flake8_reports_nothing_after_add_noqa(tmp_path, reason):
    target = tmp_path / "app" / "user" / "crud" / "user.py"
    target.parent.mkdir(parents=True)
    target.write_text(CRUD)
    before = flake8(str(target))
    assert len(before) >= 7 and {code for _, _, code in before} >= {"DDD001", "DDD003", "DDD006"}
    result = add_noqa_to_file(str(target), [(line, code) for _, line, code in before], reason)
    assert result.skipped == [] and result.error is None
    text = target.read_text()
    ast.parse(text)
    assert len(text.splitlines()) == len(CRUD.splitlines())
    assert flake8(str(target)) == []
    assert flake8("--extend-select=E501", "--max-line-length=200", str(target)) == []
    changed = [n for n, (a, b) in enumerate(zip(CRUD.splitlines(), text.splitlines()), 1) if a != b]
    assert changed == result.touched
    # running it again changes nothing
    again = add_noqa_to_file(str(target), [(line, code) for _, line, code in before], reason)
    assert again.touched == [] and target.read_text() == text


def test_add_noqa_output_shape(tmp_path):
    target = tmp_path / "app" / "user" / "crud" / "user.py"
    target.parent.mkdir(parents=True)
    target.write_text(CRUD)
    before = flake8(str(target))
    add_noqa_to_file(str(target), [(line, code) for _, line, code in before], "legacy")
    lines = Path(target).read_text().splitlines()
    assert lines[5] == "        await db.commit()  # noqa: E501, DDD001 the line is long"
    assert lines[7] == "            None  # noqa: DDD001 legacy"
    assert lines[10] == '        """)  # noqa: DDD003, DDD006 legacy'
    assert lines[15] == "        await db.commit()  # a note  # noqa: DDD001 legacy"
    assert lines[16] == "        await db.commit()  # noqa: DDD001 legacy  # fmt: skip"

"""The baseline file and its matching (flake8_ddd.baseline), in-process, on the real engine's
findings; shifting lines never changes which findings are baselined."""

from __future__ import annotations

import ast
import json
import textwrap
from typing import List, Sequence, Tuple

import pytest
from hypothesis import given, settings, strategies as st

from flake8_ddd import baseline
from flake8_ddd.baseline import Entry, FileKeys, Key, Scopes
from flake8_ddd.engine import lint_source

PATH = "app/user/crud/user.py"
SOURCE = textwrap.dedent('''\
    from fastapi import HTTPException


    class UserCrud:
        async def create(self, db, user):
            db.add(user)
            await db.commit()
            await db.commit()

        @staticmethod
        def remove(db):
            db.rollback()
            raise ValueError("x")


    async def helper(db):
        await db.commit()  # a comment
        raise HTTPException(status_code=500)
    ''')


def keyed(source: str, path: str = PATH) -> List[Tuple[Key, object]]:
    """Each engine finding of ``source`` with its baseline key, in line order."""
    lines = source.splitlines(True)
    keys = FileKeys(path, lines, ast.parse(source))
    return [(keys.key(f.code, f.line), f) for f in lint_source(source, path)]


def entries_for(source: str) -> List[Entry]:
    return baseline.build((key, f.message) for key, f in keyed(source))


def always(_: str) -> bool:
    return True


def run_match(entries: Sequence[Entry], source: str, checked=frozenset({PATH}), exists=always):
    return baseline.match(entries, keyed(source), set(checked), exists)


# --- keys ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    ("    await db.commit()  # a comment\n", "awaitdb.commit()"),
    ("x = '#not a comment'  # but this is", "x='#notacomment'"),
    ('x = "a\\"#b"  # c', 'x="a\\"#b"'),
    ('x = """doc # kept', 'x="""doc#kept'),
    ("x=1", "x=1"),
    ("", ""),
])
def test_normalised_drops_comment_and_whitespace(line, expected):
    assert baseline.normalised(line) == expected


def test_reformatting_or_a_new_comment_keeps_the_hash():
    assert baseline.source_hash("x=f(a,b)") == baseline.source_hash("    x = f(a, b)  # noqa: DDD001 why\n")
    assert baseline.source_hash("x = f(a, b)") != baseline.source_hash("x = f(a, c)")


def test_scope_is_the_innermost_function_or_class_including_decorators():
    tree = ast.parse(SOURCE)
    scopes = Scopes(tree)
    assert scopes.at(1) == "<module>"
    assert scopes.at(4) == "UserCrud"
    assert scopes.at(7) == "UserCrud.create"
    assert scopes.at(10) == "UserCrud.remove"  # the decorator line
    assert scopes.at(12) == "UserCrud.remove"
    assert scopes.at(17) == "helper"
    assert Scopes(None).at(3) == "<module>"


def test_nested_functions_are_qualified():
    scopes = Scopes(ast.parse("def outer():\n    def inner():\n        pass\n    return 1\n"))
    assert [scopes.at(n) for n in (1, 3, 4)] == ["outer", "outer.inner", "outer"]


def test_relative_path_uses_slashes(tmp_path):
    nested = tmp_path / "app" / "x.py"
    assert baseline.relative_path(str(nested), str(tmp_path)) == "app/x.py"


# --- building and the file -------------------------------------------------------------------------

def test_repeated_identical_findings_in_one_scope_are_counted():
    entries = entries_for(SOURCE)
    commits = [e for e in entries if e.code == "DDD001"]
    assert [(e.scope, e.count) for e in commits] == [("UserCrud.create", 2), ("helper", 1)]
    assert sum(e.count for e in entries) == len(lint_source(SOURCE, PATH))


def test_file_is_sorted_one_entry_per_line_and_round_trips():
    entries = entries_for(SOURCE)
    text = baseline.dumps(entries)
    assert baseline.dumps(list(reversed(entries))) == text
    assert baseline.loads(text) == entries
    rows = [line for line in text.splitlines() if line.startswith("    {")]
    assert len(rows) == len(entries)
    document = json.loads(text)
    assert document["version"] == 1 and document["total"] == len(lint_source(SOURCE, PATH))
    assert all(set(row) == {"path", "code", "scope", "hash", "count", "message"}
               for row in document["entries"])  # no line numbers


def test_empty_baseline_round_trips():
    assert baseline.loads(baseline.dumps([])) == []


@pytest.mark.parametrize("text, fragment", [
    ("{", "invalid JSON"),
    ("[]", "no \"entries\""),
    ('{"version": 2, "entries": []}', "version 2 is not supported"),
    ('{"version": 1, "entries": {}}', "must be a list"),
    ('{"version": 1, "entries": [3]}', "entry 1 is not an object"),
    ('{"version": 1, "entries": [{"path": "a", "code": "DDD001", "scope": "s"}]}', "'hash'"),
    ('{"version": 1, "entries": [{"path": "a", "code": "DDD001", "scope": "s", "hash": "h", '
     '"count": 0}]}', "'count'"),
])
def test_malformed_baseline_is_one_clear_error(text, fragment):
    with pytest.raises(baseline.BaselineError) as caught:
        baseline.loads(text, "b.json")
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_missing_file_says_how_to_write_one(tmp_path):
    with pytest.raises(baseline.BaselineError, match="--write-baseline"):
        baseline.load(str(tmp_path / "none.json"))


def test_save_and_load(tmp_path):
    target = tmp_path / "ddd-baseline.json"
    entries = entries_for(SOURCE)
    baseline.save(str(target), entries)
    assert baseline.load(str(target)) == entries
    assert [p.name for p in tmp_path.iterdir()] == ["ddd-baseline.json"]


# --- matching ------------------------------------------------------------------------------------------

def test_unchanged_code_is_all_known():
    result = run_match(entries_for(SOURCE), SOURCE)
    assert (result.new, result.known, result.stale) == ([], len(lint_source(SOURCE, PATH)), [])
    assert baseline.summary(result) == "8 known, 0 new"


def test_a_third_identical_commit_in_the_scope_is_new_and_a_fixed_one_is_stale():
    entries = entries_for(SOURCE)
    more = SOURCE.replace("        await db.commit()\n\n",
                          "        await db.commit()\n        await db.commit()\n\n")
    result = run_match(entries, more)
    assert [(f.line, f.code) for f in result.new] == [(9, "DDD001")]  # the last one is new
    fixed = SOURCE.replace("    await db.commit()  # a comment\n", "")
    result = run_match(entries, fixed)
    assert result.new == [] and result.fixed == 1
    assert [(e.code, e.scope) for e in result.stale] == [("DDD001", "helper")]
    assert baseline.summary(result) == "7 known (\u22121 since the baseline was written), 0 new"
    assert "DDD001 in helper is no longer found" in baseline.describe_stale(result.stale[0])


def test_an_edited_line_is_new_and_its_old_entry_stale():
    edited = SOURCE.replace('raise ValueError("x")', 'raise ValueError("y")')
    result = run_match(entries_for(SOURCE), edited)
    assert [f.code for f in result.new] == ["DDD007"]
    assert [e.code for e in result.stale] == ["DDD007"]


def test_entries_of_files_not_checked_are_stale_only_when_the_file_is_gone():
    entries = entries_for(SOURCE)
    result = run_match(entries, "x = 1\n", checked=set(), exists=always)
    assert result.stale == []
    result = run_match(entries, "x = 1\n", checked=set(), exists=lambda path: False)
    assert result.fixed == len(lint_source(SOURCE, PATH))


def test_forbidden_codes_are_never_baselined():
    entries = baseline.build(((k, f.message) for k, f in keyed(SOURCE)), forbid=("DDD006",))
    assert "DDD006" not in {e.code for e in entries}
    hand_written = entries_for(SOURCE)  # an old file that still lists DDD006
    result = baseline.match(hand_written, keyed(SOURCE), {PATH}, always, forbid=("DDD0",))
    assert result.known == 1 and {f.code for f in result.new} == {  # DDD502 stays known
        "DDD001", "DDD003", "DDD004", "DDD006", "DDD007"}
    assert result.stale == []


def test_update_replaces_checked_files_and_keeps_the_rest_while_it_exists():
    other = Entry("app/other.py", "DDD001", "f", "0" * 16, 1, "DDD001 x")
    gone = Entry("app/gone.py", "DDD001", "f", "1" * 16, 1, "DDD001 y")
    old = entries_for(SOURCE) + [other, gone]
    fixed = SOURCE.replace('        raise ValueError("x")\n', "")
    updated = baseline.update(old, ((k, f.message) for k, f in keyed(fixed)), {PATH},
                              exists=lambda path: path != "app/gone.py")
    assert other in updated and gone not in updated
    assert "DDD007" not in {e.code for e in updated}
    assert updated == sorted(updated)


# --- the property: line numbers never matter --------------------------------------------------------

def _statement_starts(source: str) -> List[int]:
    """Lines before which a blank or comment line may go without changing the program."""
    starts = {len(source.splitlines()) + 1}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt):
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            starts.add(first)
    return sorted(starts)


def _insert(source: str, insertions: Sequence[Tuple[int, str]]) -> str:
    lines = source.splitlines(True)
    for line, text in sorted(insertions, reverse=True):
        lines.insert(line - 1, text)
    return "".join(lines)


FILLER = st.sampled_from(["\n", "# a note\n", "    \n", "    # indented note\n"])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_shifting_lines_never_changes_which_findings_are_baselined(data):
    starts = _statement_starts(SOURCE)
    insertions = data.draw(st.lists(st.tuples(st.sampled_from(starts), FILLER), max_size=8))
    shifted = _insert(SOURCE, insertions)
    assert len(lint_source(shifted, PATH)) == len(lint_source(SOURCE, PATH))
    entries = entries_for(SOURCE)
    result = run_match(entries, shifted)
    assert (result.new, result.stale) == ([], [])
    # and a baseline written after the shift is the same file
    assert baseline.dumps(entries_for(shifted)) == baseline.dumps(entries)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_shifting_lines_keeps_a_new_finding_new(data):
    entries = entries_for(SOURCE)
    added = SOURCE + "\n\nasync def extra(db):\n    await db.commit()\n"
    starts = _statement_starts(added)
    insertions = data.draw(st.lists(st.tuples(st.sampled_from(starts), FILLER), max_size=8))
    result = run_match(entries, _insert(added, insertions))
    assert [(f.code, f.message) for f in result.new] == [
        ("DDD001", "DDD001 db.commit() in the CRUD layer: flush here and let the service commit")]
    assert result.stale == []

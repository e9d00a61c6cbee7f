"""Output formats of ``flake8-ddd check``: each checked against what reads it."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from integration_support import COMMIT_IN_CRUD, clean_env, make_project, need, run_check

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
FILES = {
    "app/orders/crud/order.py": COMMIT_IN_CRUD + "async def g(db):\n    await db.rollback()\n",
    "app/orders/crud/broken.py": "def f(:\n",
    "app/orders/services/naïve, 100%.py": "from fastapi import HTTPException\n"
                                          "def f():\n    raise HTTPException(404)\n",
}
#: GitHub's workflow-command syntax: ::command key=value,key=value::message, with %, CR, LF
#: (and ":" and "," inside values) percent-encoded.
GITHUB_COMMAND = re.compile(r"^::(error|warning|notice)"
                            r"( (?P<props>[A-Za-z]+=[^,:\r\n]*(,[A-Za-z]+=[^,:\r\n]*)*))?"
                            r"::(?P<message>[^\r\n]*)$")


#: Only the codes the sample is about (other rules also fire on it: DDD301 for the import).
CODES = ["--select", "DDD001,DDD002,DDD004"]


@pytest.fixture
def sample(project):
    return make_project(project, FILES)


def check(args, cwd):
    return run_check(CODES + list(args), cwd)


def unescape(value: str) -> str:
    return (value.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n")
            .replace("%0D", "\r").replace("%25", "%"))


def test_concise_is_flake8s_default_format(sample):
    result = check([], sample)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    crud = os.path.join("app", "orders", "crud")
    assert lines[0] == os.path.join(crud, "broken.py") + ":1:7: E999 SyntaxError: invalid syntax"
    assert lines[1].startswith(os.path.join(crud, "order.py") + ":2:11: DDD001 session.commit()")
    assert lines[2].startswith(os.path.join(crud, "order.py") + ":4:11: DDD004 db.rollback()")
    assert lines[3].startswith(os.path.join("app", "orders", "services", "naïve, 100%.py") + ":3:11: DDD002 ")
    assert len(lines) == 4


def test_full_shows_the_line_and_a_caret(sample):
    lines = check(["--output-format", "full", "app/orders/crud/order.py"], sample).stdout.splitlines()
    assert lines[1:3] == ["    await session.commit()", "          ^"]
    assert lines[4:6] == ["    await db.rollback()", "          ^"]


def test_json_has_ruffs_shape(sample):
    ruff = need("ruff")
    ours = json.loads(check(["--output-format", "json"], sample).stdout)
    (sample / "ruff_sample.py").write_text("import os\n")
    theirs = json.loads(subprocess.run(
        [ruff, "check", "--no-cache", "--isolated", "--select", "F401", "--output-format", "json",
         "ruff_sample.py"], cwd=sample, capture_output=True, text=True, env=clean_env(), timeout=600).stdout)
    assert theirs and all(set(item) == set(theirs[0]) for item in ours)
    assert set(ours[0]["location"]) == set(theirs[0]["location"]) == {"row", "column"}
    commit = next(item for item in ours if item["code"] == "DDD001")
    assert commit["filename"] == str((sample / "app" / "orders" / "crud" / "order.py").resolve())
    assert commit["location"] == {"row": 2, "column": 11}
    assert commit["end_location"] == {"row": 2, "column": 27}
    assert commit["message"].startswith("session.commit() in the CRUD layer")
    assert (commit["name"], commit["fix"], commit["noqa_row"]) == ("commit-in-crud", None, 2)
    assert commit["cell"] is None and commit["severity"] == "error"
    syntax = next(item for item in ours if item["code"] == "E999")
    assert syntax["name"] == "syntax-error"


def test_github_annotations_follow_the_workflow_command_syntax(sample):
    lines = check(["--output-format", "github"], sample).stdout.splitlines()
    assert len(lines) == 4
    for line in lines:
        match = GITHUB_COMMAND.match(line)
        assert match, line
        props = dict(p.split("=", 1) for p in match["props"].split(","))
        assert set(props) == {"title", "file", "line", "col", "endLine", "endColumn"}
        assert os.path.isabs(unescape(props["file"])) and os.path.exists(unescape(props["file"]))
        assert props["title"].startswith("flake8-ddd (")
    odd = next(line for line in lines if "DDD002" in line)
    assert "file=" + str(sample.resolve() / "app" / "orders" / "services").replace(":", "%3A") in odd
    assert "naïve%2C 100%25.py," in odd
    assert odd.endswith(f"::{os.path.join('app', 'orders', 'services', 'naïve, 100%25.py')}:3:11: DDD002 "
                        + odd.rsplit(" DDD002 ", 1)[1])


def test_sarif_validates_against_the_2_1_0_schema(sample):
    jsonschema = pytest.importorskip("jsonschema")
    document = json.loads(check(["--output-format", "sarif"], sample).stdout)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(document), key=str)
    assert not errors, errors[0]
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    assert "## Why is this bad?" in by_id["DDD001"]["fullDescription"]["text"]
    assert by_id["DDD001"]["help"]["markdown"].startswith("# commit-in-crud (DDD001)")
    assert len(run["results"]) == 4
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    commit = next(r for r in run["results"] if r["ruleId"] == "DDD001")
    location = commit["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app/orders/crud/order.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 2 and location["region"]["startColumn"] == 11
    odd = next(r for r in run["results"] if r["ruleId"] == "DDD002")
    uri = odd["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "app/orders/services/na%C3%AFve,%20100%25.py"  # RFC 3986: UTF-8, percent-encoded


def test_sarif_of_a_clean_project_is_still_a_valid_log(project):
    jsonschema = pytest.importorskip("jsonschema")
    make_project(project, {"app/main.py": "x = 1\n"})
    result = run_check(["--output-format", "sarif"], project)
    assert result.returncode == 0
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(json.loads(result.stdout))


def test_statistics_count_per_code(sample):
    (sample / "app" / "orders" / "crud" / "more.py").write_text(COMMIT_IN_CRUD)
    text = check(["--statistics"], sample)
    assert text.returncode == 1
    assert text.stdout.splitlines() == ["2\tDDD001\tcommit-in-crud", "1\tDDD002\thttp-exception-in-services",
                                        "1\tDDD004\trollback-in-crud", "1\tE999\tsyntax-error"]
    rows = json.loads(check(["--statistics", "--output-format", "json"], sample).stdout)
    assert rows[0] == {"code": "DDD001", "name": "commit-in-crud", "count": 2, "fixable": False}

"""Hostile input (issue 10), continued: long-lived processes, output formats and honest docs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import List

import pytest

from harness import make_project
from hostile_support import SYNC_ROUTE, assert_no_traceback, check, ddd, sample_project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return sample_project(tmp_path)


# --- 6. long-lived processes notice a changed tree --------------------------------------------------

@pytest.mark.parametrize("marker", ["__init__.py", "pyproject.toml"])
def test_layer_resolution_notices_new_package_or_project_files(tmp_path, marker):
    """``app/user/api/x.py`` is in the routes layer (``api`` below the feature ``user``) when
    module paths count from ``proj/``; an ``__init__.py`` in ``api/`` makes ``api`` the top
    package (no feature above it, no layer), and a ``pyproject.toml`` in ``user/`` makes
    ``user/`` the project root (same). An editor's long-lived process must see both."""
    from flake8_ddd.layers import Layer, LayerConfig, locate_file

    root = tmp_path / "proj"
    (root / "app" / "user" / "api").mkdir(parents=True)
    (root / "setup.cfg").write_text("[metadata]\nname = sample\n")
    path = root / "app" / "user" / "api" / "x.py"
    path.write_text("VALUE = 1\n")
    config = LayerConfig()
    before = locate_file(str(path), config, (), cwd=str(root))
    assert before.layers == frozenset({Layer.ROUTES})
    where = root / "app" / "user" / ("api" if marker == "__init__.py" else "")
    (where / marker).write_text("")
    after = locate_file(str(path), config, (), cwd=str(root))
    assert after.layers == frozenset(), after


# --- 7. output ------------------------------------------------------------------------------------

URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})+")


def test_sarif_uris_follow_rfc_3986(tmp_path):
    names = ["app/my dir/ünï 100%.py", "app/new\nline.py", "app/a#b?c.py"]
    root = make_project(tmp_path / "proj", {name: SYNC_ROUTE for name in names})
    result = check(["--no-cache", "--output-format", "sarif"], root)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in document["runs"][0]["results"]]
    assert len(uris) == len(names)
    for uri in uris:
        assert URI_CHARACTERS.fullmatch(uri), uri
    assert sorted(urllib.parse.unquote(uri) for uri in uris) == sorted(names)
    base = document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file://") and URI_CHARACTERS.fullmatch(base[len("file:"):]), base


@pytest.mark.parametrize("output_format", ["sarif", "github"])
def test_statistics_are_rendered_in_the_chosen_format_or_refused(project, output_format):
    result = check(["--no-cache", "--statistics", "--output-format", output_format], project)
    if result.returncode == 2:
        assert "--statistics" in result.stderr and output_format in result.stderr
        assert result.stdout == ""
        return
    assert result.returncode == 1
    if output_format == "sarif":
        assert json.loads(result.stdout)["version"] == "2.1.0"
    else:
        assert all(line.startswith("::") for line in result.stdout.splitlines()), result.stdout


@pytest.mark.parametrize("output_format", ["concise", "full"])
def test_control_characters_in_paths_are_escaped(tmp_path, output_format):
    names = ["app/new\nline.py", "app/tab\there.py", "app/bell\x07.py"]
    root = make_project(tmp_path / "proj", {name: SYNC_ROUTE for name in names})
    result = check(["--no-cache", "--output-format", output_format], root)
    assert result.returncode == 1
    heads = [line for line in result.stdout.splitlines() if re.match(r"^\S.*:\d+:\d+: DDD501 ", line)]
    assert len(heads) == len(names), result.stdout
    if output_format == "concise":
        assert len(result.stdout.splitlines()) == len(names), result.stdout
    assert "app/new\\nline.py:7:1: DDD501 " in result.stdout
    assert "app/tab\\there.py:7:1: DDD501 " in result.stdout
    assert "app/bell\\x07.py:7:1: DDD501 " in result.stdout
    assert not any(ord(c) < 32 and c != "\n" for c in result.stdout)


def test_undecodable_path_bytes_are_escaped_not_a_crash(tmp_path):
    if sys.platform.startswith(("win", "darwin")):
        pytest.skip("file names are text on this platform")
    (tmp_path / "proj" / "app").mkdir(parents=True)
    root = make_project(tmp_path / "proj", {})
    with open(os.path.join(os.fsencode(root / "app"), b"caf\xe9.py"), "w") as handle:
        handle.write(SYNC_ROUTE)
    for output_format in ("concise", "json", "sarif", "github"):
        result = check(["--no-cache", "--output-format", output_format], root)
        assert_no_traceback(result)
        assert result.returncode == 1
        result.stdout.encode("utf-8")  # strict: no lone surrogates in the output
    assert "app/caf\\xe9.py:7:1: DDD501 " in check(["--no-cache"], root).stdout


# --- 8. honest docs -------------------------------------------------------------------------------

def test_rule_command_accepts_a_name_like_a_code(tmp_path):
    by_code = ddd(["rule", "DDD001"], tmp_path)
    by_name = ddd(["rule", "commit-in-crud"], tmp_path)
    assert by_code.returncode == 0
    assert (by_name.returncode, by_name.stdout) == (0, by_code.stdout), by_name.stderr


def _try_it_commands() -> List[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Try it", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|console|bash)\n(.*?)```", section, re.S)
    return [line.lstrip("$ ") for block in blocks for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_readme_try_it_commands_work_typed_in_order_from_the_repository_root(tmp_path):
    """Run the README's commands in one shell, in order, from the root of the checkout, with
    ``python``, ``pip`` and ``git`` recording where and how they were called (nothing is
    installed): each must run where its files are."""
    commands = _try_it_commands()
    assert commands, "README has no Try it commands"
    log = tmp_path / "calls.log"
    fake = "\n".join(f'{name}() {{ echo "{name} $PWD $*" >> "{log}"; }}' for name in ("python", "pip"))
    script = fake + "\nset -e\n" + "\n".join(c for c in commands if not c.startswith("git clone"))
    subprocess.run(["bash", "-c", script], cwd=str(ROOT), check=True, timeout=60)
    calls = log.read_text().splitlines()
    for call in calls:
        program, cwd, *rest = call.split(" ")
        arguments = " ".join(rest)
        if "pip install" in arguments:
            assert cwd == str(ROOT), call  # `pip install .` only works from the root
        if arguments.startswith("-m flake8"):
            assert cwd == str(ROOT / "examples" / "shop"), call
        if arguments.startswith("-m pytest"):
            assert cwd == str(ROOT), call
    assert any("-m pytest" in c for c in calls) and any("-m flake8" in c for c in calls)


def test_docs_never_install_from_an_index_that_does_not_serve_the_package():
    """No index serves flake8-ddd: instructions install from a checkout or a git URL."""
    bare = re.compile(r"pip install\s+['\"]?flake8-ddd(?:\[[a-z,]+\])?(?!\s*@)['\"]?(?:\s|$|`)")
    offenders = []
    for path in [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("examples/*/README.md")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if bare.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []

"""Real ruff (pinned in the test extra) and DDD codes in ``# noqa`` comments.

Facts the integration guide (docs/integrations.md) states, checked here with ruff 0.17.6:

- ``ruff check --select RUF100 --fix`` rewrites ``# noqa: F401, DDD001`` when F401 is not
  enabled: without ``lint.external = ["DDD"]`` the whole comment goes (DDD001 with it); with
  it, ``# noqa: DDD001`` stays.
- With F401 enabled, RUF102 (invalid-rule-code, part of ``ALL``) deletes DDD001 from the list
  unless ``DDD`` is external.
"""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from integration_support import clean_env, make_project, need, run_check

NOQA_LINE = "import os  # noqa: F401, DDD001\n"
EXTERNAL = '[tool.ruff.lint]\nexternal = ["DDD"]\n'
NO_EXTERNAL = "[tool.ruff.lint]\n"


def ruff_fix(root, select: str, target: str) -> str:
    ruff = need("ruff")
    version = subprocess.run([ruff, "--version"], capture_output=True, text=True).stdout.split()[-1]
    if version != "0.17.6":
        pytest.skip(f"these facts are pinned for ruff 0.17.6, found {version}")
    subprocess.run([ruff, "check", "--no-cache", "--select", select, "--fix", target], cwd=root,
                   capture_output=True, text=True, env=clean_env(), timeout=600)
    return (root / target).read_text()


@pytest.mark.parametrize("external, expected", [
    (True, "import os  # noqa: DDD001\n"),
    (False, "import os\n"),
])
def test_ruf100_fix_keeps_the_ddd_code_only_with_external(project, external, expected):
    make_project(project, {"sample.py": NOQA_LINE}, pyproject_toml=EXTERNAL if external else NO_EXTERNAL)
    assert ruff_fix(project, "RUF100", "sample.py") == expected


@pytest.mark.parametrize("external, expected", [
    (True, NOQA_LINE),
    (False, "import os  # noqa: F401\n"),
])
def test_ruf102_removes_the_ddd_code_unless_external(project, external, expected):
    make_project(project, {"sample.py": NOQA_LINE}, pyproject_toml=EXTERNAL if external else NO_EXTERNAL)
    assert ruff_fix(project, "RUF100,RUF102,F401", "sample.py") == expected


@pytest.mark.parametrize("external", [True, False])
def test_after_ruffs_fix_flake8_ddd_still_honours_the_comment_only_with_external(project, external):
    crud = "app/orders/crud/order.py"
    source = textwrap.dedent("""\
        async def save(session):
            await session.commit()  # noqa: DDD001
    """)
    config = (EXTERNAL if external else NO_EXTERNAL) + "\n[tool.flake8-ddd]\nselect = ['DDD0']\n"
    make_project(project, {crud: source}, pyproject_toml=config)
    assert run_check([], project).returncode == 0
    fixed = ruff_fix(project, "ALL", crud)
    result = run_check([], project)
    if external:
        assert fixed == source and result.returncode == 0
    else:
        assert "noqa" not in fixed
        assert result.returncode == 1 and "DDD001" in result.stdout

"""``flake8-ddd check`` and ``flake8`` report the same findings for the same configuration.

Compared as ``(path, line, column, code, message)`` sets, from both real programs. Only DDD
codes are compared: flake8 shows its E999/E902 only when selected, the command always.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from integration_support import findings_of, make_project, run_check, run_flake8

ROOT = Path(__file__).resolve().parents[2]
PROJECTS = [ROOT / "tests" / "fixtures"] + [p for p in [ROOT / "examples" / "shop"] if p.is_dir()]


def ddd_only(output: str) -> set:
    return {f for f in findings_of(output) if f[3].startswith("DDD")}


def both(cwd: Path, args=()):
    ours = run_check([*args], cwd)
    theirs = run_flake8([*args, "."], cwd)
    assert "Traceback" not in ours.stderr + theirs.stderr, ours.stderr + theirs.stderr
    return ddd_only(ours.stdout), ddd_only(theirs.stdout)


@pytest.mark.parametrize("root", PROJECTS, ids=[p.name for p in PROJECTS])
@pytest.mark.parametrize("args", [["--select=DDD"], []], ids=["select-DDD", "configured"])
def test_same_findings_as_flake8(root, args):
    ours, theirs = both(root, args)
    assert theirs, "flake8 found nothing: the comparison would prove nothing"
    assert ours == theirs


SOURCES = {
    "app/orders/crud/order.py": """\
        def save(session, db):
            session.commit()
            session.commit()  # noqa: DDD001
            session.commit()  # noqa: DDD004
            db.rollback()  # noqa
            db.rollback()  # noqa: DDD
            session.commit(
            )  # noqa: DDD001
            text = '''
            %s''' % session.commit()  # noqa: DDD001
    """,
    "app/orders/crud/quiet.py": "# flake8: noqa\ndef f(session):\n    session.commit()\n",
    "app/orders/crud/legacy.py": "def f(session):\n    session.commit()\n    session.rollback()\n",
    "app/orders/store.py": "def f(session):\n    session.commit()\n",
    "app/orders/routes/api.py": "from app.orders.models import Order\nfrom app.orders.crud import order\n",
    "app/orders/models.py": ("from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n"
                             "    pass\n\n\nclass Order(Base):\n    __tablename__ = 'orders'\n"),
    "app/orders/generated/crud/x.py": "def f(session):\n    session.commit()\n",
    "app/orders/services/s.py": "import os\nvalue = os.environ['X']\n",
}
INI = """\
    [flake8]
    max-line-length = 120
    select = E,F,W,DDD
    extend-select = DDD105
    ignore = DDD6
    extend-ignore = E501,DDD5
    exclude = .git,__pycache__,generated
    per-file-ignores =
        app/orders/crud/legacy.py: DDD001
        app/orders/routes/*.py: DDD1
    ddd-layer-paths = app/*/store.py=crud
"""
TOML = """\
    [tool.flake8-ddd]
    select = ["DDD"]
    extend-select = ["DDD105"]
    ignore = ["DDD6"]
    extend-ignore = ["DDD5"]
    exclude = [".git", "__pycache__", "generated"]
    per-file-ignores = { "app/orders/crud/legacy.py" = ["DDD001"], "app/orders/routes/*.py" = ["DDD1"] }
    ddd-layer-paths = ["app/*/store.py=crud"]
"""


def test_same_findings_with_a_configured_project(tmp_path):
    ini = make_project(tmp_path / "ini", SOURCES, setup_cfg=INI)
    ours, theirs = both(ini)
    assert ours == theirs
    codes = {(f[0], f[1], f[3]) for f in theirs}
    assert ("app/orders/crud/order.py", 2, "DDD001") in codes
    assert ("app/orders/store.py", 2, "DDD001") in codes
    assert not any("legacy" in f[0] and f[2] == "DDD001" for f in codes)
    # per-file DDD1 drops DDD101, but extend-select DDD105 is the longer prefix and wins
    assert {f[2] for f in codes if f[0].startswith("app/orders/routes")} == {"DDD105"}
    assert not any(f[2].startswith(("DDD5", "DDD6")) for f in codes)
    toml = make_project(tmp_path / "toml", SOURCES, pyproject_toml=TOML)
    standalone = ddd_only(run_check([], toml).stdout)
    assert standalone == ours


SPACED = {
    "app/my orders/store.py": "async def f(session):\n    await session.commit()\n",
    "app/my orders/legacy/crud/old.py": "async def f(session):\n    await session.commit()\n",
    "app/billing/crud/new.py": "async def f(session):\n    await session.commit()\n",
}


@pytest.mark.parametrize("config", [
    {"setup_cfg": "[flake8]\n"
                  "ddd-layer-paths =\n    app/my orders/store.py=crud,\n    app/*/none.py=crud\n"
                  "ddd-layer-exclude = app/my orders/legacy/*, app/nowhere/*\n"},
    {"pyproject_toml": "[tool.flake8-ddd]\n"
                       "ddd-layer-paths = 'app/my orders/store.py=crud,app/*/none.py=crud'\n"
                       "ddd-layer-exclude = ['app/my orders/legacy/*', 'app/nowhere/*']\n"},
], ids=["setup.cfg", "pyproject"])
def test_lists_split_alike_and_a_space_stays_inside_a_glob(tmp_path, config):
    """One splitter (commas and newlines) for both programs: a glob keeps its spaces."""
    project = make_project(tmp_path, SPACED, **config)
    ours = ddd_only(run_check([], project).stdout)
    expected = {("app/my orders/store.py", "DDD001"), ("app/billing/crud/new.py", "DDD001")}
    assert {(f[0], f[3]) for f in ours} == expected
    if "setup_cfg" in config:
        theirs = ddd_only(run_flake8(["."], project).stdout)
        assert ours == theirs

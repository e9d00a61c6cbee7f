"""``flake8-ddd check``: the real command, its configuration, exit codes and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from flake8_ddd.processes import usable_cores
from harness import codes
from integration_support import COMMIT_IN_CRUD, clean_env, findings_of, make_project, need, run_check

CRUD = os.path.join("app", "orders", "crud", "order.py")


def assert_one_line_error(result, *needles: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_reports_findings_and_exits_1(project):
    make_project(project, {"app/orders/crud/order.py": COMMIT_IN_CRUD, "app/main.py": "x = 1\n"})
    result = run_check([], project)
    assert result.returncode == 1, result.stderr
    assert result.stdout == (f"{CRUD}:2:11: DDD001 session.commit() in the CRUD layer: "
                             "flush here and let the service commit\n")
    assert result.stderr == ""


def test_clean_project_exits_0_and_exit_zero_keeps_findings(project):
    make_project(project, {"app/orders/crud/order.py": COMMIT_IN_CRUD.replace("commit", "flush")})
    clean = run_check(["."], project)
    assert (clean.returncode, clean.stdout) == (0, "")
    (project / CRUD).write_text(COMMIT_IN_CRUD)
    forced = run_check(["--exit-zero"], project)
    assert forced.returncode == 0 and "DDD001" in forced.stdout


def test_console_script_and_module_agree(project):
    script = need("flake8-ddd")
    make_project(project, {"app/orders/crud/order.py": COMMIT_IN_CRUD})
    via_script = subprocess.run([script, "check"], cwd=project, capture_output=True, text=True,
                                env=clean_env(), timeout=600)
    assert via_script.returncode == 1
    assert via_script.stdout == run_check([], project).stdout


def test_pyproject_table_layer_paths_ignores_and_per_file(project):
    make_project(project, {
        "app/orders/store.py": COMMIT_IN_CRUD,
        "app/orders/crud/a.py": "def f(session):\n    session.commit()\n    session.rollback()\n",
        "app/orders/crud/legacy.py": COMMIT_IN_CRUD,
        "app/orders/crud/skipped/b.py": COMMIT_IN_CRUD,
    }, pyproject_toml='''
        [tool.flake8-ddd]
        ddd-layer-paths = ["app/*/store.py=crud"]
        extend-ignore = ["DDD502"]
        extend-exclude = ["app/orders/crud/skipped"]
        per-file-ignores = { "app/orders/crud/legacy.py" = ["DDD001"] }
    ''')
    result = run_check(["--jobs", "1"], project)
    assert codes(result) == {
        (os.path.join("app", "orders", "store.py"), 2, "DDD001"),
        (os.path.join("app", "orders", "crud", "a.py"), 2, "DDD001"),
        (os.path.join("app", "orders", "crud", "a.py"), 3, "DDD004"),
    }, result.stdout + result.stderr


#: A real ORM class for DDD105 to find (it reports ORM classes, not any import from a models module).
ORDER_MODEL = ("from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\n"
               "class Order(Base):\n    __tablename__ = 'orders'\n")


def test_flake8_section_is_the_fallback_and_found_from_a_subdirectory(project):
    make_project(project, {
        "app/orders/crud/order.py": COMMIT_IN_CRUD,
        "app/orders/routes/api.py": "from app.orders.models import Order\n",
        "app/orders/models.py": ORDER_MODEL,
    }, setup_cfg='''
        [flake8]
        max-line-length = 100
        extend-select = DDD105
        per-file-ignores =
            app/orders/crud/*.py: DDD001
    ''', pyproject_toml='''
        [tool.ruff]
        line-length = 100
    ''')
    result = run_check([], project)
    assert codes(result) == {(os.path.join("app", "orders", "routes", "api.py"), 1, "DDD105")}
    inside = run_check(["routes"], project / "app" / "orders")
    assert codes(inside) == {(os.path.join("routes", "api.py"), 1, "DDD105")}, inside.stderr


def test_pyproject_wins_over_ini_files_in_the_same_directory(project):
    make_project(project, {"app/orders/crud/order.py": COMMIT_IN_CRUD},
                 setup_cfg="[flake8]\nextend-ignore = DDD001\n",
                 pyproject_toml="[tool.flake8-ddd]\nselect = ['DDD0']\n")
    assert codes(run_check([], project)) == {(CRUD, 2, "DDD001")}
    isolated = run_check(["--config", "setup.cfg"], project)
    assert codes(isolated) == set()


def test_select_and_ignore_longest_prefix_wins_and_opt_in_needs_its_group(project):
    make_project(project, {
        "app/orders/crud/order.py": "def f(session):\n    session.commit()\n    session.rollback()\n",
        "app/orders/routes/api.py": "from app.orders.models import Order\n",
        "app/orders/models.py": ORDER_MODEL,
    })
    result = run_check(["--select", "DDD", "--ignore", "DDD0,DDD5", "--extend-select", "DDD001"], project)
    assert codes(result) == {(CRUD, 2, "DDD001")}
    assert not any(c == "DDD105" for _, _, c in codes(run_check(["--select", "DDD"], project)))
    for entry in ("DDD105", "DDD10", "DDD1"):
        found = codes(run_check(["--extend-select", entry], project))
        assert (os.path.join("app", "orders", "routes", "api.py"), 1, "DDD105") in found, entry


def test_noqa_comments_follow_flake8(project):
    make_project(project, {
        "app/orders/crud/a.py": """\
            def f(session, other):
                session.commit()  # noqa: DDD001
                session.commit()  # noqa:DDD004
                session.commit()  # NOQA: DDD004, DDD001
                session.commit()  # noqa
                session.commit()  # noqa: DDD
                session.commit()  # noqa : DDD004
                other.commit(
                    1,
                )  # noqa: DDD001
                session.commit()  # noqa: ddd001
                text = '''
                %s''' % session.commit()  # noqa: DDD001
        """,
        "app/orders/crud/b.py": "# flake8: noqa\n" + COMMIT_IN_CRUD,
        "app/orders/crud/c.py": COMMIT_IN_CRUD.replace("commit()", "commit()  # flake8: noqa"),
    })
    result = run_check(["--select", "DDD001"], project)
    a = os.path.join("app", "orders", "crud", "a.py")
    c = os.path.join("app", "orders", "crud", "c.py")
    # a noqa after a closing bracket does not cover the bracket's first line (line 8), one after
    # a multi-line string does (line 13); a lowercase code list is not a code list
    assert codes(result) == {(a, 3, "DDD001"), (a, 8, "DDD001"), (a, 11, "DDD001"),
                             (c, 2, "DDD001")}, result.stdout


def test_default_excludes_and_explicit_paths(project):
    files = {f"{folder}/app/orders/crud/order.py": COMMIT_IN_CRUD
             for folder in (".venv", "venv", "node_modules", "build", "dist", ".tox", "env")}
    files["app/orders/crud/order.py"] = COMMIT_IN_CRUD
    files["app/orders/crud/notes.txt"] = "session.commit()\n"
    make_project(project, files)
    assert codes(run_check([], project)) == {(CRUD, 2, "DDD001")}
    assert codes(run_check([".venv"], project)) == set()  # an excluded path stays excluded
    replaced = run_check(["--exclude", ".git"], project)
    assert len(codes(replaced)) == 8


def test_a_syntax_error_is_one_finding_and_the_other_files_are_checked(project):
    make_project(project, {
        "app/orders/crud/broken.py": "def f(:\n    pass\n",
        "app/orders/crud/order.py": COMMIT_IN_CRUD,
    })
    result = run_check(["--jobs", "2"], project)
    assert result.returncode == 1
    found = findings_of(result.stdout)
    broken = [f for f in found if f[0].endswith("broken.py")]
    assert len(broken) == 1 and broken[0][3] == "E999" and broken[0][4].startswith("SyntaxError:")
    assert (CRUD, 2, "DDD001") in codes(result)
    assert "Traceback" not in result.stderr
    quiet = run_check(["--extend-ignore", "E999"], project)
    assert codes(quiet) == {(CRUD, 2, "DDD001")}


def test_undecodable_files_and_nul_bytes_are_reported_and_the_run_goes_on(project):
    make_project(project, {"app/orders/crud/order.py": COMMIT_IN_CRUD})
    crud = project / "app" / "orders" / "crud"
    (crud / "latin.py").write_bytes(b"x = 1\nname = '\xe9t\xe9'\n")
    (crud / "nul.py").write_bytes(b"x = 1\ny = 2\x00\n")
    cookie = b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n"
    (crud / "cookie.py").write_bytes(cookie + COMMIT_IN_CRUD.encode())
    result = run_check([], project)
    by_file = {os.path.basename(f[0]): f for f in findings_of(result.stdout)}
    assert by_file["latin.py"][1:4] == (2, 9, "E902") and "UnicodeDecodeError" in by_file["latin.py"][4]
    assert by_file["nul.py"][1:4] == (2, 6, "E902") and "NUL" in by_file["nul.py"][4]
    assert by_file["cookie.py"][3] == "DDD001"  # a declared encoding is honoured
    assert by_file["order.py"][3] == "DDD001"
    assert "Traceback" not in result.stderr


def test_jobs_give_the_same_output(project):
    files = {f"app/f{i}/crud/order.py": COMMIT_IN_CRUD for i in range(40)}
    files.update({f"app/f{i}/services/s.py": "x = 1\n" for i in range(40)})
    make_project(project, files)
    one = run_check(["--jobs", "1"], project)
    two = run_check(["--jobs", "2"], project)
    auto = run_check([], project)
    assert one.returncode == two.returncode == auto.returncode == 1
    assert one.stdout == two.stdout == auto.stdout
    assert len(one.stdout.splitlines()) == 40


def test_stdin_uses_the_given_path_for_the_layer(project):
    make_project(project, {})
    result = run_check(["--stdin-filename", "app/orders/crud/order.py", "-"], project, stdin=COMMIT_IN_CRUD)
    assert codes(result) == {(CRUD, 2, "DDD001")}
    unnamed = run_check(["-"], project, stdin=COMMIT_IN_CRUD)
    assert (unnamed.returncode, unnamed.stdout) == (0, "")


@pytest.mark.parametrize("files, args, needles", [
    ({"pyproject.toml": "[tool.flake8-ddd]\nselct = ['DDD']\n"}, [],
     ["pyproject.toml", "unknown key 'selct'"]),
    ({"pyproject.toml": "[tool.flake8-ddd]\nselect = ['DDD7']\n"}, [], ["select", "unknown code 'DDD7'"]),
    ({"pyproject.toml": "[tool.flake8-ddd]\nignore = ['F401']\n"}, [], ["ignore", "unknown code 'F401'"]),
    ({"pyproject.toml": "[tool.flake8-ddd]\nselect = 'DDD'\nignore = 3\n"}, [], ["ignore must be a list"]),
    ({"pyproject.toml": "[tool.flake8-ddd]\nper-file-ignores = { 'a.py' = ['DDD999'] }\n"}, [],
     ["per-file-ignores", "unknown code 'DDD999'"]),
    ({"pyproject.toml": "[tool.flake8-ddd]\nexclude = ['app/[oops']\n"}, [], ["exclude", "malformed glob"]),
    ({"pyproject.toml": "[tool.flake8-ddd\nselect = 1\n"}, [], ["pyproject.toml", "invalid TOML"]),
    ({"pyproject.toml": "[tool.flake8-ddd]\nddd-layer-paths = ['app/x.py=nowhere']\n"}, [],
     ["ddd-layer-paths", "'app/x.py=nowhere'"]),
    ({"setup.cfg": "[flake8]\nextend-select = DDD7\n"}, [], ["setup.cfg [flake8]", "unknown code 'DDD7'"]),
    ({"setup.cfg": "[flake8]\nignore = E501,not-a-code\n"}, [], ["not an error code"]),
    ({"setup.cfg": "[flake8]\nddd-layer-pats = x=crud\n"}, [],
     ["unknown flake8-ddd option 'ddd-layer-pats'"]),
    ({"setup.cfg": "[flake8]\nper-file-ignores = app/*.py DDD001\n"}, [], ["per-file-ignores", "PATTERN"]),
    ({}, ["missing/dir"], ["missing/dir", "no such file or directory"]),
    ({}, ["--select", "DDD001,XYZ"], ["command line", "unknown code 'XYZ'"]),
    ({}, ["--config", "nope.toml"], ["nope.toml", "does not exist"]),
    ({}, ["--jobs", "0"], ["--jobs", "positive"]),
    ({}, ["--output-format", "xml"], ["--output-format", "invalid choice"]),
])
def test_bad_input_is_one_line_and_exit_2(project, files, args, needles):
    make_project(project, dict(files, **{"app/orders/crud/order.py": COMMIT_IN_CRUD}))
    assert_one_line_error(run_check(args, project), *needles)


def test_flake8_section_codes_of_other_plugins_are_accepted(project):
    make_project(project, {"app/orders/crud/order.py": COMMIT_IN_CRUD},
                 setup_cfg="[flake8]\nselect = E,F,W,C90,B,DDD\nextend-ignore = E203,W503,B950\n")
    result = run_check([], project)
    assert codes(result) == {(CRUD, 2, "DDD001")} and result.stderr == ""


def test_rule_rules_and_readme_subcommands_still_work(project):
    rule = subprocess.run([sys.executable, "-m", "flake8_ddd", "rule", "DDD001"],
                          capture_output=True, text=True, timeout=600)
    assert rule.returncode == 0 and rule.stdout.startswith("# commit-in-crud (DDD001)")
    listing = subprocess.run([sys.executable, "-m", "flake8_ddd", "rules", "--output-format", "json"],
                             capture_output=True, text=True, timeout=600)
    assert "DDD001" in {r["code"] for r in json.loads(listing.stdout)}
    missing = subprocess.run([sys.executable, "-m", "flake8_ddd", "readme", "--check", "NOPE.md"],
                             cwd=project, capture_output=True, text=True, timeout=600)
    assert_one_line_error(missing, "NOPE.md")


def test_check_builds_only_its_own_options(project):
    """A check does not import the modules of map and init just to parse its command line
    (their import was a third of a one-file check's start-up)."""
    make_project(project, {"app/orders/crud/order.py": COMMIT_IN_CRUD})
    script = ("import sys\nfrom flake8_ddd.cli import main\nstatus = main(['check', '--no-cache'])\n"
              "others = ('map_command', 'layout_init', 'arch_map', 'map_render')\n"
              "print([m for m in others if 'flake8_ddd.' + m in sys.modules], status)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=project, env=clean_env(),
                            capture_output=True, text=True, check=False)
    assert result.stdout.splitlines()[-1] == "[] 1", (result.stdout, result.stderr)


#: Runs ``flake8-ddd check -j2 .`` with every forked worker ending at its first file, as the
#: out-of-memory killer would end it: the parent process checks on.
DYING_WORKERS = """
import os, sys
from flake8_ddd import cli, runner

parent, check_one = os.getpid(), runner._run_one


def check_or_die(path):
    if os.getpid() != parent:
        os._exit(3)
    return check_one(path)


runner._run_one = check_or_die
sys.exit(cli.main(["check", "--no-cache", "-j2", "."]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or usable_cores() < 2,
                    reason="workers are forked on Linux only, and -j2 needs two cores")
def test_a_worker_that_dies_is_one_line_and_exit_2(project):
    make_project(project, {f"app/orders/crud/m{n}.py": COMMIT_IN_CRUD for n in range(200)})
    result = subprocess.run([sys.executable, "-c", DYING_WORKERS], cwd=project, capture_output=True,
                            text=True, env={**clean_env(), "FLAKE8_DDD_NO_REPLAY": "1"}, timeout=120)
    assert_one_line_error(result, "flake8-ddd: worker process", "exited with status 3",
                          "were not checked")

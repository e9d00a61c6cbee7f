"""Hostile input (issue 10): no data lost, no hang, no crash from the cache, no silent fallback.

Each test is one case a hostile (or merely unlucky) user found. They drive the real
``flake8-ddd`` command and the real flake8 in subprocesses; a run that could hang or read without
bound is given a timeout, its own process group (killed whole on timeout) and a memory limit, so
a regression fails the test instead of taking the machine down.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import re
import signal
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import pytest

from harness import clean_env, findings_of, make_project

ROOT = Path(__file__).resolve().parents[1]
COMMIT_IN_CRUD = "async def save(session):\n    await session.commit()\n"
SYNC_ROUTE = ('from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n'
              '@router.get("/")\ndef read() -> int:\n    return 1\n')
LAYER_NAMES = ("routes", "services", "crud", "schemas", "models", "dependencies", "exceptions",
               "tasks", "core", "apis")
MEMORY_LIMIT = 3 << 30


# --- running the real programs, bounded ---------------------------------------------------------

def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # pragma: no cover - no limit on this platform
        pass


def run_bounded(args: Sequence[str], cwd: Path, timeout: float = 60, stdin=None,
                env: Optional[Dict[str, str]] = None, preexec=None) -> subprocess.CompletedProcess:
    """``python ARGS`` in its own process group with a memory limit; a run that outlives
    ``timeout`` is killed with all its workers and fails the test."""
    def prepare() -> None:
        _limit_memory()
        if preexec is not None:
            preexec()

    process = subprocess.Popen([sys.executable, *args], cwd=str(cwd), env=env or clean_env(),
                               stdin=stdin if stdin is not None else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True, preexec_fn=prepare)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"`{' '.join(args)}` did not finish within {timeout} s (hang or super-linear time)")
    return subprocess.CompletedProcess(process.args, process.returncode,
                                       out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def check(args: Sequence[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return run_bounded(["-m", "flake8_ddd", "check", *args], cwd, **kwargs)


def flake8(args: Sequence[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return run_bounded(["-m", "flake8", *args], cwd, **kwargs)


def ddd(args: Sequence[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return run_bounded(["-m", "flake8_ddd", *args], cwd, **kwargs)


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj", {"app/user/crud/item.py": COMMIT_IN_CRUD})


# --- 1. clean never deletes what flake8-ddd did not write ----------------------------------------

def test_clean_keeps_foreign_files_in_a_shared_cache_directory(project, tmp_path):
    shared = tmp_path / "shared"
    (shared / "keep").mkdir(parents=True)
    (shared / "notes.txt").write_text("mine\n")
    (shared / "keep" / "data.json").write_text('{"format": 1}\n')
    env = {**clean_env(), "FLAKE8_DDD_CACHE_DIR": str(shared)}
    assert check([], project, env=env).returncode == 1
    cleaned = ddd(["clean"], project, env=env)
    assert cleaned.returncode == 0, cleaned.stderr
    assert (shared / "notes.txt").read_text() == "mine\n"
    assert (shared / "keep" / "data.json").read_text() == '{"format": 1}\n'
    left = sorted(str(p.relative_to(shared)) for p in shared.rglob("*") if p.is_file())
    assert left == [os.path.join("keep", "data.json"), "notes.txt"]  # ours gone, theirs kept


def test_clean_never_removes_a_directory_it_did_not_create(project, tmp_path):
    shared = tmp_path / "empty-but-mine"
    shared.mkdir()
    env = {**clean_env(), "FLAKE8_DDD_CACHE_DIR": str(shared)}
    assert check([], project, env=env).returncode == 1
    assert ddd(["clean"], project, env=env).returncode == 0
    assert shared.is_dir() and not any(shared.iterdir())


def test_clean_removes_a_cache_directory_it_created(project, tmp_path):
    fresh = tmp_path / "fresh-cache"
    env = {**clean_env(), "FLAKE8_DDD_CACHE_DIR": str(fresh)}
    assert check([], project, env=env).returncode == 1
    assert fresh.is_dir()
    assert ddd(["clean"], project, env=env).returncode == 0
    assert not fresh.exists()


# --- 2. a corrupt cache is a miss, never a crash and never a changed result ----------------------

def _corrupt_entry(kind: str, entry: list) -> object:
    key, rows = entry
    if kind == "object-where-list":
        return {"0": key, "1": rows}
    row = list(rows[0])
    if kind == "absurd-line":
        row[0] = 10 ** 30
    elif kind == "negative-column":
        row[1] = -5
    elif kind == "dict-as-message":
        row[3] = {"text": "not a message"}
    elif kind == "code-not-a-code":
        row[2] = "rm -rf /"
    return [key, [row] + rows[1:]]


@pytest.mark.parametrize("kind", ["object-where-list", "deeply-nested", "absurd-line",
                                  "negative-column", "dict-as-message", "code-not-a-code"])
def test_corrupt_cache_entry_is_a_miss(project, tmp_path, kind):
    cache_dir = tmp_path / "cache"
    env = {**clean_env(), "FLAKE8_DDD_CACHE_DIR": str(cache_dir)}
    expected = check(["--no-cache"], project, env=env)
    assert expected.returncode == 1 and "DDD001" in expected.stdout
    assert check([], project, env=env).stdout == expected.stdout  # fills the cache
    [cache_file] = list(cache_dir.glob("*/*.json"))  # <version>/<run key>.json
    if kind == "deeply-nested":
        cache_file.write_text("[" * 100_000)
    else:
        document = json.loads(cache_file.read_text())
        [shown] = document["entries"]
        document["entries"][shown] = _corrupt_entry(kind, document["entries"][shown])
        cache_file.write_text(json.dumps(document))
    for _ in range(2):  # the corrupt run, then the run after it (the entry was rewritten)
        result = check([], project, env=env)
        assert_no_traceback(result)
        assert (result.returncode, result.stdout) == (expected.returncode, expected.stdout)


# --- 3. configuration errors are errors -----------------------------------------------------------

DUPLICATE_KEY = "[flake8]\nextend-select = DDD\nextend-select = DDD1\n"


def test_duplicate_key_in_setup_cfg_is_an_error_naming_file_and_key(tmp_path):
    root = make_project(tmp_path / "proj", {"app/user/crud/item.py": COMMIT_IN_CRUD},
                        setup_cfg=DUPLICATE_KEY)
    result = check(["--no-cache"], root)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "setup.cfg" in result.stderr and "extend-select" in result.stderr
    assert_no_traceback(result)


def test_duplicate_key_in_an_explicit_config_is_an_error_naming_file_and_key(tmp_path):
    root = make_project(tmp_path / "proj", {"app/user/crud/item.py": COMMIT_IN_CRUD})
    (root / "dup.cfg").write_text(DUPLICATE_KEY)
    result = check(["--no-cache", "--config", "dup.cfg"], root)
    assert result.returncode == 2
    assert "dup.cfg" in result.stderr and "extend-select" in result.stderr
    assert "no [flake8] section" not in result.stderr


def _pin_project(tmp_path: Path, pin: str) -> Path:
    return make_project(tmp_path / "proj", {"app/user/helpers.py": f'"""Helpers."""\n{pin}\nVALUE = 1\n'},
                        setup_cfg="[flake8]\nextend-select = DDD\n")


@pytest.mark.parametrize("pin", ["# ddd: layer=crd", "# ddd: layer=crud+none", "# ddd: layer=crud+"])
@pytest.mark.parametrize("program", ["check", "flake8"])
def test_unknown_layer_in_pin_is_ddd600_at_the_pin(tmp_path, pin, program):
    root = _pin_project(tmp_path, pin)
    if program == "check":
        result = check(["--no-cache"], root)
    else:
        result = flake8(["--select=DDD", "app"], root)
    found = [f for f in findings_of(result.stdout) if f[3] == "DDD600"]
    assert [(f[0], f[1], f[2]) for f in found] == [(os.path.join("app", "user", "helpers.py"), 2, 1)], \
        (result.stdout, result.stderr)
    text = found[0][4]
    assert all(name in text for name in LAYER_NAMES + ("none",)), text


@pytest.mark.parametrize("pin", ["# ddd: layer=crud", "# ddd: layer = Models+schemas",
                                 "# ddd: layer=none", "# ddd: layer=services  ", "# ddd:layer=core"])
def test_valid_pins_are_not_ddd600(tmp_path, pin):
    result = check(["--no-cache", "--select=DDD600"], _pin_project(tmp_path, pin))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("option,value", [("ddd-layer-paths", "app/[*.py=crud"),
                                          ("ddd-layer-exclude", "app/[*.py")])
@pytest.mark.parametrize("program", ["check", "flake8"])
def test_malformed_glob_in_layer_options_is_rejected_naming_the_option(tmp_path, option, value, program):
    root = make_project(tmp_path / "proj", {"app/user/crud/item.py": COMMIT_IN_CRUD},
                        setup_cfg=f"[flake8]\nextend-select = DDD\n{option} = {value}\n")
    result = check(["--no-cache"], root) if program == "check" else flake8(["app"], root)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert option in result.stderr and "DDD001" not in result.stdout
    assert_no_traceback(result)


def test_unknown_ddd_option_under_flake8_warns_once(tmp_path):
    files = {f"app/f{i}/crud/item.py": COMMIT_IN_CRUD for i in range(4)}
    root = make_project(tmp_path / "proj", files,
                        setup_cfg="[flake8]\nextend-select = DDD\nddd-layer-segmentz = handlers=routes\n")
    result = flake8(["-j2", "app"], root)
    assert result.returncode == 1
    assert result.stderr.count("ddd-layer-segmentz") == 1, result.stderr
    assert "ddd-layer-segments" in result.stderr  # the known spelling is suggested


# --- 4. hangs and blow-ups ----------------------------------------------------------------------

@pytest.fixture
def fifo_project(project):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    os.mkfifo(project / "app" / "pipe.py")
    return project


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fifo_found_by_directory_walk_never_hangs(fifo_project, jobs):
    result = check(["--no-cache", "-j", jobs], fifo_project, timeout=60)
    assert_no_traceback(result)
    assert "DDD001" in result.stdout  # the other files are still checked
    assert "pipe.py" in result.stdout + result.stderr  # an E902, or a note that it was skipped


def test_fifo_named_on_the_command_line_is_e902(fifo_project):
    result = check(["--no-cache", os.path.join("app", "pipe.py")], fifo_project, timeout=60)
    assert result.returncode == 1
    assert re.search(r"^app/pipe\.py:1:1: E902 .*regular file", result.stdout, re.M), result.stdout


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_device_is_e902_not_read_without_bound(project):
    result = check(["--no-cache", "/dev/zero"], project, timeout=60)
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stdout.startswith("/dev/zero:1:1: E902 "), result.stdout


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_endless_standard_input_is_e902_not_read_without_bound(project):
    with open("/dev/zero", "rb") as zeros:
        result = check(["--no-cache", "--stdin-filename", "app/user/crud/x.py", "-"], project,
                       timeout=60, stdin=zeros)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "E902" in result.stdout and "larger than" in result.stdout, result.stdout


def test_file_over_the_size_limit_is_e902(project):
    big = project / "app" / "generated.py"
    with open(big, "wb") as handle:  # a 40 MiB comment: far above the limit
        handle.write(b"# " + b"a" * (40 << 20) + b"\n")
    result = check(["--no-cache", os.path.join("app", "generated.py")], project, timeout=120)
    assert result.returncode == 1
    assert re.search(r"^app/generated\.py:1:1: E902 .*larger than", result.stdout, re.M), result.stdout


SLOW_PIN = '"""Module."""\n# ddd: layer=a' + " " * 200_000 + "!\nVALUE = 1\n"


LINT_IN_PLUGIN_PATH = ("import sys; from flake8_ddd.engine import lint_source; "
                       "print(len(lint_source(open(sys.argv[1]).read(), sys.argv[1])))")


@pytest.mark.parametrize("program", ["check", "plugin"])
def test_pin_followed_by_a_long_run_of_spaces_is_linear(tmp_path, program):
    """200,000 spaces: the quadratic pattern took well over a minute; linear parsing, well
    under a second. 20 s is generous for any machine.

    The plugin's path is driven without flake8 itself: flake8's own ``# flake8: noqa`` pattern
    is quadratic on such a line (6 s for 50,000 spaces), which no plugin can change."""
    root = make_project(tmp_path / "proj", {"app/user/helpers.py": SLOW_PIN})
    if program == "check":
        result = check(["--no-cache"], root, timeout=20)
    else:
        result = run_bounded(["-c", LINT_IN_PLUGIN_PATH, "app/user/helpers.py"], root, timeout=20)
    assert_no_traceback(result)
    assert result.returncode in (0, 1)


def test_jobs_are_capped_at_files_and_cores():
    from flake8_ddd import runner

    cores = os.cpu_count() or 1
    assert runner.job_count(1500, 1500) <= cores
    assert runner.job_count(1500, 3) <= 3
    assert runner.job_count(None, 1) == 1
    assert runner.job_count(1, 100) == 1


# --- 5. nothing skipped silently ------------------------------------------------------------------

def _drop_file_permission_override() -> None:
    """In the child: give up root's power to read any directory (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH leave the bounding set, so the program runs without them)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    pr_capbset_drop = 24
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_unreadable_directory_is_reported(project):
    secret = project / "app" / "secret"
    secret.mkdir()
    (secret / "hidden.py").write_text(COMMIT_IN_CRUD)
    preexec = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        if not sys.platform.startswith("linux"):
            pytest.skip("root reads every directory; dropping that right needs Linux")
        preexec = _drop_file_permission_override
    secret.chmod(0)
    try:
        try:
            result = check(["--no-cache", "-j1"], project, preexec=preexec)
        except subprocess.SubprocessError as error:  # pragma: no cover - prctl refused
            pytest.skip(f"cannot drop root's read-anything capability here: {error}")
    finally:
        secret.chmod(0o755)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "DDD001" in result.stdout
    assert re.search(r"^app/secret:1:1: E902 ", result.stdout, re.M), (result.stdout, result.stderr)


def test_zero_files_checked_is_said_out_loud_when_excludes_leave_nothing(tmp_path):
    root = make_project(tmp_path / "proj", {"app/user/crud/item.py": COMMIT_IN_CRUD},
                        flake8="[flake8]\nexclude = .git,*.py,build\n")
    result = check(["--no-cache"], root)
    assert result.returncode == 0
    assert "0 files checked" in result.stderr, result.stderr


def test_zero_files_checked_is_said_out_loud_when_paths_hold_no_python(tmp_path):
    root = make_project(tmp_path / "proj", {"docs/readme.txt": "hello\n"})
    result = check(["--no-cache", "docs"], root)
    assert result.returncode == 0
    assert "0 files checked" in result.stderr, result.stderr


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


@pytest.mark.parametrize("line, names, problem", [
    ("# ddd: layer=crud", ("crud",), None),
    ("x = 1  # ddd:layer = Models + schemas  ", ("models", "schemas"), None),
    ("# ddd: layer=none", (), None),
    ("# ddd: layer=crd", (), "names the unknown layer 'crd'"),
    ("# ddd: layer=crud+none", (), "joins 'none' with a layer"),
    ("# ddd: layer=crud,", (), "has a dangling separator in 'crud,'"),
    ("# ddd: layer=", (), "names no layer"),
    ("# ddd: layer=crud # why", (), "has '#', which is not a layer name"),
])
def test_pin_parser(line, names, problem):
    from flake8_ddd.layers import Layer
    from flake8_ddd.pins import find_pin

    pin = find_pin(['"""Doc."""\n', line + "\n"], [layer.value for layer in Layer])
    assert pin is not None and pin.line == 2 and line[pin.col] == "#"
    assert (pin.names, pin.problem) == (names, problem)

"""Time flake8-ddd against bare parsing, flake8 and ruff on the same files, in one run.

    python benchmarks/run.py --polar ~/src/polar/server --dispatch ~/src/dispatch
    python benchmarks/run.py --dense 2000 --million 0 --no-flake8 --repeat 3   # a quick look
    python benchmarks/run.py --sizes 500,1000,2000,5000                        # plus growth

The trees of the targets of issue 16: the dense synthetic corpus (``--dense`` files written by
``benchmarks/generate.py``), polarsource/polar's ``server/`` and Netflix/dispatch (``--polar`` /
``--dispatch`` or the environment variables ``FLAKE8_DDD_BENCH_POLAR`` /
``FLAKE8_DDD_BENCH_DISPATCH``; skipped with a note when absent), the standard library copied
below ``app/services/`` (``--no-stdlib`` to skip), a synthetic tree of about ``--million``
lines, and one small file (start-up); more synthetic sizes with ``--sizes``, more projects with
``--path``. For each tree it times, interleaving the commands within each round so that a load
change hits them all alike:

- ``ast.parse``: a fresh interpreter that walks the tree, reads and parses every file (the
  floor for any AST linter written in Python);
- ``flake8 --jobs 1`` without the plugin (a second virtual environment with the same flake8,
  pycodestyle, pyflakes and mccabe versions, created once under
  ``~/.cache/flake8-ddd-bench/``) and with it, and ``flake8 --jobs 1 --select=DDD`` (on the
  dense corpus and the real projects only);
- ``flake8-ddd check`` on one process and on all cores, cold (``--no-cache``: no result
  cache, the project index the earlier runs stored) and warm (the cache filled by an untimed
  run, nothing changed: a replay of the recorded run once the tree has settled); and the first
  run on the project (``--no-cache`` with an empty cache directory: the index built too);
- ``ruff check --select F --no-cache`` when ruff is installed.

It reports medians (and min-max) of wall time and of CPU time (user+sys of the process and its
workers, from ``wait4``; CPU time is steadier than wall time on a shared machine), peak RSS
(GNU time's ``%M``: the largest single process), and then every target of issue 16 with its
measured value: ratios are taken per round, printed as the median with the min-max of the
rounds beside it, and marked met or not (``targets.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import generate  # noqa: E402
import targets  # noqa: E402
from targets import fmt, growth, ratios, summary_table  # noqa: E402

BIN = os.path.dirname(sys.executable)
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "flake8-ddd-bench")
VENV_NOPLUGIN = os.path.join(CACHE, "venv-noplugin")
VENV_INSTALLED = os.path.join(CACHE, "venv-installed")
PYCACHE = os.path.join(CACHE, "pycache")
FLAKE8_PACKAGES = ("flake8", "pycodestyle", "pyflakes", "mccabe")
EXCLUDED_DIRS = {".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env", "__pycache__",
                 "node_modules", "build", "dist", ".eggs", ".mypy_cache", ".pytest_cache",
                 ".ruff_cache", ".flake8_ddd_cache"}

#: The bare-parse baseline, run in its own interpreter like every other command.
PARSE_SCRIPT = """
import ast, os, sys, warnings
warnings.simplefilter("ignore")
skip = set(sys.argv[2].split(","))
count = 0
for root, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = sorted(d for d in dirs if d not in skip and not d.endswith(".egg"))
    for name in sorted(files):
        if name.endswith(".py"):
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                try:
                    ast.parse(handle.read(), path)
                except (SyntaxError, ValueError):
                    pass
            count += 1
print(count)
"""


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    status: int


@dataclass
class Measure:
    name: str
    samples: List[Sample] = field(default_factory=list)

    def median(self, what: str = "wall") -> float:
        return statistics.median(getattr(s, what) for s in self.samples)

    def spread(self, what: str = "wall") -> Tuple[float, float]:
        values = [getattr(s, what) for s in self.samples]
        return min(values), max(values)


def command_env() -> Dict[str, str]:
    """The environment of every timed command: bytecode caching on, as in a normal install
    (``PYTHONDONTWRITEBYTECODE`` would recompile every module on every run), kept outside the
    source trees."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    return env


TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
RSS_MARK = "__flake8_ddd_bench_maxrss_kb="


#: The edit loop: the cache filled, one module edited before each run (a comment added or
#: removed at its end, so its findings and every other file's facts stay the same). On the
#: synthetic trees only, which this script wrote; timed after the rounds (an edit would keep
#: the warm runs from replaying), and the module is restored afterwards.
EDITED = "check warm, 1 file edited"
EDITED_MODULE = os.path.join("app", "main.py")


#: The first run on a project: no cache directory at all, so the project index is built too
#: (``check cold`` keeps the index the earlier runs stored; ``--no-cache`` is about results).
FIRST_RUN = "check first run -j1"


def timed(argv: Sequence[str], cwd: str, label: str = "") -> Sample:
    """Run a command to completion; wall time, CPU time and peak RSS of it and its workers.

    The peak RSS comes from GNU time (``%M``) when it is installed: ``wait4`` here would count
    the memory of this process, which the child shares until it execs.
    """
    if label == FIRST_RUN:
        with tempfile.TemporaryDirectory(prefix="ddd-bench-cache-") as empty:
            return _timed(argv, cwd, {"FLAKE8_DDD_CACHE_DIR": empty})
    return _timed(argv, cwd, {})


def _timed(argv: Sequence[str], cwd: str, extra_env: Dict[str, str]) -> Sample:
    command = list(argv)
    if TIME:
        command = [TIME, "-f", RSS_MARK + "%M", *command]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env={**command_env(), **extra_env})
    assert process.stderr is not None
    stderr = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    rss_kb = usage.ru_maxrss
    if TIME and RSS_MARK in stderr:
        head, _, tail = stderr.rpartition(RSS_MARK)
        rss_kb = int(tail.split()[0])
        stderr = head
        if "Command exited with non-zero status" in stderr:
            stderr = stderr.rsplit("Command exited with non-zero status", 1)[0]
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} in {cwd} failed ({process.returncode}):\n{stderr[-2000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, rss_kb / 1024, process.returncode)


# --- tools ---------------------------------------------------------------------------------

def tool(name: str) -> Optional[str]:
    candidate = os.path.join(BIN, name)
    return candidate if os.path.exists(candidate) else shutil.which(name)


def version_of(package: str) -> Optional[str]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def noplugin_flake8(path: str = VENV_NOPLUGIN) -> str:
    """flake8 in a virtual environment without flake8-ddd, same versions as this one's."""
    bin_dir = _flake8_venv(path)
    subprocess.run([os.path.join(bin_dir, "python"), "-m", "pip", "uninstall", "-q", "-y",
                    "flake8-ddd"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return os.path.join(bin_dir, "flake8")


def installed_checkout(path: str = VENV_INSTALLED) -> str:
    """The bin directory of a virtual environment with flake8 (this one's versions) and this
    checkout installed as a user installs it: built into a wheel, not editable. Every process of
    an environment with an editable install imports its path finder first (pathlib, urllib:
    ~10 ms of CPU), which no user pays; start-up and warm runs are timed without it."""
    bin_dir = _flake8_venv(path)
    subprocess.run([os.path.join(bin_dir, "python"), "-m", "pip", "install", "-q", "--no-deps",
                    "--force-reinstall", os.path.dirname(os.path.dirname(os.path.abspath(__file__)))],
                   check=True)
    return bin_dir


def _flake8_venv(path: str) -> str:
    """The bin directory of a virtual environment at ``path`` with flake8 and its plugins pinned
    to this environment's versions (created, or re-created when the pins change)."""
    pins = [f"{name}=={version_of(name)}" for name in FLAKE8_PACKAGES if version_of(name)]
    marker = os.path.join(path, "pins.json")
    bin_dir = os.path.join(path, "bin")
    try:
        with open(marker, encoding="utf-8") as handle:
            if json.load(handle) == pins and os.path.exists(os.path.join(bin_dir, "flake8")):
                return bin_dir
    except (OSError, ValueError):
        pass
    print(f"creating {path} with {' '.join(pins)} ...", file=sys.stderr)
    shutil.rmtree(path, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", path], check=True)
    subprocess.run([os.path.join(bin_dir, "python"), "-m", "pip", "install", "-q", *pins],
                   check=True)
    with open(marker, "w", encoding="utf-8") as handle:
        json.dump(pins, handle)
    return bin_dir


# --- one corpus ----------------------------------------------------------------------------

def count_files(root: str) -> Tuple[int, int]:
    files = lines = 0
    for directory, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in EXCLUDED_DIRS and not d.endswith(".egg")]
        for name in names:
            if name.endswith(".py"):
                files += 1
                try:
                    with open(os.path.join(directory, name), "rb") as handle:
                        lines += handle.read().count(b"\n")
                except OSError:
                    pass
    return files, lines


def commands(root: str, synthetic: bool, jobs: int, flake8: bool, noplugin: Optional[str],
             ruff: Optional[str], select_ddd: bool = True) -> List[Tuple[str, List[str]]]:
    """(name, argv) of every timed command. Real projects run isolated from their own
    configuration (which may name plugins this environment lacks)."""
    isolated = [] if synthetic else ["--isolated"]
    check = [tool("flake8-ddd") or "flake8-ddd", "check", *isolated, "."]
    found: List[Tuple[str, List[str]]] = [
        ("ast.parse", [os.path.join(BIN, "python"), "-c", PARSE_SCRIPT, ".",
                       ",".join(sorted(EXCLUDED_DIRS))]),
    ]
    if flake8:
        with_plugin = tool("flake8") or "flake8"
        if noplugin:
            found.append(("flake8 -j1 (no plugin)", [noplugin, "--jobs", "1", *isolated, "."]))
        found.append(("flake8 -j1 (+ flake8-ddd)", [with_plugin, "--jobs", "1", *isolated, "."]))
        if select_ddd:
            found.append(("flake8 -j1 --select=DDD", [with_plugin, "--jobs", "1", *isolated,
                                                      "--select=DDD", "."]))
    edited = [(EDITED, check + ["--jobs", "1"])] if synthetic else []
    found += edited + [
        (FIRST_RUN, check + ["--no-cache", "--jobs", "1"]),
        ("check cold -j1", check + ["--no-cache", "--jobs", "1"]),
        (f"check cold -j{jobs}", check + ["--no-cache", "--jobs", str(jobs)]),
        ("check warm -j1", check + ["--jobs", "1"]),
        (f"check warm -j{jobs}", check + ["--jobs", str(jobs)]),
    ]
    if ruff:
        found.append(("ruff --select F --no-cache",
                      [ruff, "check", "--isolated", "--select", "F", "--no-cache", "--quiet",
                       "--exit-zero", "."]))
    return found


def _read_bytes(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _toggle_comment(path: str, original: bytes) -> None:
    """Add a comment at the end of the module, or take it away: a change every time."""
    current = _read_bytes(path)
    with open(path, "wb") as handle:
        handle.write(original if current != original else original + b"# edited\n")


def bench_corpus(name: str, root: str, synthetic: bool, repeat: int, jobs: int, flake8: bool,
                 noplugin: Optional[str], ruff: Optional[str]) -> Dict[str, object]:
    files, lines = count_files(root)
    print(f"\n## {name}: {root} ({files} files, {lines} lines)", flush=True)
    planned = commands(root, synthetic, jobs, flake8, noplugin, ruff,
                       select_ddd=name.startswith("synthetic-") or name not in TARGET_TREES)
    # Fill the result cache for the warm runs, the bytecode caches and the page cache.
    for label, argv in planned:
        if label.startswith(("check warm", "flake8", "ast.parse")):
            subprocess.run(argv, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=command_env())
    measures = {label: Measure(label) for label, _ in planned}
    edited = os.path.join(root, EDITED_MODULE)
    original = _read_bytes(edited) if any(label == EDITED for label, _ in planned) else None
    try:
        for round_number in range(repeat):
            for label, argv in planned:
                if label != EDITED:
                    measures[label].samples.append(timed(argv, root, label))
            print(f"  round {round_number + 1}/{repeat} done ({os.getloadavg()[0]:.2f} load)",
                  flush=True)
        # After the rounds: an edit would keep the warm runs of the rounds from replaying.
        for label, argv in planned:
            for _ in range(repeat if label == EDITED and original is not None else 0):
                _toggle_comment(edited, original)  # type: ignore[arg-type]
                measures[label].samples.append(timed(argv, root, label))
    finally:
        if original is not None:
            with open(edited, "wb") as handle:
                handle.write(original)
    result: Dict[str, object] = {"name": name, "root": root, "files": files, "lines": lines,
                                 "synthetic": synthetic, "measures": {}}
    for label, measure in measures.items():
        low, high = measure.spread()
        result["measures"][label] = {  # type: ignore[index]
            "wall": measure.median(), "wall_min": low, "wall_max": high,
            "cpu": measure.median("cpu"), "rss_mb": max(s.rss_mb for s in measure.samples),
            "samples": [s.__dict__ for s in measure.samples]}
    print_corpus(result, jobs)
    return result


# --- reporting -----------------------------------------------------------------------------

def print_corpus(result: Dict[str, object], jobs: int) -> None:
    print(f"  {'command':<28} {'wall median':>12} {'(min-max)':>17} {'CPU median':>11} {'peak RSS':>9}")
    for label, data in result["measures"].items():  # type: ignore[union-attr]
        print(f"  {label:<28} {data['wall']:>11.3f}s {data['wall_min']:>8.3f}-{data['wall_max']:<7.3f}s "
              f"{data['cpu']:>10.3f}s {data['rss_mb']:>7.0f}MB")
    r = ratios(result, jobs)
    print(f"  plugin overhead in flake8 -j1: {fmt(r['plugin_overhead_pct'], '%', 1)} wall, "
          f"{fmt(r['plugin_overhead_cpu_pct'], '%', 1)} CPU (target <= 5%)")
    print(f"  check cold -j1 / ast.parse: {fmt(r['cold_j1_over_parse'], 'x')} wall, "
          f"{fmt(r['cold_j1_over_parse_cpu'], 'x')} CPU (target <= 2.0x)")
    print(f"  check warm / ruff --select F: {fmt(r['warm_j1_over_ruff'], 'x')} (-j1), "
          f"{fmt(r[f'warm_j{jobs}_over_ruff'], 'x')} (-j{jobs}) (target < 1)")
    print(f"  peak RSS of check cold -j1: {fmt(r['peak_rss_mb'], ' MB', 0)} (target <= 200 MB)")
    measures = result["measures"]  # type: ignore[index]
    if measures["check warm -j1"]["wall"] > 0.6 * measures["check cold -j1"]["wall"]:  # type: ignore[index]
        print("  WARNING: the warm runs were not much faster than the cold ones: was the cache "
              "invalidated during the run (flake8_ddd sources edited)?")


def machine() -> Dict[str, object]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle
                          if line.startswith("model name")), model)
    except OSError:
        model = platform.processor() or model
    return {"cores": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "implementation": platform.python_implementation(), "platform": platform.platform(),
            "flake8": version_of("flake8"), "flake8-ddd": version_of("flake8-ddd"),
            "ruff": version_of("ruff"), "load": os.getloadavg()}


def arguments(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="",
                        help="more synthetic corpus sizes in files, comma-separated, for the "
                             "growth exponent (e.g. 500,1000,2000,5000)")
    parser.add_argument("--repeat", type=int, default=7, help="interleaved rounds (median)")
    parser.add_argument("--dense", type=int, default=5000, metavar="FILES",
                        help="files of the dense synthetic corpus of the targets (0: none)")
    parser.add_argument("--million", type=int, default=1_000_000, metavar="LINES",
                        help="lines of the large synthetic tree (0: none)")
    parser.add_argument("--flake8-trees", default="dense,polar,dispatch",
                        help="target trees where flake8 is timed (default: dense,polar,dispatch)")
    parser.add_argument("--no-stdlib", action="store_true",
                        help="skip the standard library placed at a services path")
    parser.add_argument("--polar", metavar="DIR", help=f"polarsource/polar's server/ "
                        f"(default: ${targets.POLAR_ENV}; skipped with a note when absent)")
    parser.add_argument("--dispatch", metavar="DIR", help=f"a Netflix/dispatch checkout "
                        f"(default: ${targets.DISPATCH_ENV}; skipped with a note when absent)")
    parser.add_argument("--path", action="append", default=[], metavar="DIR",
                        help="a real project to time as well (repeatable; run --isolated)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes for the all-cores runs (default: cores)")
    parser.add_argument("--no-flake8", action="store_true", help="skip the flake8 runs")
    parser.add_argument("--flake8-sizes", help="run flake8 only on these sizes (default: all)")
    parser.add_argument("--root", default=generate.DEFAULT_ROOT, help="where corpora are written")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    for path in args.path:
        if not os.path.isdir(os.path.expanduser(path)):
            parser.error(f"--path {path}: not a directory")
    return args


def synthetic_corpus(size: int, corpora_root: str, seed: int) -> str:
    """The corpus of ``size`` files, generated again only when the seed or the generator changed."""
    root = os.path.join(corpora_root, str(size))
    marker = os.path.join(root, ".bench-seed")
    stamp = f"{seed}:{size}:{generate.digest()}"
    try:
        with open(marker, encoding="utf-8") as handle:
            current = handle.read() == stamp
    except OSError:
        current = False
    if not current:
        generate.generate(size, root, seed)
        with open(marker, "w", encoding="utf-8") as handle:
            handle.write(stamp)
    return root


#: The trees of issue 16's targets (where ``flake8 --select=DDD``, no target, is not timed).
TARGET_TREES = ("dense", "polar", "dispatch", "stdlib", "1M lines", "one file")


def target_corpora(args: argparse.Namespace) -> List[Tuple[str, str, bool, bool]]:
    """(name, root, synthetic, with flake8) of the trees the targets are judged on."""
    found: List[Tuple[str, str, bool, bool]] = []
    with_flake8 = set() if args.no_flake8 else set(args.flake8_trees.split(","))
    if args.dense:
        found.append(("dense", synthetic_corpus(args.dense, args.root, args.seed), True,
                      "dense" in with_flake8))
    for name, given, env in (("polar", args.polar, targets.POLAR_ENV),
                             ("dispatch", args.dispatch, targets.DISPATCH_ENV)):
        path = targets.real_project(given, env)
        if path and os.path.isdir(path):
            found.append((name, path, False, name in with_flake8))
        else:
            print(f"note: {name} skipped: give --{name} DIR or set ${env}", file=sys.stderr)
    if not args.no_stdlib:
        found.append(("stdlib", targets.stdlib_tree(args.root), False, False))
    if args.million:
        size = targets.million_files(args.million)
        found.append(("1M lines", synthetic_corpus(size, args.root, args.seed), True, False))
    found.append(("one file", targets.one_file_tree(args.root), False, False))
    return found


def main(argv: Optional[List[str]] = None) -> int:
    args = arguments(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    flake8_sizes = (set(int(s) for s in args.flake8_sizes.split(",") if s.strip())
                    if args.flake8_sizes else None)
    info = machine()
    print(f"machine: {info['cores']} cores, {info['cpu']}; {info['implementation']} "
          f"{info['python']} on {info['platform']}")
    print(f"versions: flake8 {info['flake8']}, flake8-ddd {info['flake8-ddd']}, ruff {info['ruff']}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in info['load'])}")  # type: ignore[union-attr]

    noplugin = None if args.no_flake8 else noplugin_flake8()
    ruff = tool("ruff")
    global BIN
    BIN = installed_checkout()  # flake8-ddd, flake8 with it, and the parse loop's Python
    if ruff is None:
        print("ruff is not installed: its row is skipped", file=sys.stderr)
    corpora: List[Tuple[str, str, bool, bool]] = []
    for size in sizes:
        root = synthetic_corpus(size, args.root, args.seed)
        with_flake8 = not args.no_flake8 and (flake8_sizes is None or size in flake8_sizes)
        corpora.append((f"synthetic-{size}", root, True, with_flake8))
    for path in args.path:
        root = os.path.abspath(os.path.expanduser(path))
        corpora.append((os.path.basename(root.rstrip(os.sep)), root, False, not args.no_flake8))
    corpora += target_corpora(args)

    results = [bench_corpus(name, root, synthetic, args.repeat, args.jobs, with_flake8,
                            noplugin, ruff)
               for name, root, synthetic, with_flake8 in corpora]

    print("\n## Summary (wall-time medians of", args.repeat, "runs)\n")
    print(summary_table(results, args.jobs))
    exponent = growth(results, "check cold -j1")
    exponent_cpu = growth(results, "check cold -j1", "cpu")
    parse_exponent = growth(results, "ast.parse")
    if exponent is not None:
        print(f"\ngrowth exponent of check cold -j1 over "
              f"{', '.join(str(s) for s in sizes if 500 <= s <= 5000)} files: "
              f"{fmt(exponent, '', 3)} wall, {fmt(exponent_cpu, '', 3)} CPU "
              f"(ast.parse: {fmt(parse_exponent, '', 3)}; 1.0 is linear)")
    print(f"\n## Targets (issue 16; {args.repeat} interleaved rounds; ratios per round)\n")
    print(targets.table(targets.targets(results, args.jobs)))
    end_load = os.getloadavg()
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in end_load)}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"machine": info, "load_end": end_load, "results": results,
                       "growth_exponent": exponent, "growth_exponent_cpu": exponent_cpu,
                       "parse_growth_exponent": parse_exponent}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

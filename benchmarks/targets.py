"""The speed targets of issue 16, and the trees they are measured on.

``run.py`` times the commands; this module builds the trees that are not generated corpora
(the standard library placed at a services path, a tree of about a million lines), times the
start-up on one small file, and judges every target from the samples: each ratio is computed
per round (the commands of a round run one after the other, so a change of load hits both
sides alike) and printed as the median with the min-max of the rounds beside it.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import sysconfig
from typing import Callable, Dict, List, Optional, Sequence

#: Environment variables naming the real projects (also ``--polar`` / ``--dispatch``).
POLAR_ENV = "FLAKE8_DDD_BENCH_POLAR"
DISPATCH_ENV = "FLAKE8_DDD_BENCH_DISPATCH"

Result = Dict[str, object]


# --- trees -------------------------------------------------------------------------------------

def stdlib_tree(corpora_root: str) -> str:
    """The standard library's modules (no site-packages) copied below ``app/services/``, once,
    with ``__init__.py`` files in ``app/`` and ``app/services/`` (so ``asyncio/events.py`` is
    ``app.services.asyncio.events``): every file but the tests is services code, and every
    layer rule that applies to services runs on it."""
    root = os.path.join(corpora_root, "stdlib")
    target = os.path.join(root, "app", "services")
    stdlib = sysconfig.get_paths()["stdlib"]
    marker = os.path.join(root, ".bench-source")
    try:
        with open(marker, encoding="utf-8") as handle:
            if handle.read() == stdlib + ":packages":
                return root
    except OSError:
        pass
    shutil.rmtree(root, ignore_errors=True)
    for directory, dirs, files in os.walk(stdlib):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__"))
        for name in files:
            if name.endswith(".py"):
                relative = os.path.relpath(os.path.join(directory, name), stdlib)
                os.makedirs(os.path.dirname(os.path.join(target, relative)), exist_ok=True)
                shutil.copyfile(os.path.join(directory, name), os.path.join(target, relative))
    for package in (os.path.join(root, "app"), target):
        with open(os.path.join(package, "__init__.py"), "w", encoding="utf-8"):
            pass
    with open(marker, "w", encoding="utf-8") as handle:
        handle.write(stdlib + ":packages")
    return root


def million_files(lines: int) -> int:
    """Files of the synthetic corpus that make about ``lines`` lines (60 lines a file)."""
    return max(1, round(lines / 60))


def one_file_tree(corpora_root: str) -> str:
    """A directory with one small module, for the start-up time."""
    root = os.path.join(corpora_root, "one-file")
    os.makedirs(os.path.join(root, "app", "services"), exist_ok=True)
    with open(os.path.join(root, "app", "services", "small.py"), "w", encoding="utf-8") as handle:
        handle.write('"""A small service."""\n\n\ndef total(values):\n    return sum(values)\n')
    return root


def real_project(given: Optional[str], env: str) -> Optional[str]:
    path = given or os.environ.get(env)
    return os.path.abspath(os.path.expanduser(path)) if path else None


def ratios(result: Dict[str, object], jobs: int) -> Dict[str, Optional[float]]:
    m = result["measures"]  # type: ignore[index]

    def get(label: str, what: str = "wall") -> Optional[float]:
        return m[label][what] if label in m else None  # type: ignore[index]

    def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
        return a / b if a is not None and b else None

    overhead = ratio(get("flake8 -j1 (+ flake8-ddd)"), get("flake8 -j1 (no plugin)"))
    overhead_cpu = ratio(get("flake8 -j1 (+ flake8-ddd)", "cpu"), get("flake8 -j1 (no plugin)", "cpu"))
    return {
        "plugin_overhead_pct": None if overhead is None else (overhead - 1) * 100,
        "plugin_overhead_cpu_pct": None if overhead_cpu is None else (overhead_cpu - 1) * 100,
        "cold_j1_over_parse": ratio(get("check cold -j1"), get("ast.parse")),
        "cold_j1_over_parse_cpu": ratio(get("check cold -j1", "cpu"), get("ast.parse", "cpu")),
        "warm_j1_over_ruff": ratio(get("check warm -j1"), get("ruff --select F --no-cache")),
        f"warm_j{jobs}_over_ruff": ratio(get(f"check warm -j{jobs}"), get("ruff --select F --no-cache")),
        "select_ddd_over_check_cold_j1": ratio(get("flake8 -j1 --select=DDD"), get("check cold -j1")),
        "peak_rss_mb": get("check cold -j1", "rss_mb"),
    }


def fmt(value: Optional[float], unit: str = "", digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


# --- judging -----------------------------------------------------------------------------------

def samples(result: Result, label: str, what: str) -> Optional[List[float]]:
    measure = result["measures"].get(label)  # type: ignore[union-attr]
    return None if measure is None else [s[what] for s in measure["samples"]]


def per_round(result: Result, top: str, bottom: str, what: str = "cpu") -> Optional[List[float]]:
    """``top / bottom`` in each round."""
    a, b = samples(result, top, what), samples(result, bottom, what)
    if not a or not b:
        return None
    return [x / y for x, y in zip(a, b) if y]


def spread(values: Optional[Sequence[float]], unit: str = "x", digits: int = 2) -> str:
    if not values:
        return "n/a"
    fmt = f"{{:.{digits}f}}"
    return (f"{fmt.format(statistics.median(values))}{unit} "
            f"({fmt.format(min(values))}-{fmt.format(max(values))})")


class Target:
    """One line of the targets table: a value per round, its limit, and which way is good."""

    def __init__(self, name: str, corpus: str, values: Optional[List[float]], limit: float,
                 unit: str = "x", at_most: bool = True, digits: int = 2) -> None:
        self.name, self.corpus, self.values, self.limit = name, corpus, values, limit
        self.unit, self.at_most, self.digits = unit, at_most, digits

    @property
    def met(self) -> Optional[bool]:
        if not self.values:
            return None
        value = statistics.median(self.values)
        return value <= self.limit if self.at_most else value >= self.limit

    def row(self) -> str:
        sign = "<=" if self.at_most else ">="
        verdict = {True: "met", False: "NOT met", None: "not measured"}[self.met]
        return (f"| {self.name} | {self.corpus} | {sign} {self.limit:g}{self.unit} | "
                f"{spread(self.values, self.unit, self.digits)} | {verdict} |")


def targets(results: List[Result], jobs: int) -> List[Target]:
    """Every target of issue 16 that the corpora measured allow judging."""
    by_name = {str(r["name"]): r for r in results}
    found: List[Target] = []

    def each(names: Sequence[str], make: Callable[[str, Result], Optional[Target]]) -> None:
        for name in names:
            if name in by_name:
                target = make(name, by_name[name])
                if target is not None:
                    found.append(target)

    for name in ("polar", "dispatch", "dense"):
        if name in by_name and samples(by_name[name], "flake8 -j1 (no plugin)", "cpu"):
            overhead = per_round(by_name[name], "flake8 -j1 (+ flake8-ddd)", "flake8 -j1 (no plugin)")
            found.append(Target("plugin adds to flake8 --jobs 1 (CPU)", name, _percent(overhead),
                                5, "%", digits=1))
    each(["polar", "dispatch", "stdlib", "dense"], lambda n, r: Target(
        "check --no-cache -j1 / read+ast.parse (CPU)", n,
        per_round(r, "check cold -j1", "ast.parse"), 2.0))
    for name, result in by_name.items():
        if int(result["files"]) > 1000:  # type: ignore[call-overload]
            found.append(Target(f"-j{jobs} throughput / -j1 (wall)", name,
                                per_round(result, "check cold -j1", f"check cold -j{jobs}", "wall"),
                                1.7, at_most=False))
            found.append(Target(f"-j{jobs} CPU / -j1 CPU", name,
                                per_round(result, f"check cold -j{jobs}", "check cold -j1"), 1.1))
    each(["1M lines"], lambda n, r: Target(f"cold -j{jobs} wall", n, samples(
        r, f"check cold -j{jobs}", "wall"), 5, " s"))
    each(["polar"], lambda n, r: Target("warm -j1 CPU", n, samples(r, "check warm -j1", "cpu"),
                                        0.06, " s", digits=3))
    each(["dispatch"], lambda n, r: Target(
        "warm -j1 / ruff --select F cold (CPU)", n,
        per_round(r, "check warm -j1", "ruff --select F --no-cache"), 1.0))
    each(["1M lines"], lambda n, r: Target("warm -j1 CPU", n, samples(r, "check warm -j1", "cpu"),
                                           0.2, " s", digits=3))
    each(["one file"], lambda n, r: Target("start-up of check on one small file (CPU)", n,
                                           samples(r, "check cold -j1", "cpu"), 0.04, " s",
                                           digits=3))
    for name in ("dense", "1M lines"):
        if name in by_name:
            found.append(Target("peak RSS of check -j1 (collector off during the run)", name,
                                samples(by_name[name], "check cold -j1", "rss_mb"), 200, " MB",
                                digits=0))
    return found


def _percent(values: Optional[List[float]]) -> Optional[List[float]]:
    return None if values is None else [(v - 1) * 100 for v in values]


def table(found: List[Target]) -> str:
    rows = ["| target | tree | limit | measured: median (min-max of the rounds) | verdict |",
            "|---|---|---|---|---|"]
    return "\n".join(rows + [t.row() for t in found])


def growth(results: List[Dict[str, object]], label: str, what: str = "wall",
           low: int = 500, high: int = 5000) -> Optional[float]:
    """Exponent b of t = a * n^b, least squares over the synthetic corpora in [low, high]."""
    points = [(math.log(r["files"]), math.log(r["measures"][label][what]))  # type: ignore[index]
              for r in results if r["synthetic"] and low <= r["files"] <= high  # type: ignore[operator]
              and label in r["measures"]]  # type: ignore[operator]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx if sxx else None


def summary_table(results: List[Dict[str, object]], jobs: int) -> str:
    head = ("| corpus | files | ast.parse | flake8 -j1 | +plugin | overhead | --select=DDD | "
            f"cold -j1 | cold -j{jobs} | warm -j1 | warm -j{jobs} | ruff F | cold/parse | "
            "warm/ruff | peak RSS |")
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        m = r["measures"]  # type: ignore[index]

        def t(label: str) -> str:
            return f"{m[label]['wall']:.2f}s" if label in m else "n/a"  # type: ignore[index]

        q = ratios(r, jobs)
        rows.append(
            f"| {r['name']} | {r['files']} | {t('ast.parse')} | {t('flake8 -j1 (no plugin)')} | "
            f"{t('flake8 -j1 (+ flake8-ddd)')} | {fmt(q['plugin_overhead_pct'], '%', 1)} "
            f"({fmt(q['plugin_overhead_cpu_pct'], '%', 1)} CPU) | {t('flake8 -j1 --select=DDD')} | "
            f"{t('check cold -j1')} | {t(f'check cold -j{jobs}')} | {t('check warm -j1')} | "
            f"{t(f'check warm -j{jobs}')} | {t('ruff --select F --no-cache')} | "
            f"{fmt(q['cold_j1_over_parse'], 'x')} ({fmt(q['cold_j1_over_parse_cpu'], 'x')} CPU) | "
            f"{fmt(q['warm_j1_over_ruff'], 'x')} / {fmt(q[f'warm_j{jobs}_over_ruff'], 'x')} | "
            f"{fmt(q['peak_rss_mb'], ' MB', 0)} |")
    return "\n".join(rows)

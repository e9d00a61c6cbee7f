"""Where the standalone command spends its time, in one process, on one corpus.

    python benchmarks/profile_engine.py                      # /tmp/ddd-bench/5000 (generated if missing)
    python benchmarks/profile_engine.py DIR --cprofile 30    # plus cProfile's top 30 functions

Three views of the same work (``flake8_ddd.runner.check_path`` on every file, as
``flake8-ddd check --jobs 1 --no-cache`` does):

1. phases, timed without a profiler: read, decode and split lines, ``ast.parse``, locating the
   file's layer, building the file context, the walk with every rule's handlers, the rules'
   ``finish``, select/noqa;
2. handler time per rule (each handler call timed, ``finish`` not; the walk's own cost is
   what is left);
3. optionally cProfile, aggregated by module and by function.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import collections
import gc
import io
import os
import pstats
import sys
import time
import warnings
from typing import Callable, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import generate  # noqa: E402

from flake8_ddd import engine, runner  # noqa: E402
from flake8_ddd.context import FileContext  # noqa: E402
from flake8_ddd.layers import locate_file  # noqa: E402
from flake8_ddd.flake8_compat import NoqaLines, file_is_noqa  # noqa: E402
from flake8_ddd.config_files import load_settings  # noqa: E402
from flake8_ddd.directory_memo import one_moment  # noqa: E402


def files_of(root: str, job: runner.Job, settings) -> List[str]:
    return list(runner.discover(["."], settings.excluded, settings.filename))


def phases(paths: List[str], job: runner.Job) -> Dict[str, float]:
    spent: Dict[str, float] = collections.Counter()
    clock = time.perf_counter
    config = job.config
    rules = engine.enabled_rules(config)
    for path in paths:
        t0 = clock()
        with open(path, "rb") as handle:
            data = handle.read()
        t1 = clock()
        lines, problem = runner.decode(path, data)
        if lines is None:  # unreadable (E902): nothing to check
            spent["files skipped (E902/E999)"] += 1
            continue
        noqa_file = file_is_noqa(lines)
        source = "".join(lines)
        t2 = clock()
        tree = parsed(source, path)
        t3 = clock()
        if tree is None:
            spent["files skipped (E902/E999)"] += 1
            continue
        location = locate_file(path, config.layer, lines)
        active = engine.rules_for(location, rules)
        if any(getattr(rule, "required_words", ()) for rule in active):  # as lint_tree does
            text = "".join(lines)
            active = [rule for rule in active if not getattr(rule, "required_words", ())
                      or any(word in text for word in rule.required_words)]
        t4 = clock()
        findings = []
        if active and not noqa_file:
            ctx = FileContext(tree, path, lines, config, location)
            t5 = clock()
            walk = engine.Walk(ctx, active)
            t6 = clock()
            findings = walk.run()
            ctx.release()
            t7 = clock()
        else:
            t5 = t6 = t7 = t4
        selection = job.selections.for_file(path)
        noqa = NoqaLines(lines, tree)
        for finding in findings:
            selection.is_selected(finding.code) and noqa.silences(finding.code, finding.line)
        t8 = clock()
        spent["read"] += t1 - t0
        spent["decode + lines"] += t2 - t1
        spent["ast.parse"] += t3 - t2
        spent["locate layer, required words"] += t4 - t3
        spent["FileContext"] += t5 - t4
        spent["Walk() (rule objects)"] += t6 - t5
        spent["walk + handlers + finish"] += t7 - t6
        spent["select + noqa"] += t8 - t7
    return dict(spent)


def parsed(source, path: str):
    """The tree, or None for a file that does not parse (the run reports E999 for it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(source, filename=path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None


def per_rule(paths: List[str], job: runner.Job) -> Dict[str, float]:
    """Seconds spent inside each rule's handlers and ``finish``, over all files."""
    spent: Dict[str, float] = collections.Counter()
    calls: Dict[str, int] = collections.Counter()
    clock = time.perf_counter

    def timing(code: str, handler: Callable) -> Callable:
        def timed_handler(rule, node):
            started = clock()
            try:
                return handler(rule, node)
            finally:
                spent[code] += clock() - started
                calls[code] += 1
        return timed_handler

    original_dispatch: Callable = engine.dispatch_for

    def dispatch_for(classes):
        plain = original_dispatch(classes)

        def timed(table):
            return {node_type: tuple((index, timing(classes[index].code, handler))
                                     for index, handler in handlers)
                    for node_type, handlers in table.items()}
        return engine.Dispatch.build(timed(plain.enter), timed(plain.leave), plain.skip)

    engine.dispatch_for = dispatch_for  # type: ignore[assignment]
    try:
        started = clock()
        for path in paths:
            runner.check_path(path, job)
        total = clock() - started
    finally:
        engine.dispatch_for = original_dispatch  # type: ignore[assignment]
    spent["(total check_path, instrumented)"] = total
    for code, count in calls.items():
        spent[f"{code} calls"] = count
    return dict(spent)


class GcTimer:
    """Time spent in the cyclic garbage collector (it runs inside whatever allocates)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._started = 0.0

    def __call__(self, phase: str, info: Dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1


def print_phases(paths: List[str], job: object) -> None:
    """Time per phase without a profiler, the garbage collector's share, and parsing alone."""
    gc_timer = GcTimer()
    gc.callbacks.append(gc_timer)
    spent = phases(paths, job)
    gc.callbacks.remove(gc_timer)
    skipped = spent.pop("files skipped (E902/E999)", 0)
    whole = sum(spent.values())
    print("phases (no profiler; the garbage collector's time is inside them, wherever it ran)")
    for name, seconds in spent.items():
        print(f"  {name:<34} {seconds:8.3f}s {100 * seconds / whole:5.1f}%  "
              f"{seconds / (spent.get('ast.parse') or 1e-9):5.2f}x parse")
    print(f"  {'total':<34} {whole:8.3f}s ({int(skipped)} files that do not decode or parse skipped)")
    share = 100 * gc_timer.seconds / whole
    print(f"  of which garbage collection       {gc_timer.seconds:8.3f}s {share:5.1f}%  "
          f"({gc_timer.collections[0]}/{gc_timer.collections[1]}/{gc_timer.collections[2]} "
          f"collections of generation 0/1/2; {len(gc.get_objects())} objects tracked at the end)")
    parse_alone = time.perf_counter()
    for path in paths:
        with open(path, "rb") as handle:
            parsed(handle.read(), path)
    parse_alone = time.perf_counter() - parse_alone
    print(f"  for comparison, read + ast.parse of every file alone: {parse_alone:.3f}s")


def print_rules(paths: List[str], job: object) -> None:
    """Handler time per rule, from an instrumented run."""
    rules = per_rule(paths, job)
    total_rules = sum(v for k, v in rules.items() if k.startswith("DDD") and not k.endswith("calls"))
    print(f"\nhandler time per rule (instrumented run {rules['(total check_path, instrumented)']:.3f}s; "
          f"all handlers {total_rules:.3f}s)")
    for code, seconds in sorted(((k, v) for k, v in rules.items()
                                 if k.startswith("DDD") and not k.endswith("calls")),
                                key=lambda item: -item[1]):
        print(f"  {code}  {seconds:7.3f}s  {int(rules[code + ' calls']):>9} calls  "
              f"{1e6 * seconds / max(rules[code + ' calls'], 1):6.2f} us/call")


def print_cprofile(paths: List[str], job: object, top: int) -> None:
    """A run under cProfile: own time by module, then the ``top`` functions."""
    profiler = cProfile.Profile()
    profiler.enable()
    for path in paths:
        runner.check_path(path, job)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    by_module: Dict[str, float] = collections.Counter()
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        key = ("<built-in>" if filename == "~" else
               os.path.relpath(filename, os.path.dirname(os.path.dirname(engine.__file__)))
               if "flake8_ddd" in filename else os.path.basename(filename))
        by_module[key] += tottime
    print("\ncProfile, own time by module")
    for module, seconds in by_module.most_common(15):
        print(f"  {seconds:8.3f}s  {module}")
    stats.sort_stats("tottime").print_stats(top)
    print(stream.getvalue())


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", default=os.path.join(generate.DEFAULT_ROOT, "5000"))
    parser.add_argument("--cprofile", type=int, default=0, metavar="N",
                        help="also run under cProfile and print the top N functions")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.root):
        size = int(os.path.basename(args.root))
        generate.generate(size, args.root)
    os.chdir(args.root)
    settings = load_settings()
    job = runner.make_job(settings)
    paths = files_of(args.root, job, settings)
    runner.run(paths[:50], job, 1)  # imports, lru caches; freezes what is alive, as a run does
    gc.freeze()

    # Each pass is one moment, as a run is (runner.run): directory facts are read once per pass.
    with one_moment():
        started = time.perf_counter()
        for path in paths:
            runner.check_path(path, job)
        total = time.perf_counter() - started
    print(f"{len(paths)} files in {args.root}: check_path on all of them {total:.3f}s "
          f"(load {os.getloadavg()[0]:.2f})\n")

    with one_moment():
        print_phases(paths, job)
    with one_moment():
        print_rules(paths, job)
    if args.cprofile:
        with one_moment():
            print_cprofile(paths, job, args.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())

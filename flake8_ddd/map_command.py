"""``flake8-ddd map [PATHS]``: the architecture as a picture, from ``check``'s own run.

The command takes ``check``'s options (configuration, select/ignore, ``--isolated``, the
baseline...; copied from ``check``'s parser, so an option added to ``check`` is one of ``map``'s
too, except those that write files or change what is printed) and runs ``check`` itself up to
its findings (same engine, same result cache, same noqa and baseline); instead of printing
them, it places them on the map (:mod:`flake8_ddd.arch_map`) with each file's imports
(:mod:`flake8_ddd.map_facts`) and prints one rendering (:mod:`flake8_ddd.map_render`).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, List, Optional, Sequence, Set

from flake8_ddd import runner
from flake8_ddd.arch_map import ArchMap, build, narrowed
from flake8_ddd.cache import run_key
from flake8_ddd.cache_store import cache_root
from flake8_ddd.diagnostics import Reported
from flake8_ddd.docs import code_docs
from flake8_ddd.git_changes import GitError, changed_since
from flake8_ddd.map_facts import FactsStore, collect
from flake8_ddd.map_render import FORMATS, render_dot, render_json, render_markdown, render_mermaid
from flake8_ddd.processes import job_count
from flake8_ddd.registry import all_rules

#: ``check`` options ``map`` does not take: they write files, or shape check's own printout.
NOT_COPIED = frozenset({"help", "paths", "output_format", "statistics", "stdin_filename",
                        "write_baseline", "add_noqa", "noqa_reason"})

#: What ``check`` calls with its settings and final findings instead of printing them.
Show = Callable[[argparse.Namespace, Any, List[Reported]], int]


def register(commands: Any, check_parser: argparse.ArgumentParser) -> None:
    """Add the ``map`` subcommand to ``commands``, with the options of ``check_parser``."""
    parser = commands.add_parser(
        "map", help="draw features x layers, the imports between them and where the findings sit",
        description="Check like `flake8-ddd check` (same configuration, options, cache, noqa "
                    "and baseline), then print a map of the architecture: one column per "
                    "feature plus core and apis, one row per layer, files and findings per "
                    "cell, imports between cells (violations where DDD101-DDD105 say so).")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories to map (default: .)")
    parser.add_argument("--output-format", choices=FORMATS, default="mermaid",
                        help="mermaid (default; pastes into GitHub Markdown), dot (Graphviz), "
                             "html (one self-contained page), markdown (a table, e.g. for a CI "
                             "step summary), json (for tools)")
    parser.add_argument("--changed-since", metavar="REF",
                        help="only the features and cells with files changed since the merge "
                             "base of HEAD and this git ref (a pull request's)")
    defaults = {}
    for action in check_parser._actions:
        if action.dest in NOT_COPIED:
            if action.dest not in ("help", "paths", "output_format"):
                defaults[action.dest] = action.default
            continue
        parser._add_action(action)
    parser.set_defaults(**defaults)


def map_command(args: argparse.Namespace, check: Callable[..., int]) -> int:
    """Run ``check`` (the check command, which takes ``show=``) and show its findings as a map."""
    if runner.STDIN in (args.paths or []):
        print("flake8-ddd: map needs files or directories, not standard input", file=sys.stderr)
        return 2
    touched: Optional[Set[str]] = None
    if args.changed_since:
        try:
            touched = touched_paths(args.changed_since)
        except GitError as error:
            message = str(error).replace("--new-since", "--changed-since")
            print(f"flake8-ddd: {message}", file=sys.stderr)
            return 2
    return check(args, show=lambda a, settings, findings: show_map(a, settings, findings, touched))


def touched_paths(ref: str) -> Set[str]:
    """Absolute real paths of the files changed (or new) since the merge base with ``ref``."""
    changed = changed_since(ref)
    return set(changed.lines).union(changed.whole_files)


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def show_map(args: argparse.Namespace, settings: Any, findings: List[Reported],
             touched: Optional[Set[str]] = None) -> int:
    """Place ``findings`` (check's, final) on the map of the files under ``args.paths``."""
    arch = make_map(args, settings, findings)
    if touched is not None:
        arch = narrowed(arch, {f for cell in arch.cells.values() for f in cell.files
                               if _real(f) in touched}, args.changed_since)
    where = " ".join(args.paths) if args.paths else os.path.basename(os.getcwd()) or "."
    sys.stdout.write(render(arch, args.output_format, where))
    sys.stdout.flush()
    return 0


def make_map(args: argparse.Namespace, settings: Any, findings: Sequence[Reported]) -> ArchMap:
    job = runner.make_job(settings)
    files = [p for p in runner.discover(args.paths or ["."], settings.excluded, settings.filename)
             if p != runner.STDIN]
    store = None
    if not args.no_cache:
        key = run_key(job.config, job.selections, all_rules())
        store = FactsStore(cache_root(settings.source), key)
    facts = collect(files, job.config, store, job_count(args.jobs, len(files)))
    if store is not None:
        store.save()
    return build(facts, findings)


def render(arch: ArchMap, output_format: str, where: str = ".") -> str:
    if output_format == "html":
        from flake8_ddd.map_html import render_html

        return render_html(arch, code_docs(all_rules()), where)
    renderers = {"mermaid": render_mermaid, "dot": render_dot, "markdown": render_markdown,
                 "json": render_json}
    return renderers[output_format](arch)

"""The check command's adoption options: ``--write-baseline``, ``--baseline``,
``--strict-baseline``, ``--add-noqa``/``--noqa-reason`` and ``--new-since``, and the configured
``ddd-baseline``. :class:`Plan` is built (and validated) before the run and applied to its
findings after it; the work is done by :mod:`flake8_ddd.adoption`, imported only when one of
them is in use (a plain check has no use for baselines, ``# noqa`` writing or git).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, List, Mapping, Optional, Sequence, Tuple

from flake8_ddd.option import ConfigError
from flake8_ddd.options import BASELINE, BASELINE_FORBID

if TYPE_CHECKING:
    from flake8_ddd import baseline
    from flake8_ddd.git_changes import ChangedLines


class AdoptionError(Exception):
    """A combination of options or a file that cannot be used; one line for the user."""


class RecordingStream:
    """Standard input that keeps what was read from it (the baseline needs the text)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.data = b""

    def read(self, *size: int) -> bytes:
        chunk = self.stream.read(*size)
        self.data += chunk
        return chunk


def add_arguments(check: argparse.ArgumentParser) -> None:
    group = check.add_argument_group("adopting on an existing project (docs/adopting.md)")
    group.add_argument("--write-baseline", metavar="FILE",
                       help="record every finding in FILE (known from now on), drop the entries "
                            "that no longer match, print nothing else and exit 0")
    group.add_argument("--baseline", metavar="FILE",
                       help="report only findings FILE does not record (default: the "
                            "ddd-baseline option); a summary line goes to standard error")
    group.add_argument("--strict-baseline", action="store_true",
                       help="with a baseline: also exit 1 when an entry no longer matches "
                            "(fixed but still recorded), naming it")
    group.add_argument("--add-noqa", action="store_true",
                       help="append `# noqa: DDDxxx` to every line with a finding, so that the "
                            "next run reports none")
    group.add_argument("--noqa-reason", metavar="TEXT",
                       help="with --add-noqa: a reason written after the codes")
    group.add_argument("--new-since", metavar="REF",
                       help="report only findings on lines added or changed since the merge "
                            "base of HEAD and the git ref REF (needs git)")


class Plan:
    """What to do with a run's findings, decided before the run."""

    def __init__(self, args: argparse.Namespace, settings: Any) -> None:
        args = _with_defaults(args)
        _check_combinations(args)
        config = settings.config()
        self.forbid: Tuple[str, ...] = tuple(config.get(BASELINE_FORBID))
        self.write: Optional[str] = args.write_baseline
        self.file: Optional[str] = None
        if self.write is None and (args.baseline or config.get(BASELINE)):
            from flake8_ddd import adoption

            directory = os.path.dirname(settings.source) if settings.source else os.getcwd()
            try:
                self.file = args.baseline or adoption.configured_baseline(config, directory)
            except ConfigError as error:
                raise AdoptionError(str(error)) from None
        if args.strict_baseline and self.file is None:
            raise AdoptionError("--strict-baseline needs a baseline (--baseline FILE or the "
                                "ddd-baseline option)")
        self.strict = args.strict_baseline
        self.add_noqa = args.add_noqa
        self.reason: Optional[str] = args.noqa_reason
        self.entries: Optional[List[baseline.Entry]] = None
        self.changed: Optional[ChangedLines] = None
        self.checked: List[str] = []
        self.stdin: Optional[Tuple[str, bytes]] = None
        if self.write is not None or self.file is not None or args.new_since is not None:
            self._read_inputs(args.new_since)

    def _read_inputs(self, new_since: Optional[str]) -> None:
        from flake8_ddd import baseline
        from flake8_ddd.git_changes import GitError, changed_since

        try:
            if self.write is not None and os.path.exists(self.write):
                baseline.load(self.write)  # never overwrite a file that is not a baseline
            if self.file is not None:
                self.entries = baseline.load(self.file)
            if new_since is not None:
                self.changed = changed_since(new_since)
        except (baseline.BaselineError, GitError) as error:
            raise AdoptionError(str(error)) from None

    def note_run(self, files: Sequence[str], stdin_name: Optional[str], stdin_data: bytes) -> None:
        """The files the run checked, and standard input's name and text if it was read."""
        self.checked = list(files)
        self.stdin = None if stdin_name is None else (stdin_name, stdin_data)

    def apply(self, findings: List) -> Tuple[List, Optional[int]]:
        """The findings to show and the exit status when the plan decides it (None: the usual
        one). Summary lines go to standard error."""
        if self.changed is None and self.write is None and self.file is None and not self.add_noqa:
            return findings, None
        from flake8_ddd import adoption, baseline
        from flake8_ddd.git_changes import keep_new

        sources: Mapping[str, Sequence[str]] = {}
        checked = list(self.checked)
        if self.stdin is not None:
            sources = {self.stdin[0]: adoption.decode_lines(self.stdin[1])}
            checked.append(self.stdin[0])
        if self.changed is not None:
            findings = keep_new(findings, self.changed)
        try:
            if self.write is not None:
                _say(adoption.write_baseline(self.write, findings, checked, self.forbid, sources))
                return [], 0
            status = None
            if self.file is not None:
                result = adoption.apply_baseline(self.file, findings, checked, self.forbid,
                                                 sources, self.entries)
                findings = result.match.new
                if self.strict and result.match.stale:
                    for entry in result.match.stale:
                        _say(baseline.describe_stale(entry))
                    status = 1
                _say(result.summary)
        except baseline.BaselineError as error:
            raise AdoptionError(str(error)) from None
        if self.add_noqa:
            summary = adoption.add_noqa_everywhere(findings, self.reason)
            for problem in summary.errors:
                _say(f"flake8-ddd: {problem}")
            _say(summary.text())
            return summary.left, (1 if summary.left or status else 0)
        return findings, status


_DEFAULTS = {"write_baseline": None, "baseline": None, "strict_baseline": False, "add_noqa": False,
             "noqa_reason": None, "new_since": None}


def _with_defaults(args: argparse.Namespace) -> argparse.Namespace:
    """``args`` of another command that runs a check (``map``) lack these options: none given."""
    missing = {name: value for name, value in _DEFAULTS.items() if not hasattr(args, name)}
    return argparse.Namespace(**{**missing, **vars(args)}) if missing else args


def _check_combinations(args: argparse.Namespace) -> None:
    if args.write_baseline is not None:
        for flag, given in (("--baseline", args.baseline), ("--strict-baseline", args.strict_baseline),
                            ("--add-noqa", args.add_noqa), ("--new-since", args.new_since)):
            if given:
                raise AdoptionError(f"--write-baseline records every finding; it cannot be "
                                    f"combined with {flag}")
    if args.noqa_reason is not None and not args.add_noqa:
        raise AdoptionError("--noqa-reason goes with --add-noqa")
    if args.add_noqa and "-" in (args.paths or ()):
        raise AdoptionError("--add-noqa cannot rewrite standard input; name the files")


def _say(line: str) -> None:
    print(line, file=sys.stderr)

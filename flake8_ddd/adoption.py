"""What the check command and the plugin do with a run's findings when a project adopts the rules
on old code: write or apply a baseline, add ``# noqa`` comments, keep only lines changed since a
git ref. The logic lives in :mod:`flake8_ddd.baseline`, :mod:`flake8_ddd.add_noqa` and
:mod:`flake8_ddd.git_changes`; this module reads the files they need and counts the results.
"""

from __future__ import annotations

import ast
import io
import os
import tokenize
from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

from flake8_ddd import baseline
from flake8_ddd.add_noqa import NEVER_SILENCED, add_noqa_to_file
from flake8_ddd.baseline import Entry, FileKeys, Key, Match
from flake8_ddd.diagnostics import internal_error
from flake8_ddd.flake8_compat import NoqaLines
from flake8_ddd.option import ConfigError
from flake8_ddd.options import BASELINE, BASELINE_FORBID
from flake8_ddd.source_files import NotReadable, read_file

#: Codes whose file has no tree: their scope is the module.
_NO_TREE_CODES = ("E902", "E999")


def decode_lines(data: bytes) -> List[str]:
    """Source bytes as the checker sees them (decoded, universal newlines); [] if undecodable."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    return io.StringIO(text, newline="\n").readlines()


def read_lines(path: str) -> List[str]:
    """A file's lines as the checker saw them; [] if unreadable."""
    try:
        return decode_lines(read_file(path))
    except (OSError, NotReadable):
        return []


def keyed_findings(findings: Sequence, base_directory: str,
                   sources: Optional[Mapping[str, Sequence[str]]] = None) -> List[Tuple[Key, object]]:
    """Each finding (``path``, ``line``, ``code``) with its baseline key, in the given order.

    A file's lines come from ``sources`` (standard input) or from disk; its tree is parsed
    only when a finding needs a scope.
    """
    by_path: Dict[str, List[int]] = {}
    for index, finding in enumerate(findings):
        by_path.setdefault(finding.path, []).append(index)
    keys: Dict[int, Key] = {}
    for path, indexes in by_path.items():
        lines = list(sources[path]) if sources and path in sources else read_lines(path)
        needs_tree = any(findings[i].code not in _NO_TREE_CODES for i in indexes)
        tree = baseline.parse_quietly(lines) if needs_tree and lines else None
        file_keys = FileKeys(baseline.relative_path(path, base_directory), lines, tree)
        for index in indexes:
            keys[index] = file_keys.key(findings[index].code, findings[index].line)
    return [(keys[i], finding) for i, finding in enumerate(findings)]


def _in_line_order(findings: Sequence) -> List:
    return sorted(findings, key=lambda f: (f.path, f.line, f.col, f.code))


class Baselined(NamedTuple):
    """The outcome of a run against a baseline file."""

    match: Match
    #: The summary line for standard error.
    summary: str


def _exists_under(base_directory: str):
    def exists(relative: str) -> bool:
        return os.path.exists(os.path.join(base_directory, *relative.split("/")))
    return exists


def checked_paths(files: Iterable[str], base_directory: str) -> Set[str]:
    return {baseline.relative_path(path, base_directory) for path in files}


def write_baseline(file: str, findings: Sequence, checked: Iterable[str], forbid: Sequence[str] = (),
                   sources: Optional[Mapping[str, Sequence[str]]] = None) -> str:
    """Record the findings in ``file`` (keeping the entries of files not checked while they
    exist); the summary line. Raises BaselineError for an unusable existing file."""
    directory = os.path.dirname(os.path.abspath(file))
    old: List[Entry] = baseline.load(file) if os.path.exists(file) else []
    keyed = keyed_findings(_in_line_order(findings), directory, sources)
    entries = baseline.update(old, [(key, f.code + " " + f.text) for key, f in keyed],
                              checked_paths(checked, directory), _exists_under(directory), forbid)
    baseline.save(file, entries)
    recorded = sum(e.count for e in entries)
    before = sum(e.count for e in old)
    forbidden = sum(1 for f in findings if baseline.is_forbidden(f.code, forbid))
    text = f"{file}: {recorded} findings recorded in {len(entries)} entries"
    if old:
        text += f" (was {before})"
    if forbidden:
        text += f"; {forbidden} findings of codes that cannot be baselined were left out"
    return text


def apply_baseline(file: str, findings: Sequence, checked: Iterable[str], forbid: Sequence[str] = (),
                   sources: Optional[Mapping[str, Sequence[str]]] = None,
                   entries: Optional[Sequence[Entry]] = None) -> Baselined:
    """Split the findings into new and known ones. Raises BaselineError for an unusable file."""
    directory = os.path.dirname(os.path.abspath(file))
    if entries is None:
        entries = baseline.load(file)
    keyed = keyed_findings(_in_line_order(findings), directory, sources)
    result = baseline.match(entries, keyed, checked_paths(checked, directory),
                            _exists_under(directory), forbid)
    return Baselined(result._replace(new=_in_line_order(result.new)), baseline.summary(result))


# --- the plugin -----------------------------------------------------------------------------------

def find_baseline_file(value: str, config_directory: Optional[str]) -> str:
    """Where a configured baseline is: relative to the configuration file's directory; for
    flake8, which does not tell where its file is, a bare file name is looked for in the
    current directory and then its parents (a name with a directory part flake8 has already
    made absolute from the file's directory)."""
    value = os.path.expanduser(value)
    if os.path.isabs(value):
        return value
    if config_directory is not None:
        return os.path.join(config_directory, value)
    directory = os.getcwd()
    while True:
        candidate = os.path.join(directory, value)
        parent = os.path.dirname(directory)
        if os.path.exists(candidate) or parent == directory:
            return candidate if os.path.exists(candidate) else os.path.join(os.getcwd(), value)
        directory = parent


def configured_baseline(config, config_directory: Optional[str]) -> Optional[str]:
    """The ``ddd-baseline`` file of a configuration (a :class:`flake8_ddd.options.Config`)."""
    values = config.get(BASELINE)
    if not values:
        return None
    if len(values) > 1:
        raise ConfigError(f"option {BASELINE.name}: expected one file, got {len(values)}: "
                          f"{', '.join(values)}")
    return find_baseline_file(values[0], config_directory)


def plugin_baseline(config) -> Optional["PluginBaseline"]:
    """The flake8 plugin's baseline (None without ``ddd-baseline``); ConfigError if unusable."""
    file = configured_baseline(config, None)
    if file is None:
        return None
    try:
        return PluginBaseline(file, config.get(BASELINE_FORBID))
    except baseline.BaselineError as error:
        raise ConfigError(f"option ddd-baseline: {error}") from None


class PluginBaseline:
    """The baseline as the flake8 plugin applies it, one file at a time."""

    def __init__(self, file: str, forbid: Sequence[str] = ()) -> None:
        self.directory = os.path.dirname(os.path.abspath(file))
        self.forbid = tuple(forbid)
        self.by_path: Dict[str, List[Entry]] = {}
        for entry in baseline.load(file):
            self.by_path.setdefault(entry.path, []).append(entry)

    def hide_known(self, filename: str, lines: Sequence[str], tree: Optional[ast.AST],
                   findings: Sequence) -> List:
        """The findings (``line``, ``col``, ``code``) the baseline does not cover.

        Findings a ``# noqa`` hides anyway are kept (flake8 drops them) and do not use up the
        baseline's counts, as in the check command, which applies ``# noqa`` first.
        """
        try:
            relative = baseline.relative_path(filename, self.directory)
            entries = self.by_path.get(relative)
            if not entries or not findings:
                return list(findings)
            keys = FileKeys(relative, lines, tree)
            noqa = NoqaLines(lines)
            candidates = sorted((f for f in findings if not noqa.silences(f.code, f.line)),
                                key=lambda f: (f.line, f.col, f.code))
            keyed = [(keys.key(f.code, f.line), f) for f in candidates]
            new = baseline.match(entries, keyed, set(), lambda path: True, self.forbid).new
        except Exception as error:  # the plugin must never take the flake8 run down
            return list(findings) + [internal_error("baseline", error)]
        hidden = {id(f) for f in candidates} - {id(f) for f in new}
        return [f for f in findings if id(f) not in hidden]


# --- --add-noqa ---------------------------------------------------------------------------------------

class NoqaSummary(NamedTuple):
    files: int
    lines: int
    silenced: int
    #: Findings left as they were (never silenced codes, a ``# noqa`` in a string, unwritable file).
    left: List
    errors: List[str]

    def text(self) -> str:
        line = (f"added # noqa to {self.lines} lines in {self.files} files, "
                f"silencing {self.silenced} findings")
        if self.left:
            line += f"; {len(self.left)} findings could not be silenced"
        return line


def add_noqa_everywhere(findings: Sequence, reason: Optional[str] = None) -> NoqaSummary:
    """Rewrite each file with findings so that the next run reports none of them."""
    by_path: Dict[str, List] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    files = lines = silenced = 0
    left: List = []
    errors: List[str] = []
    for path in sorted(by_path):
        group = by_path[path]
        wanted = [(f.line, f.code) for f in group if f.code not in NEVER_SILENCED]
        left.extend(f for f in group if f.code in NEVER_SILENCED)
        result = add_noqa_to_file(path, wanted, reason)
        if result.error:
            errors.append(f"{path}: {result.error}")
        not_done = set(result.skipped)
        left.extend(f for f in group if (f.line, f.code) in not_done)
        silenced += len([f for f in group if f.code not in NEVER_SILENCED
                         and (f.line, f.code) not in not_done])
        if result.touched:
            files += 1
            lines += len(result.touched)
    return NoqaSummary(files, lines, silenced, _in_line_order(left), errors)

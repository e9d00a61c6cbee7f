"""The standalone run: find the files, check each one with the engine, keep what flake8 keeps.

Each file goes through the same :func:`flake8_ddd.engine.lint_tree` call, with the same
:class:`flake8_ddd.options.Config`, as in the flake8 plugin; the select/ignore decision,
``# noqa`` and ``per-file-ignores`` follow flake8 (:mod:`flake8_ddd.flake8_compat`). Files are
spread over worker processes (never more than files or cores); a file that cannot be read or
parsed becomes one finding (``E902`` / ``E999``) and the others are still checked. Files are
found and read by :mod:`flake8_ddd.source_files`: regular files only, of bounded size, and a
directory that cannot be listed is an ``E902`` too.
"""

from __future__ import annotations

import ast
import gc
import io
import os
import tokenize
import warnings
from typing import BinaryIO, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from flake8_ddd import collector, project_store, recent_trees
from flake8_ddd.cache import Entry, ResultCache, run_key
from flake8_ddd.cache_store import cache_root
from flake8_ddd.config_files import Settings
from flake8_ddd.directory_memo import one_moment
from flake8_ddd.diagnostics import READ_ERROR_CODE, SYNTAX_ERROR_CODE, Reported, internal_error
from flake8_ddd.engine import lint_tree
from flake8_ddd.flake8_compat import FileSelections, NoqaLines, file_is_noqa, matches_filename
from flake8_ddd.options import Config
from flake8_ddd.processes import map_in_workers
from flake8_ddd.registry import all_rules
from flake8_ddd.source_files import Found, NotReadable, read_file, read_stream, walk

STDIN = "-"


class Job(NamedTuple):
    """What a worker needs: picklable, built once per run."""

    config: Config
    selections: FileSelections
    #: Codes of team-defined pattern rules, whose columns are already in characters.
    pattern_codes: frozenset = frozenset()


# --- which files ---------------------------------------------------------------------------

def discover(paths: Sequence[str], exclude: Sequence[str], filename_patterns: Sequence[str],
             stdin_name: str = "stdin") -> Iterator[str]:
    """The files :func:`find_files` finds (what it could not list or skipped aside)."""
    return iter(find_files(paths, exclude, filename_patterns, stdin_name).files)


def find_files(paths: Sequence[str], exclude: Sequence[str], filename_patterns: Sequence[str],
               stdin_name: str = "stdin") -> Found:
    """flake8's file discovery (:func:`flake8_ddd.source_files.walk`) with flake8's excludes;
    ``-`` stays in the files (standard input) unless its ``--stdin-filename`` is excluded."""
    def excluded(path: str) -> bool:
        if path == STDIN:
            return stdin_name != "stdin" and matches_filename(stdin_name, exclude)
        return matches_filename(path, exclude)

    return walk(paths or ["."], excluded, filename_patterns)


def walk_problems(found: Found, job: "Job") -> List[Reported]:
    """One E902 per directory the walk could not list (unless an ignore list names E902)."""
    return [_problem(display_path(path), READ_ERROR_CODE, 1, 0, reason)
            for path, reason in found.unreadable
            if not _ignored_outright(READ_ERROR_CODE, job.selections.for_file(display_path(path)))]


def walk_notes(found: Found, stdin: bool) -> List[str]:
    """What the walk skipped, and a word when nothing at all is left to check."""
    notes = [f"flake8-ddd: note: skipped {display_path(path)!r}: {kind}, not a regular file"
             for path, kind in found.skipped]
    if not found.files and not stdin:
        notes.append("flake8-ddd: warning: 0 files checked: no file under the paths given "
                     "matches the filename patterns, or exclude removes them all")
    return notes


def display_path(path: str) -> str:
    return path if path == STDIN else os.path.normpath(path)


# --- one file ------------------------------------------------------------------------------

def _position(data: bytes, index: int) -> Tuple[int, int]:
    line = data.count(b"\n", 0, index) + 1
    start = data.rfind(b"\n", 0, index) + 1
    return line, len(data[start:index].decode("utf-8", "replace"))


def _lines_of(text: str) -> List[str]:
    """The lines flake8 sees: universal newlines, split on ``\\n`` only, BOM removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = io.StringIO(text, newline="\n").readlines()
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    return lines


def _problem(path: str, code: str, line: int, col: int, text: str, lines: Sequence[str] = ()) -> Reported:
    source = lines[line - 1].rstrip("\r\n") if 0 < line <= len(lines) else ""
    return Reported(path, max(line, 1), max(col, 0), code, text.replace("\n", " "), source)


def decode(path: str, data: bytes) -> Tuple[Optional[List[str]], Optional[Reported]]:
    """The file's lines, or the E902 finding that says why it cannot be read."""
    nul = data.find(b"\x00")
    if nul != -1:
        line, col = _position(data, nul)
        return None, _problem(path, READ_ERROR_CODE, line, col,
                              "ValueError: the file contains a NUL byte; it was not checked")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except SyntaxError as error:  # a bad or unknown coding cookie
        return None, _problem(path, READ_ERROR_CODE, 1, 0, f"SyntaxError: {error}")
    except (UnicodeDecodeError, LookupError) as error:
        line, col = _position(data, getattr(error, "start", 0))
        return None, _problem(path, READ_ERROR_CODE, line, col,
                              f"{type(error).__name__}: {error}; the file was not checked")
    return _lines_of(text), None


def _char_col(line: str, byte_col: int) -> int:
    if line.isascii():
        return byte_col
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


def _parse(lines: List[str], path: str) -> ast.AST:
    with warnings.catch_warnings():  # invalid escapes and the like are not our findings
        warnings.simplefilter("ignore")
        return ast.parse("".join(lines), filename=path)


def check_source(path: str, data: bytes, job: Job) -> List[Reported]:
    """Findings for one file's bytes, after select/ignore, per-file ignores and ``# noqa``."""
    selection = job.selections.for_file(path)
    lines, problem = decode(path, data)
    if problem is not None:
        return [] if _ignored_outright(problem.code, selection) else [problem]
    assert lines is not None
    if file_is_noqa(lines):
        return []
    try:
        tree = recent_trees.take(path, data) or _parse(lines, path)  # taken: the index parsed it
    except SyntaxError as error:
        line = error.lineno or 1
        col = (error.offset or 1) - 1
        return [] if _ignored_outright(SYNTAX_ERROR_CODE, selection) else [
            _problem(path, SYNTAX_ERROR_CODE, line, col, f"{type(error).__name__}: {error.msg}", lines)]
    except (ValueError, RecursionError, MemoryError) as error:
        return [] if _ignored_outright(READ_ERROR_CODE, selection) else [
            _problem(path, READ_ERROR_CODE, 1, 0, f"{type(error).__name__}: {error}", lines)]
    try:
        found = [(f.line, f.col, f.code, f.message) for f in lint_tree(tree, path, lines, job.config)]
    except Exception as error:  # as in the plugin: one file's crash never ends the run
        found = [tuple(internal_error("flake8-ddd", error))]
    noqa = NoqaLines(lines, tree)
    reported: List[Reported] = []
    for line, col, code, message in found:
        if not selection.is_selected(code) or noqa.silences(code, line):
            continue
        source = lines[line - 1].rstrip("\r\n") if 0 < line <= len(lines) else ""
        text = message[len(code):].lstrip() if message.startswith(code) else message
        if code not in job.pattern_codes:
            col = _char_col(source, col)
        reported.append(Reported(path, line, col, code, text, source))
    return reported


def _ignored_outright(code: str, selection) -> bool:
    """E999/E902 are shown whatever ``select`` says, unless an ignore list names them in full."""
    return code in (selection.ignore_option or ()) or code in selection.extend_ignore


def check_path(path: str, job: Job) -> List[Reported]:
    shown = display_path(path)
    try:
        data = read_file(path)
    except NotReadable as error:
        return _unreadable(shown, error, job)
    return check_source(shown, data, job)


def check_stdin(stdin_name: str, stream: BinaryIO, job: Job) -> List[Reported]:
    """Findings for standard input, shown as ``stdin_name`` (read up to the size limit)."""
    shown = display_path(stdin_name)
    try:
        data = read_stream(stream)
    except NotReadable as error:
        return _unreadable(shown, error, job)
    return check_source(shown, data, job)


def _unreadable(shown: str, error: NotReadable, job: Job) -> List[Reported]:
    problem = _problem(shown, READ_ERROR_CODE, 1, 0, str(error))
    return [] if _ignored_outright(READ_ERROR_CODE, job.selections.for_file(shown)) else [problem]


# --- the result cache ---------------------------------------------------------------------

def open_cache(job: Job, config_source: Optional[str] = None, cwd: Optional[str] = None) -> ResultCache:
    """The result cache of this run: keyed by its configuration and rules, its file keys
    covering a file's surroundings when an enabled rule reads other files."""
    rules = all_rules()
    look_around = any(rule.reads_other_files for rule in rules if job.config.enables(rule))
    key = run_key(job.config, job.selections, rules, cwd)
    return ResultCache.open(cache_root(config_source, cwd), key, look_around)


def _read(path: str) -> Optional[bytes]:
    try:
        return read_file(path)
    except NotReadable:
        return None


def serve_cached(paths: Sequence[str], cache: ResultCache, results: List[Reported],
                 every_key: bool = True) -> List[str]:
    """Add the cached findings of unchanged files to ``results``; the paths still to check.

    Runs in the main process, so a run where nothing changed starts no worker at all.
    A file that changes between here and its check is simply hashed again there. Without
    ``every_key``, a file the cache holds nothing for is a miss without its key computed here
    (one process: at its check, the facts its project digest parses leave it their tree).
    """
    misses: List[str] = []
    for path in paths:
        shown = display_path(path)
        if not every_key and shown not in cache.entries:
            misses.append(path)
            continue
        data = _read(path)
        key = cache.key_of(path, data) if data is not None else ""
        cached = cache.lookup(shown, key, data) if data is not None else None
        if cached is None:
            misses.append(path)
        else:
            results.extend(cached)
            cache.record((shown, key, None))
    return misses


def check_cached(path: str, job: Job,
                 cache: Optional[ResultCache]) -> Tuple[List[Reported], Optional[Entry]]:
    """Findings for ``path``, from the cache or freshly; the entry to record, if any."""
    shown = display_path(path)
    data = _read(path) if cache is not None else None
    if cache is None or data is None:
        return check_path(path, job), None  # reports a read error; nothing to cache
    key = cache.key_of(path, data)
    cached = cache.lookup(shown, key, data)
    if cached is not None:
        return cached, (shown, key, None)
    found = check_source(shown, data, job)
    return found, (shown, key, [tuple(f[1:]) for f in found])  # type: ignore[misc]


# --- many files ----------------------------------------------------------------------------

_JOB: Optional[Job] = None
_CACHE: Optional[ResultCache] = None


def _init_worker(job: Job, cache: Optional[ResultCache] = None) -> None:
    global _JOB, _CACHE
    _JOB, _CACHE = job, cache
    all_rules()


def _run_one(path: str) -> Tuple[List[Reported], Optional[Entry]]:
    assert _JOB is not None
    return check_cached(path, _JOB, _CACHE)


def run(paths: Sequence[str], job: Job, jobs: int,
        cache: Optional[ResultCache] = None) -> List[Reported]:
    """Check every path, in ``jobs`` processes (one: no extra process at all).

    With a ``cache`` (:func:`open_cache`), files whose findings it holds are served from it
    first, in this process, and only the others are checked.
    """
    all_rules()  # load the rules before forking, so workers inherit them
    project_store.forget()  # the project index is read afresh by each run (then kept)
    # Everything alive now (modules, rules, configuration) lives for the whole run: keep the
    # cyclic garbage collector from traversing it again on every full collection.
    gc.freeze()
    # The collector stays off during the run, in this process and in the workers forked from it;
    # the run sees the tree as it began (directory_memo); the trees the project index parses
    # are kept a moment for the checks of the same files (recent_trees).
    with collector.paused(), one_moment(), recent_trees.keeping(paths):
        return _run(paths, job, jobs, cache)


def _run(paths: Sequence[str], job: Job, jobs: int, cache: Optional[ResultCache]) -> List[Reported]:
    results: List[Reported] = []
    if cache is not None:
        # Several processes: every key now, so that the workers forked later share the facts
        # and digests read for them (flake8_ddd.project_store).
        paths = serve_cached(paths, cache, results, every_key=jobs > 1)
    checked = None
    if jobs > 1 and len(paths) > 1:
        project_store.open_indexes(paths)
        project_store.persist_all()  # stored once here, not again by every worker forked now
        checked = _in_processes(paths, job, jobs, cache)
    if checked is None:
        checked = (check_cached(path, job, cache) for path in paths)
    for found, entry in checked:
        results.extend(found)
        if cache is not None:
            cache.record(entry)
    project_store.persist_all()
    return sort(results)


def _in_processes(paths: Sequence[str], job: Job, jobs: int, cache: Optional[ResultCache]
                  ) -> Optional[List[Tuple[List[Reported], Optional[Entry]]]]:
    """Every path checked in ``jobs`` processes; None when they cannot be started."""
    return map_in_workers(_run_one, paths, jobs, _init_worker, (job, cache),
                          finish=project_store.persist_all)


def sort(findings: Iterable[Reported]) -> List[Reported]:
    return sorted(findings, key=lambda f: (f.path, f.line, f.col, f.code))


def make_job(settings: Settings) -> Job:
    config = settings.config()
    return Job(config, settings.file_selections(),
               frozenset(rule.code for rule in config.pattern_rules))

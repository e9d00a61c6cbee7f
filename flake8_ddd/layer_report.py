"""``flake8-ddd layers [PATHS]``: what the tool decided about each file.

One row per file: its path, module path, layers, feature, role (settings/database module) and
the reason (which segment, glob, pin or default decided), then how many files got no layer.
``--output-format json`` prints a JSON array of objects with exactly the keys ``path``,
``module``, ``layers``, ``feature``, ``role`` and ``reason``; the table groups rows by feature.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence

from flake8_ddd.layers import PIN_COMMENT_LINES, LayerConfig, Location, locate_file
from flake8_ddd.source_files import read_head

NO_FEATURE = "(no feature)"
TESTS = "(tests)"


class Row(NamedTuple):
    path: str
    module: str
    layers: List[str]
    feature: Optional[str]
    role: Optional[str]
    reason: str
    is_test: bool

    def as_json(self) -> Dict[str, object]:
        return {"path": self.path, "module": self.module, "layers": self.layers,
                "feature": self.feature, "role": self.role, "reason": self.reason}


def first_lines(path: str, count: int = PIN_COMMENT_LINES) -> List[str]:
    """The first lines of a file (for pin comments); none when it cannot be read."""
    # regular files only, a bounded head: never blocks on a FIFO nor reads /dev/zero (issue 10)
    text = read_head(path).decode("utf-8", "replace")
    return [line.rstrip("\r") for line in text.split("\n")[:count]]


def shown_path(path: str, cwd: Optional[str] = None) -> str:
    """The path as given when relative, else relative to the current directory; ``/``-separated."""
    cwd = cwd or os.getcwd()
    if os.path.isabs(path):
        relative = os.path.relpath(path, cwd)
        if not relative.startswith(".."):
            path = relative
    return os.path.normpath(path).replace(os.sep, "/")


def dotted_module(location: Location) -> str:
    """``app.user`` for ``app/user/__init__.py``, ``app.user.crud`` for ``app/user/crud.py``."""
    parts = location.module_parts
    if len(parts) > 1 and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def row_of(path: str, location: Location) -> Row:
    if location.is_test:
        return Row(shown_path(path), dotted_module(location), [], None, None,
                   "test file: layer rules never check it", True)
    return Row(shown_path(path), dotted_module(location),
               sorted(layer.value for layer in location.layers), location.feature,
               location.role, location.reason, False)


def collect(paths: Iterable[str], config: LayerConfig) -> List[Row]:
    return [row_of(path, locate_file(path, config, first_lines(path))) for path in paths]


def render_json(rows: Sequence[Row]) -> str:
    return json.dumps([row.as_json() for row in rows], indent=2) + "\n"


def summary(rows: Sequence[Row]) -> str:
    checked = [row for row in rows if not row.is_test]
    without = sum(1 for row in checked if not row.layers)
    tests = len(rows) - len(checked)
    return (f"{len(rows)} files: {len(checked) - without} with a layer, {without} without a "
            f"layer, {tests} tests")


def render_table(rows: Sequence[Row]) -> str:
    """Rows grouped by feature (features first, then no feature, then tests)."""
    groups: Dict[str, List[Row]] = {}
    for row in rows:
        key = TESTS if row.is_test else (row.feature or NO_FEATURE)
        groups.setdefault(key, []).append(row)
    order = sorted(k for k in groups if k not in (NO_FEATURE, TESTS))
    order += [k for k in (NO_FEATURE, TESTS) if k in groups]
    width = max((len(row.path) for row in rows), default=4)
    module_width = max((len(row.module) for row in rows), default=6)
    layer_width = max((len("+".join(row.layers)) for row in rows), default=1)
    out: List[str] = []
    for key in order:
        members = groups[key]
        title = key if key in (NO_FEATURE, TESTS) else f"feature {key}"
        out.append(f"{title} ({len(members)} file{'s' if len(members) != 1 else ''})")
        for row in members:
            layers = "+".join(row.layers) or "-"
            role = f" [{row.role}]" if row.role else ""
            out.append(f"  {row.path:<{width}}  {row.module:<{module_width}}  "
                       f"{layers:<{layer_width}}  {row.reason}{role}")
        out.append("")
    out.append(summary(rows))
    return "\n".join(out) + "\n"


def nothing_layered_warning(files: Iterable[str], config: LayerConfig) -> Optional[str]:
    """A warning when none of ``files`` has a layer (so no layer rule looked at any of them);
    None as soon as one has. Tests do not count."""
    checked = 0
    for path in files:
        if path == "-":
            continue
        location = locate_file(path, config, first_lines(path))
        if location.is_test:
            continue
        if location.layers:
            return None
        checked += 1
    if not checked:
        return None
    return (f"flake8-ddd: warning: none of the {checked} files checked has a layer, so no layer "
            "rule looked at them; run `flake8-ddd layers` to see why and `flake8-ddd init` to "
            "map the project")


def warn_flake8_run(options: argparse.Namespace, config: LayerConfig) -> None:
    """The plugin's once-per-run form of :func:`nothing_layered_warning` (main process only),
    for the paths flake8 was given, walked with its excludes and filename patterns."""
    import multiprocessing

    from flake8_ddd.flake8_compat import matches_filename
    from flake8_ddd.source_files import files_found

    if multiprocessing.current_process().name != "MainProcess":
        return
    paths = [p for p in (getattr(options, "filenames", None) or ["."]) if p != "-"]
    exclude = [*(getattr(options, "exclude", None) or ()), *(getattr(options, "extend_exclude", None) or ())]
    patterns = list(getattr(options, "filename", None) or ["*.py"])
    if not paths:
        return
    try:
        files = files_found(paths, lambda path: matches_filename(path, exclude), patterns)
        warning = nothing_layered_warning(files, config)  # stops at the first layered file
    except Exception:  # noqa: BLE001 - a warning must never take the flake8 run down
        return
    if warning:
        print(warning, file=sys.stderr)


def add_parser(commands: argparse._SubParsersAction) -> None:
    layers = commands.add_parser(
        "layers", help="show each file's layer, feature and role, and why",
        description="Show what flake8-ddd decided about each file: module path, layers, "
                    "feature, role (settings/database module) and the reason.")
    layers.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories (default: .)")
    layers.add_argument("--output-format", choices=("table", "json"), default="table")
    layers.add_argument("--config", metavar="FILE", help="read this configuration file")
    layers.add_argument("--isolated", action="store_true", help="ignore configuration files")


def layers_command(args: argparse.Namespace) -> int:
    """``flake8-ddd layers``: exit 0, or 2 for a bad configuration or a missing path."""
    from flake8_ddd import runner
    from flake8_ddd.config_files import SettingsError, load_settings

    try:
        settings = load_settings(config_path=args.config, isolated=args.isolated)
    except SettingsError as error:
        print(f"flake8-ddd: {error}", file=sys.stderr)
        return 2
    paths = args.paths or ["."]
    for path in paths:
        if not os.path.exists(path):
            print(f"flake8-ddd: {path}: no such file or directory", file=sys.stderr)
            return 2
    files = [p for p in runner.discover(paths, settings.excluded, settings.filename)
             if p != runner.STDIN]
    rows = collect(files, settings.config().layer)
    text = render_json(rows) if args.output_format == "json" else render_table(rows)
    sys.stdout.write(text)
    return 0

"""Configuration of the standalone command (``flake8-ddd check``).

Read from the nearest ``pyproject.toml`` with a ``[tool.flake8-ddd]`` table or, failing that,
the nearest ``[flake8]`` section of ``setup.cfg``, ``tox.ini`` or ``.flake8`` (the files
flake8 reads), searched from the current directory upwards like flake8 does (stopping below
the home directory). In one directory, ``pyproject.toml`` is looked at first. Command-line
options replace the value of the same key from the file.

The ``[flake8]`` section is read the way flake8 reads it, so both programs see the same
configuration: unknown keys there belong to other plugins and are skipped, ``exclude`` paths are
relative to the file's directory and ``per-file-ignores`` patterns to the current directory.
In ``[tool.flake8-ddd]`` every key must be known, lists may be TOML arrays, and all paths are
relative to the ``pyproject.toml``. Written as text, every list is split on commas and newlines
(:func:`flake8_ddd.option.split_list`; code lists on whitespace too), and the values become a
``Config`` through :func:`flake8_ddd.configuration.build_config`, as the plugin's do.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from flake8_ddd.configuration import build_config
from flake8_ddd.diagnostics import NON_RULE_CODES
from flake8_ddd.flake8_compat import (
    VALID_CODE_PREFIX, FileSelections, PerFileIgnoresError, Selection, normalize_path,
    parse_per_file_ignores)
from flake8_ddd.option import ConfigError, glob_problem, split_codes, split_list
from flake8_ddd.options import PATTERN_RULES_KEY, Config
from flake8_ddd.registry import all_options, all_rules
from flake8_ddd.toml_support import toml_module

if TYPE_CHECKING:  # read when an ini file is found (a project configured in pyproject.toml has none)
    import configparser

DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".bzr", "CVS", ".venv", "venv", "env", ".tox", ".nox", ".eggs",
    "*.egg", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".flake8_ddd_cache",
    "node_modules", "build", "dist",
)
CODE_LIST_KEYS = ("select", "extend-select", "ignore", "extend-ignore")
PATH_LIST_KEYS = ("exclude", "extend-exclude", "filename")
STANDARD_KEYS = CODE_LIST_KEYS + PATH_LIST_KEYS + ("per-file-ignores",)
INI_FILES = ("setup.cfg", "tox.ini", ".flake8")
TOOL_TABLE = "flake8-ddd"
#: ``[[tool.flake8-ddd.pattern-rules]]``: team-defined rules inline (see flake8_ddd.patterns).
PATTERN_RULES_TOML_KEY = "pattern-rules"
#: Shorter names ``[tool.flake8-ddd]`` accepts for some options (the table is flake8-ddd's own).
TOML_ALIASES = {"baseline": "ddd-baseline", "baseline-forbid": "ddd-baseline-forbid"}


class SettingsError(Exception):
    """Unusable configuration or command line; the message is one line for the user."""


class Settings:
    """Everything ``flake8-ddd check`` needs to know besides the paths."""

    def __init__(self) -> None:
        #: "pyproject", "flake8" or "none": where the configuration came from.
        self.origin = "none"
        self.source: Optional[str] = None
        self.select: Optional[List[str]] = None
        self.extend_select: List[str] = []
        self.ignore: Optional[List[str]] = None
        self.extend_ignore: List[str] = []
        self.per_file_ignores: List[Tuple[str, List[str]]] = []
        self.exclude: List[str] = list(DEFAULT_EXCLUDE)
        self.extend_exclude: List[str] = []
        self.filename: List[str] = ["*.py"]
        self.rule_options: Dict[str, Any] = {}
        self._config: Optional[Config] = None

    def selection(self) -> Selection:
        return Selection(self.select, self.extend_select, self.ignore, self.extend_ignore)

    def file_selections(self) -> FileSelections:
        return FileSelections(self.selection(), self.per_file_ignores)

    def config(self) -> Config:
        """The rule configuration, exactly as the flake8 plugin builds it (built once)."""
        if self._config is None:
            self._config = build_config(self.rule_options, select=self.select,
                                        extend_select=self.extend_select)
        return self._config

    @property
    def excluded(self) -> List[str]:
        return self.exclude + self.extend_exclude


def known_codes(extra: Sequence[str] = ()) -> List[str]:
    """Every code a run can report: the rules', DDD000, E999/E902 and declared pattern rules'."""
    return [r.code for r in all_rules()] + list(NON_RULE_CODES) + list(extra)


def _normal_key(key: str) -> str:
    return key.strip().replace("_", "-")


def rule_option_names() -> Tuple[str, ...]:
    return tuple(o.name for o in all_options())


# --- finding the file ------------------------------------------------------------------------

def _load_toml(path: str) -> Dict[str, Any]:
    try:
        tomllib = toml_module("reading pyproject.toml")
    except ConfigError as error:
        raise SettingsError(str(error)) from None
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: invalid TOML: {error}") from None


def _tool_table(path: str, document: Mapping[str, Any]) -> Optional[Mapping[str, Any]]:
    tool = document.get("tool")
    if not isinstance(tool, dict) or TOOL_TABLE not in tool:
        return None
    table = tool[TOOL_TABLE]
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.{TOOL_TABLE}] must be a table")
    return table


def _read_ini(path: str) -> Optional[configparser.RawConfigParser]:
    """The file's sections when it has a ``[flake8]`` one. A duplicate key or section is an
    error (flake8 stops on it too); a file that cannot be parsed at all is skipped, as flake8
    does, but said on standard error."""
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.DuplicateOptionError, configparser.DuplicateSectionError) as error:
        what = (f"key {error.option!r} in [{error.section}]"
                if isinstance(error, configparser.DuplicateOptionError) else f"section [{error.section}]")
        raise SettingsError(f"{path}: duplicate {what} (line {error.lineno}); flake8 refuses "
                            f"this file too: keep one") from None
    except (UnicodeDecodeError, configparser.Error) as error:
        reason = str(error).splitlines()[0]
        print(f"flake8-ddd: warning: {path}: cannot be parsed ({reason}); skipped, as flake8 "
              f"skips it", file=sys.stderr)
        return None
    return parser if parser.has_section("flake8") else None


def _stat_key(path: str) -> Optional[Tuple[int, int]]:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_dev


def find_config(start: str) -> Optional[Tuple[str, str]]:
    """``(kind, path)`` of the configuration file for a run started in ``start``."""
    home = _stat_key(os.path.expanduser("~"))
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate) and _tool_table(candidate, _load_toml(candidate)) is not None:
            return "pyproject", candidate
        for name in INI_FILES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and _read_ini(candidate) is not None:
                return "flake8", candidate
        parent = os.path.dirname(directory)
        if parent == directory or _stat_key(parent) == home:
            return None
        directory = parent


# --- reading it ------------------------------------------------------------------------------

def _raw_from_pyproject(path: str) -> Dict[str, Any]:
    table = _tool_table(path, _load_toml(path))
    if table is None:
        raise SettingsError(f"{path}: no [tool.{TOOL_TABLE}] table")
    known = set(STANDARD_KEYS) | set(rule_option_names()) | {PATTERN_RULES_TOML_KEY}
    raw: Dict[str, Any] = {}
    for key, value in table.items():
        name = _normal_key(key)
        name = TOML_ALIASES.get(name, name)
        if name == PATTERN_RULES_TOML_KEY:
            name = PATTERN_RULES_KEY
        elif name not in known:
            raise SettingsError(f"{path}: unknown key {key!r} in [tool.{TOOL_TABLE}] "
                                f"(known: {', '.join(sorted(known))})")
        raw[name] = value
    return raw


def _raw_from_ini(path: str) -> Dict[str, Any]:
    parser = _read_ini(path)
    if parser is None:
        raise SettingsError(f"{path}: no [flake8] section")
    ours = set(rule_option_names())
    raw: Dict[str, Any] = {}
    for key, value in parser.items("flake8"):
        name = _normal_key(key)
        if name in STANDARD_KEYS or name in ours:
            raw[name] = value  # text: split like every other list, by _string_list or Option.parse
        elif name.startswith("ddd-"):
            raise SettingsError(f"{path}: unknown flake8-ddd option {key!r} in [flake8] "
                                f"(known: {', '.join(sorted(ours))})")
    return raw


def _string_list(key: str, value: Any, where: str,
                 split: Callable[[Any], List[str]] = split_list) -> List[str]:
    if isinstance(value, str) or (
            isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)):
        return split(value)
    raise SettingsError(f"{where}: {key} must be a list of strings or a comma-separated string, "
                        f"got {value!r}")


def _check_codes(key: str, codes: Sequence[str], where: str, lenient: bool,
                 known: Sequence[str]) -> None:
    """Every entry must be a prefix of a known code; in a [flake8] section, non-DDD codes
    belong to other plugins and only need flake8's code syntax."""
    for code in codes:
        if not VALID_CODE_PREFIX.match(code):
            raise SettingsError(f"{where}: {key}: {code!r} is not an error code or prefix "
                                f"(expected letters then digits, like DDD or DDD001)")
        if lenient and not code.startswith("DDD") and not "DDD".startswith(code):
            continue
        if not any(k.startswith(code) for k in known):
            raise SettingsError(f"{where}: {key}: unknown code {code!r} (no flake8-ddd code "
                                f"starts with it; `flake8-ddd rules` lists them)")


def _check_globs(key: str, patterns: Sequence[str], where: str) -> None:
    for pattern in patterns:
        problem = glob_problem(pattern)
        if problem:
            raise SettingsError(f"{where}: {key}: malformed glob {pattern!r} ({problem})")


def _per_file(value: Any, where: str) -> List[Tuple[str, List[str]]]:
    if isinstance(value, dict):
        pairs = []
        for pattern, codes in value.items():
            pairs.append((str(pattern), _string_list(f"per-file-ignores[{pattern!r}]", codes, where,
                                                     split_codes)))
        return pairs
    if isinstance(value, (str, list, tuple)):
        try:
            return parse_per_file_ignores(value)
        except PerFileIgnoresError:
            raise SettingsError(f"{where}: per-file-ignores: expected `PATTERN[,PATTERN]:CODE[,CODE]` "
                                f"entries, got {value!r}") from None
    raise SettingsError(f"{where}: per-file-ignores must be a table or a string, got {value!r}")


#: Code lists to check once the configuration (and its pattern rules) is known.
Pending = List[Tuple[str, List[str], str, bool]]


def apply(settings: Settings, raw: Mapping[str, Any], where: str, base: str,
          per_file_base: str, lenient_codes: bool, pending: Pending) -> None:
    """Merge raw values (from a file or the command line) into ``settings``."""
    for key in CODE_LIST_KEYS:
        if key in raw:
            codes = _string_list(key, raw[key], where, split_codes)
            pending.append((key, codes, where, lenient_codes))
            setattr(settings, key.replace("-", "_"), codes)
    for key in PATH_LIST_KEYS:
        if key in raw:
            patterns = _string_list(key, raw[key], where)
            _check_globs(key, patterns, where)
            if key != "filename":
                patterns = [normalize_path(p, base) for p in patterns]
            setattr(settings, key.replace("-", "_"), patterns)
    if "per-file-ignores" in raw:
        pairs = _per_file(raw["per-file-ignores"], where)
        _check_globs("per-file-ignores", [p for p, _ in pairs], where)
        for _, codes in pairs:
            pending.append(("per-file-ignores", codes, where, lenient_codes))
        settings.per_file_ignores = [(normalize_path(p, per_file_base), codes) for p, codes in pairs]
    for name in rule_option_names() + (PATTERN_RULES_KEY,):
        if name in raw:
            settings.rule_options[name] = raw[name]


def load_settings(cwd: Optional[str] = None, config_path: Optional[str] = None,
                  isolated: bool = False, overrides: Optional[Mapping[str, Any]] = None) -> Settings:
    """Settings for a run in ``cwd``: the configuration file, then command-line overrides."""
    cwd = os.path.abspath(cwd or os.getcwd())
    settings = Settings()
    found: Optional[Tuple[str, str]] = None
    if config_path is not None:
        path = os.path.abspath(os.path.join(cwd, config_path))
        if not os.path.isfile(path):
            raise SettingsError(f"config file {config_path!r} does not exist")
        found = ("pyproject" if path.endswith(".toml") else "flake8", path)
    elif not isolated:
        found = find_config(cwd)
    pending: Pending = []
    if found is not None:
        kind, path = found
        settings.origin, settings.source = kind, path
        directory = os.path.dirname(path)
        if kind == "pyproject":
            where = f"{os.path.relpath(path, cwd)} [tool.{TOOL_TABLE}]"
            apply(settings, _raw_from_pyproject(path), where, directory, directory, False, pending)
        else:
            where = f"{os.path.relpath(path, cwd)} [flake8]"
            apply(settings, _raw_from_ini(path), where, directory, cwd, True, pending)
    if overrides:
        apply(settings, overrides, "command line", cwd, cwd, settings.origin == "flake8", pending)
    try:
        config = settings.config()
    except ConfigError as error:
        where = os.path.relpath(settings.source, cwd) if settings.source else "configuration"
        raise SettingsError(f"{where}: {error}") from None
    known = known_codes([rule.code for rule in config.pattern_rules])
    for key, codes, where, lenient in pending:
        _check_codes(key, codes, where, lenient, known)
    return settings

"""Team-defined pattern rules: codes DDD900–DDD999 declared in configuration, matched with ast-grep.

A pattern rule is data, never code: a code, a message, the layers it applies to and an ast-grep
rule (``pattern``, ``kind``, ``regex``, ``inside``, ``has``, ``not``, ``all``, ``any``, ...) with
optional ``constraints`` on meta-variables and ``utils``. Rules come from TOML rules files named
by the ``ddd-pattern-rules-file`` option (``[[rule]]`` tables) and from inline tables handed to
:func:`flake8_ddd.configuration.build_config` as ``raw["ddd-pattern-rules"]``
(``[[tool.flake8-ddd.pattern-rules]]`` in ``pyproject.toml``).

Every rule is checked once, when the configuration is built: its keys, its code (inside
DDD900–DDD999, not taken by another rule), its layer names, its pattern(s) (each must parse as
Python; the whole rule is compiled by ast-grep on an empty document, so ast-grep's own error is
passed through) and the meta-variables of its message (each defined by a pattern of the rule).
Any problem is a :class:`~flake8_ddd.option.ConfigError` of one line naming the rule.

Decisions:

- ``layers`` omitted: the rule runs on every file flake8-ddd checks, with a layer or without one
  (``main.py``, ``migrations/``), like the built-in rules that need no layer. Test files are
  never checked.
- Pattern rules are on as soon as they are declared (no opt-in): flake8's ``select``,
  ``extend-select``, ``ignore``, ``per-file-ignores`` and ``noqa`` treat them as any other code.
- Columns are 0-based character offsets as ast-grep reports them (flake8 prints them 1-based).
- In a message, ``$NAME``, ``$$NAME`` and ``$$$NAME`` are replaced by the matched text (a
  multi-node match by the source text from its first to its last node), whitespace runs folded
  to one space and cut at 80 characters; a meta-variable not bound by this match (a branch of
  ``any`` that did not match) becomes an empty string.

``ast_grep_py`` is imported only when a pattern rule is declared, and TOML is read only when a
rules file is named: the plugin costs nothing more without them.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, FrozenSet, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from flake8_ddd.layers import Layer, Location
from flake8_ddd.option import ConfigError
from flake8_ddd.toml_support import toml_module
from flake8_ddd.diagnostics import Finding, internal_error

EXTRA = "flake8-ddd[patterns]"
CODE = re.compile(r"^DDD9\d\d$")
NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
#: A meta-variable: ``$NAME``, ``$$NAME`` or ``$$$NAME`` (ast-grep's names are upper case).
META_VARIABLE = re.compile(r"\$(?:\$\$?)?([A-Z_][A-Z0-9_]*)")
#: Any meta-variable in a pattern, named or not (``$$$``, ``$_``, ``$A1``), with any word tail.
META_VARIABLE_TEXT = re.compile(r"\$+\w*")
#: A word of source text: an identifier or keyword (or its tail, as ``x10`` of ``0x10``).
WORD = re.compile(r"[^\W\d]\w*")
#: ast-grep's Python parser reads ``$`` in a pattern as this expando character.
EXPANDO = "\u00b5"
LANGUAGE = "python"
REQUIRED_KEYS = ("code", "message", "rule")
OPTIONAL_KEYS = ("name", "layers", "note", "constraints", "utils")
MATCHER_KEYS = ("rule", "constraints", "utils")
MAX_VALUE_CHARS = 80
DEFAULT_NAME = "team-rule"


class PatternRule(NamedTuple):
    """One team-defined rule, validated; ``matcher`` is the ast-grep config it is matched with
    (compared, hashed and shown through ``key``, its canonical JSON)."""

    code: str
    message: str
    #: Layers whose files it looks at; ``None``: every non-test file.
    layers: Optional[FrozenSet[Layer]]
    matcher: Mapping[str, Any]
    name: str = DEFAULT_NAME
    note: str = ""
    #: Where it was declared (``ddd-rules.toml``, ``[tool.flake8-ddd] pattern-rules``).
    origin: str = ""
    #: The matcher as canonical JSON, which is what compares and hashes.
    key: str = ""
    #: Words every match needs in the source text (see :func:`required_words`).
    words: Tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PatternRule) and self._compared() == other._compared()

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._compared())

    def __repr__(self) -> str:
        return "PatternRule(" + ", ".join(
            f"{name}={value!r}" for name, value in zip(self._fields, self) if name != "matcher") + ")"

    def _compared(self) -> tuple:
        return self[:3] + self[4:]

    def applies_to(self, layers: FrozenSet) -> bool:
        return self.layers is None or bool(self.layers & layers)

    def summary(self) -> str:
        return f"Team-defined pattern rule from {self.origin}" if self.origin else "Team-defined pattern rule"


# --- loading and validation ----------------------------------------------------------------

def load_pattern_rules(files: Sequence[str] = (), inline: Any = None,
                       taken: Iterable[str] = ()) -> Tuple[PatternRule, ...]:
    """Every pattern rule of the rules ``files`` and the ``inline`` tables, validated.

    ``taken`` are the codes already used by other rules (the registered rules'). Relative
    file paths are resolved against the current directory.
    """
    declared: List[Tuple[Any, str, int]] = []
    for path in files:
        declared.extend(_read_rules_file(path))
    if inline is not None:
        if not isinstance(inline, (list, tuple)):
            raise ConfigError("pattern rules in [tool.flake8-ddd]: expected an array of tables "
                              "([[tool.flake8-ddd.pattern-rules]]), got " + _short(inline))
        origin = "[tool.flake8-ddd] pattern-rules"
        declared.extend((data, origin, index) for index, data in enumerate(inline, start=1))
    if not declared:
        return ()
    taken_codes = {code: "a built-in rule" for code in taken}
    rules: List[PatternRule] = []
    for data, origin, index in declared:
        rule = parse_rule(data, origin, index)
        if rule.code in taken_codes:
            raise ConfigError(f"{_label(rule.code, origin)}: code {rule.code} is already used by "
                              f"{taken_codes[rule.code]}")
        taken_codes[rule.code] = f"the pattern rule in {origin}"
        rules.append(rule)
    ast_grep = import_ast_grep(rules[0].code)
    for rule in rules:
        _compile(ast_grep, rule)
    return tuple(sorted(rules, key=lambda r: r.code))


def import_ast_grep(code: str = "") -> Any:
    """The ``ast_grep_py`` module, or a one-line ConfigError saying which extra to install."""
    try:
        import ast_grep_py
    except ImportError:
        declared = f" ({code})" if code else ""
        raise ConfigError(f"pattern rules are declared{declared} but ast-grep-py is not installed: "
                          f"pip install '{EXTRA}'") from None
    return ast_grep_py


def _read_rules_file(path: str) -> List[Tuple[Any, str, int]]:
    shown = str(path)
    try:
        with open(os.path.join(os.getcwd(), os.path.expanduser(shown)), "rb") as handle:
            content = handle.read()
    except OSError as error:
        raise ConfigError(f"option ddd-pattern-rules-file: cannot read {shown!r} "
                          f"(relative to {os.getcwd()}): {error.strerror or error}") from None
    toml = toml_module(f"pattern rules file {shown}: reading TOML")
    try:
        document = toml.loads(content.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"pattern rules file {shown}: not UTF-8 text ({error.reason})") from None
    except toml.TOMLDecodeError as error:
        raise ConfigError(f"pattern rules file {shown}: invalid TOML: {_one_line(str(error))}") from None
    unknown = sorted(set(document) - {"rule"})
    if unknown:
        raise ConfigError(f"pattern rules file {shown}: unknown top-level key {unknown[0]!r}; "
                          "declare each rule as a [[rule]] table")
    tables = document.get("rule", [])
    if not isinstance(tables, list):
        raise ConfigError(f"pattern rules file {shown}: 'rule' must be an array of tables "
                          "([[rule]]), not a single table")
    return [(data, shown, index) for index, data in enumerate(tables, start=1)]


def parse_rule(data: Any, origin: str, index: int) -> PatternRule:
    """One declared table as a :class:`PatternRule` (without ast-grep's compile check)."""
    where = f"pattern rule #{index} in {origin}"
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: expected a table with code, message and rule, got {_short(data)}")
    code = data.get("code")
    if code is None or (isinstance(code, str) and not code.strip()):
        raise ConfigError(f"{where}: 'code' is missing; give it a code from DDD900 to DDD999")
    if not isinstance(code, str) or not CODE.match(code.strip().upper()):
        raise ConfigError(f"{where}: code {code!r} is outside DDD900-DDD999, "
                          "the range reserved for team-defined rules")
    code = code.strip().upper()
    label = _label(code, origin)
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise ConfigError(f"{label}: unknown key {unknown[0]!r}; expected "
                          f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}")
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise ConfigError(f"{label}: {missing[0]!r} is missing")
    message = data["message"]
    if not isinstance(message, str) or not message.strip():
        raise ConfigError(f"{label}: 'message' must be a non-empty string")
    if "\n" in message.strip() or "\r" in message.strip():
        raise ConfigError(f"{label}: 'message' must be one line")
    message = message.strip()
    name = data.get("name", DEFAULT_NAME)
    if not isinstance(name, str) or not NAME.match(name):
        raise ConfigError(f"{label}: 'name' must be kebab-case (e.g. print-in-services), "
                          f"got {_short(name)}")
    note = data.get("note", "")
    if not isinstance(note, str):
        raise ConfigError(f"{label}: 'note' must be a string")
    layers = _parse_layers(data.get("layers"), label)
    for key in MATCHER_KEYS:
        if key in data and not isinstance(data[key], Mapping):
            raise ConfigError(f"{label}: {key!r} must be a table (e.g. {key} = {{ ... }}), "
                              f"got {_short(data[key])}")
    matcher = {key: _plain(data[key]) for key in MATCHER_KEYS if key in data}
    for pattern in _patterns(matcher):
        _check_pattern_parses(pattern, label)
    defined = set(defined_meta_variables(matcher))
    for used in META_VARIABLE.findall(message):
        if used not in defined:
            known = ", ".join(f"${v}" for v in sorted(defined)) or "none"
            raise ConfigError(f"{label}: message uses ${used}, which no pattern of the rule "
                              f"defines (defined: {known})")
    return PatternRule(code=code, message=message, layers=layers, matcher=matcher, name=name,
                       note=note.strip(), origin=origin,
                       key=json.dumps(matcher, sort_keys=True, default=str),
                       words=tuple(sorted(required_words(matcher.get("rule", {})))))


def _parse_layers(value: Any, label: str) -> Optional[FrozenSet[Layer]]:
    if value is None:
        return None
    if isinstance(value, str):
        names = [n for n in re.split(r"[+,\s]+", value) if n]
    elif isinstance(value, (list, tuple)) and all(isinstance(n, str) for n in value):
        names = [n.strip() for n in value if n.strip()]
    else:
        raise ConfigError(f"{label}: 'layers' must be a list of layer names, got {_short(value)}")
    if not names:
        raise ConfigError(f"{label}: 'layers' is empty; omit it to check every file")
    valid = "|".join(layer.value for layer in Layer)
    layers = set()
    for name in names:
        try:
            layers.add(Layer(name.lower()))
        except ValueError:
            raise ConfigError(f"{label}: unknown layer {name!r}; expected one of {valid}") from None
    return frozenset(layers)


def _plain(value: Any) -> Any:
    """TOML data as plain dicts/lists (tomllib gives those already; inline tables may not)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _walk(value: Any, skip_not: bool) -> Iterator[Tuple[str, Any]]:
    """``(key, value)`` of every entry of a nested rule, optionally not entering ``not``."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if skip_not and key == "not":
                continue
            yield key, item
            yield from _walk(item, skip_not)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, skip_not)


def _pattern_texts(value: Any) -> List[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping) and isinstance(value.get("context"), str):
        return [value["context"]]
    return []


def _patterns(matcher: Mapping[str, Any]) -> List[str]:
    return [text for key, value in _walk(matcher, skip_not=False) if key == "pattern"
            for text in _pattern_texts(value)]


def defined_meta_variables(matcher: Mapping[str, Any]) -> List[str]:
    """Names a match can bind: those of every pattern outside ``not`` (``$_X`` never binds)."""
    names = []
    for key, value in _walk({k: v for k, v in matcher.items() if k != "constraints"}, skip_not=True):
        if key == "pattern":
            for text in _pattern_texts(value):
                names += [n for n in META_VARIABLE.findall(text) if not n.startswith("_")]
    return sorted(set(names))


def required_words(rule: Any) -> FrozenSet[str]:
    """Words that any source a rule matches must contain, to skip ast-grep's parse without them.

    A plain pattern string (the default ``smart`` strictness) matches only nodes whose text has
    each of its identifier and keyword tokens, so its words (meta-variables removed) are
    needed; so are those of ``all`` members and of ``inside``/``has``/``follows``/``precedes``
    targets (they are in the same document), and those common to every branch of ``any``.
    ``not``, ``kind``, ``regex``, ``matches``, pattern objects and patterns with a comment give
    none: the filter only ever skips files that cannot match.
    """
    if not isinstance(rule, Mapping):
        return frozenset()
    words = set()
    pattern = rule.get("pattern")
    if isinstance(pattern, str) and "#" not in pattern:
        words.update(WORD.findall(META_VARIABLE_TEXT.sub(" ", pattern)))
    for relation in ("inside", "has", "follows", "precedes"):
        words |= required_words(rule.get(relation))
    members = rule.get("all")
    if isinstance(members, list):
        for member in members:
            words |= required_words(member)
    branches = rule.get("any")
    if isinstance(branches, list) and branches:
        common = required_words(branches[0])
        for branch in branches[1:]:
            common &= required_words(branch)
        words |= common
    return frozenset(words)


def _check_pattern_parses(pattern: str, label: str) -> None:
    """A pattern with a syntax error matches unreliably, and ast-grep does not reject it."""
    if not pattern.strip():
        return  # ast-grep's own error ("No AST root is detected") is clearer
    try:
        from ast_grep_py import SgRoot
    except ImportError:
        return  # reported once for the whole configuration by import_ast_grep
    root = SgRoot(pattern.replace("$", EXPANDO), LANGUAGE).root()
    error = root.find(kind="ERROR")
    if error is not None:
        start = error.range().start
        raise ConfigError(f"{label}: pattern {pattern!r} is not valid Python (syntax error at "
                          f"line {start.line + 1}, column {start.column + 1}); write a complete "
                          "expression or statement, or use pattern = { context = ..., selector = ... }")


def _compile(ast_grep: Any, rule: PatternRule) -> None:
    """Let ast-grep compile the rule once on an empty document; pass its error through."""
    try:
        ast_grep.SgRoot("", LANGUAGE).root().find_all(config=dict(rule.matcher))
    except Exception as error:
        raise ConfigError(f"{_label(rule.code, rule.origin)}: invalid ast-grep rule: "
                          f"{ast_grep_error_text(error)}") from None


def ast_grep_error_text(error: BaseException) -> str:
    """ast-grep's error on one line: its causes joined, without the Rust backtrace."""
    text = str(error).split("Stack backtrace:", 1)[0]
    parts = []
    for line in text.splitlines():
        line = re.sub(r"^\s*\d+:\s*", "", line).strip()
        if line and line != "Caused by:":
            parts.append(line.rstrip("."))
    return "; ".join(parts) or type(error).__name__


def _label(code: str, origin: str) -> str:
    return f"pattern rule {code} in {origin}" if origin else f"pattern rule {code}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- running -------------------------------------------------------------------------------

def pattern_rules_for(location: Location, rules: Sequence[PatternRule]) -> List[PatternRule]:
    """The pattern rules that look at a file in ``location`` (none for test files)."""
    if location.is_test:
        return []
    return [rule for rule in rules if rule.applies_to(location.layers)]


def run_pattern_rules(rules: Sequence[PatternRule], source: str,
                      prefilter: bool = True) -> List[Finding]:
    """Findings of ``rules`` in ``source``, parsed once by ast-grep for all of them.

    Rules whose :func:`required_words` are not all in the text are skipped, and the source is
    not parsed when no rule is left. A rule that fails on this file gives one ``DDD000``
    finding at line 1 instead.
    """
    if prefilter:
        rules = [rule for rule in rules if all(word in source for word in rule.words)]
        if not rules:
            return []
    try:
        from ast_grep_py import SgRoot

        root = SgRoot(source, LANGUAGE).root()
    except Exception as error:  # never seen; the built-in rules' findings must survive it
        return [_internal_error("pattern rules", error)]
    findings: List[Finding] = []
    for rule in rules:
        try:
            for match in root.find_all(config=dict(rule.matcher)):
                start = match.range().start
                text = render_message(rule, match, source)
                findings.append(Finding(start.line + 1, start.column, rule.code, text))
        except Exception as error:  # a rule must never take the flake8 run down
            findings.append(_internal_error(rule.code, error))
    return findings


def _internal_error(where: str, error: BaseException) -> Finding:
    return internal_error(where, error, ast_grep_error_text(error))


def render_message(rule: PatternRule, match: Any, source: str) -> str:
    """``DDD9xx message`` with the meta-variables replaced by what this match bound."""
    def value(found: "re.Match[str]") -> str:
        return _fold(_bound_text(match, found.group(1), source))

    return f"{rule.code} {META_VARIABLE.sub(value, rule.message)}"


def _bound_text(match: Any, name: str, source: str) -> str:
    single = match.get_match(name)
    if single is not None:
        return single.text()
    nodes = match.get_multiple_matches(name)
    if not nodes:
        return ""
    return source[nodes[0].range().start.index:nodes[-1].range().end.index]


def _fold(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 3] + "..."

"""The one place raw option values become a :class:`~flake8_ddd.options.Config`.

Both entry points call :func:`build_config`: the flake8 plugin with flake8's parsed options,
``flake8-ddd check`` with the values of ``[tool.flake8-ddd]``, a ``[flake8]`` section and its
command line (:mod:`flake8_ddd.config_files`). So the same values give the same ``Config``,
whichever program reads them: every option split by the same splitter
(:func:`flake8_ddd.option.split_list`), ``select`` and ``extend-select`` merged here only, and
the team-defined pattern rules checked against the codes of the registered rules.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence, Tuple, Type

from flake8_ddd.option import Option, split_codes
from flake8_ddd.options import (
    PATTERN_RULES_FILE, PATTERN_RULES_KEY, Config, ConfigError, build_layer_config)
from flake8_ddd.patterns import PatternRule, load_pattern_rules
from flake8_ddd.registry import all_options, all_rules
from flake8_ddd.rule import Rule


def selected_entries(select: Optional[Iterable[str]], extend_select: Iterable[str] = ()) -> Tuple[str, ...]:
    """``select`` then ``extend-select`` entries, upper case: what can switch opt-in rules on."""
    return tuple(code.upper() for code in split_codes(list(select or ()) + list(extend_select or ())))


def build_config(raw: Mapping[str, Any], options: Optional[Iterable[Option]] = None,
                 select: Optional[Iterable[str]] = None, extend_select: Iterable[str] = (),
                 rules: Optional[Sequence[Type[Rule]]] = None) -> Config:
    """Parse raw option values (keyed by option name; text, a list or None) into a Config.

    ``options`` default to every registered option, ``rules`` (whose codes pattern rules may
    not take) to every registered rule. Raises :class:`ConfigError` with one line.
    """
    options = all_options() if options is None else tuple(options)
    values = {option.name: option.parse(raw.get(option.name)) for option in options}
    try:
        layer = build_layer_config(values)
    except ValueError as error:  # pragma: no cover - items are checked by Option.parse
        raise ConfigError(str(error)) from None
    return Config(layer=layer, values=values, selected=selected_entries(select, extend_select),
                  pattern_rules=_pattern_rules(raw, values, rules))


def _pattern_rules(raw: Mapping[str, Any], values: Mapping[str, Tuple[str, ...]],
                   rules: Optional[Sequence[Type[Rule]]]) -> Tuple[PatternRule, ...]:
    files = values.get(PATTERN_RULES_FILE.name) or PATTERN_RULES_FILE.parse(
        raw.get(PATTERN_RULES_FILE.name))
    inline = raw.get(PATTERN_RULES_KEY)
    if not files and inline is None:
        return ()
    taken = [rule.code for rule in (all_rules() if rules is None else rules)]
    return load_pattern_rules(files, inline, taken)

"""The flake8 entry point ``DDD``: one checker that runs the whole rule pack in one pass."""

from __future__ import annotations

import argparse
import ast
import multiprocessing
import sys
from typing import TYPE_CHECKING, Any, ClassVar, Iterator, Optional, Sequence, Tuple, Type

from flake8_ddd import __version__, collector
from flake8_ddd.configuration import build_config
from flake8_ddd.diagnostics import internal_error
from flake8_ddd.directory_memo import moment_of
from flake8_ddd.engine import lint_tree
from flake8_ddd.option import ConfigError, Option
from flake8_ddd.options import BASELINE, Config
from flake8_ddd.registry import all_options, all_rules
from flake8_ddd.flake8_compat import FLAKE8_DEFAULT_IGNORE, Selection, trap_warning
from flake8_ddd.unknown_options import unknown_options_warning
from flake8_ddd.layer_report import warn_flake8_run

if TYPE_CHECKING:
    from flake8_ddd.adoption import PluginBaseline


class Plugin:
    name = "flake8-ddd"
    version = __version__
    config: ClassVar[Config] = Config()
    baseline: ClassVar[Optional[PluginBaseline]] = None

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, parser: Any) -> None:
        # The raw text goes to Option.parse, so flake8 and `flake8-ddd check` split it alike.
        for option in all_options():
            parser.add_option(option.flag, default=None, parse_from_config=True,
                              normalize_paths=option is BASELINE,  # a/b.json: from the config file
                              help=_help(option))

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        raw = {option.name: getattr(options, option.dest, None) for option in all_options()}
        try:
            cls.config = build_config(raw, select=getattr(options, "select", None),
                                      extend_select=getattr(options, "extend_select", None) or ())
            cls.baseline = None
            if cls.config.get(BASELINE):  # the baseline machinery is imported only when used
                from flake8_ddd.adoption import plugin_baseline
                cls.baseline = plugin_baseline(cls.config)
        except ConfigError as error:
            print(f"flake8-ddd: {error}", file=sys.stderr)
            raise SystemExit(2) from None
        warn_about_traps(options)
        warn_flake8_run(options, cls.config.layer)

    def run(self) -> Iterator[Tuple[int, int, str, Type["Plugin"]]]:
        # The collector is paused meanwhile: otherwise our short-lived objects trigger
        # collections that walk flake8's whole heap. What we free is uncounted again, so none
        # is merely postponed.
        try:
            with collector.paused(), moment_of(self.config):  # directories as the run began
                findings = lint_tree(self.tree, self.filename, self.lines, self.config)
        except Exception as error:  # the plugin must never take the flake8 run down
            findings = [internal_error("flake8-ddd", error)]
        if self.baseline is not None:
            findings = self.baseline.hide_known(self.filename, self.lines, self.tree, findings)
        for finding in findings:
            yield finding.line, finding.col, finding.message, type(self)


def warn_about_traps(options: argparse.Namespace) -> None:
    """Say once per run when flake8's select/ignore lists drop DDD codes the user never named.

    ``parse_options`` runs once per flake8 run in the main process (worker processes started
    by fork inherit the result; started by spawn, they parse again, so they stay quiet).
    """
    if multiprocessing.current_process().name != "MainProcess":
        return
    selection = Selection(
        getattr(options, "select", None), getattr(options, "extend_select", None) or (),
        getattr(options, "ignore", None), getattr(options, "extend_ignore", None) or (),
        default_select=getattr(options, "extended_default_select", None) or ("DDD",),
        default_ignore=FLAKE8_DEFAULT_IGNORE
        + tuple(getattr(options, "extended_default_ignore", None) or ()))
    warning = trap_warning(selection, [rule.code for rule in all_rules()])
    if warning:
        print(warning, file=sys.stderr)
    misspelled = unknown_options_warning(options, [option.name for option in all_options()])
    if misspelled:
        print(misspelled, file=sys.stderr)


def _help(option: Option) -> str:
    default = ", ".join(option.default) or "none"
    return f"{option.help} Default: {default}. (flake8-ddd)".replace("%", "%%")

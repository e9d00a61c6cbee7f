"""The command line's argparse classes: a usage error is one line, and the help is as wide as
the terminal without importing :mod:`shutil` (which imports bz2 and lzma: argparse asks for the
width whenever an argument is added, so every run paid for it)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NoReturn, Optional


def terminal_width() -> int:
    """The columns of the terminal, as :func:`shutil.get_terminal_size` tells them: ``COLUMNS``,
    else standard output's terminal, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: Optional[int] = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         terminal_width() - 2 if width is None else width)


class DescriptionAsWritten(argparse.RawDescriptionHelpFormatter, Formatter):
    """The program's description printed as it is written (its docstring's lines)."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), like every other bad input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")

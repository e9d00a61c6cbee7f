"""The TOML parser: ``tomllib`` from Python 3.11, the ``tomli`` package before.

Imported only where a TOML file is read (``pyproject.toml``, a pattern rules file), so the
plugin costs nothing more without one.
"""

from __future__ import annotations

import sys
from typing import Any

from flake8_ddd.option import ConfigError


def toml_module(purpose: str) -> Any:
    """``tomllib`` or ``tomli``; a one-line ConfigError saying ``purpose`` needs tomli otherwise."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:  # pragma: no cover - Python 3.9/3.10 only
        import tomli
    except ImportError:  # pragma: no cover
        raise ConfigError(f"{purpose} needs the 'tomli' package on Python "
                          f"{sys.version_info[0]}.{sys.version_info[1]}: pip install tomli") from None
    return tomli  # pragma: no cover

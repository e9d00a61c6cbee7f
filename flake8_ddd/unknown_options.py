"""Misspelled ``ddd-*`` options in flake8's configuration, said once per run.

flake8 ignores every key of its ``[flake8]`` section that no plugin declared, so
``ddd-layer-segmentz = handlers=routes`` would change nothing without a word (``flake8-ddd
check`` rejects it). The plugin reads the same configuration flake8 read (through flake8's own
loader, with the run's ``--config``, ``--append-config`` and ``--isolated``) and warns about each
``ddd-`` key it does not know, suggesting the nearest known name.
"""

from __future__ import annotations

import argparse
import difflib
from typing import Iterable, List


def unknown_ddd_keys(options: argparse.Namespace, known: Iterable[str]) -> List[str]:
    """``ddd-*`` keys of flake8's ``[flake8]`` section that are no flake8-ddd option."""
    known = set(known)
    try:
        from flake8.options.config import load_config

        config, _ = load_config(getattr(options, "config", None),
                                list(getattr(options, "append_config", None) or ()),
                                isolated=bool(getattr(options, "isolated", False)))
    except Exception:  # flake8 already read it (or failed loudly); nothing more to say here
        return []
    if not config.has_section("flake8"):
        return []
    keys = (key.strip() for key in config.options("flake8"))
    return sorted(key for key in keys
                  if key.replace("_", "-").startswith("ddd-") and key.replace("_", "-") not in known)


def unknown_options_warning(options: argparse.Namespace, known: Iterable[str]) -> str:
    """One line per unknown ``ddd-*`` key (empty when there is none)."""
    known = sorted(set(known))
    lines = []
    for key in unknown_ddd_keys(options, known):
        close = difflib.get_close_matches(key.replace("_", "-"), known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"
        lines.append(f"flake8-ddd: warning: unknown option {key!r} in the [flake8] configuration"
                     f"{hint}; flake8 ignores it")
    return "\n".join(lines)

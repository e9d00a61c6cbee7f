"""The configuration ``flake8-ddd init`` proposes: rendered for ``pyproject.toml``
(``[tool.flake8-ddd]``) or an ini file (``[flake8]``), and added to the file by text insertion
so that nothing else in it changes (comments, order, other tools' sections)."""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

PYPROJECT = "pyproject.toml"
SETUP_CFG = "setup.cfg"
TOML_HEADER = "[tool.flake8-ddd]"
INI_HEADER = "[flake8]"
SECTION = re.compile(r"^\s*\[")


class Proposal:
    """Option name -> items, in the order they were proposed, without duplicates."""

    def __init__(self) -> None:
        self._items: Dict[str, List[str]] = {}

    def add(self, key: str, item: str) -> None:
        items = self._items.setdefault(key, [])
        if item not in items:
            items.append(item)

    def items(self) -> Iterator[Tuple[str, List[str]]]:
        return iter(self._items.items())

    def __bool__(self) -> bool:
        return bool(self._items)


def config_target(root: str, source: Optional[str], wanted: Optional[str]) -> str:
    """The file to write: the configuration ``check`` reads when it is in the project, else
    ``pyproject.toml`` when there is one, else ``setup.cfg``; ``wanted`` names the kind."""
    if source and os.path.dirname(os.path.abspath(source)) == root and (
            wanted is None or os.path.basename(source).endswith(".toml") == (wanted == PYPROJECT)):
        return source
    if wanted is None:
        wanted = PYPROJECT if os.path.isfile(os.path.join(root, PYPROJECT)) else SETUP_CFG
    return os.path.join(root, wanted)


def is_toml(target: str) -> bool:
    return target.endswith(".toml")


def render_lines(proposal: Proposal, toml: bool) -> List[str]:
    lines = []
    for key, items in proposal.items():
        if toml:
            lines.append(f"{key} = [{', '.join(json.dumps(i) for i in items)}]")
        else:
            lines.append(f"{key} =")
            lines.extend(f"    {item}" for item in items)
    return lines


def render_proposal(proposal: Proposal, target: str, files: int, before: int, after: int,
                    notes: Sequence[str] = ()) -> str:
    out = [f"# flake8-ddd init: {files} application files; with a layer: {before} now, "
           f"{after} with this configuration"]
    out.extend(f"# {note}" for note in notes)
    if not proposal:
        out.append("# nothing to configure: every module with layer code has a layer")
        return "\n".join(out) + "\n"
    out.append(f"# for {os.path.basename(target)}:")
    return "\n".join(out) + "\n" + render_section(proposal, target)


def render_section(proposal: Proposal, target: str) -> str:
    """The proposal as the section of ``target``'s kind, header included; "" when empty."""
    if not proposal:
        return ""
    lines = [TOML_HEADER if is_toml(target) else INI_HEADER] + render_lines(proposal, is_toml(target))
    return "\n".join(lines) + "\n"


def _section_span(lines: Sequence[str], header: str) -> Optional[Tuple[int, int]]:
    """(index of the header line, index after the section's last line), or None."""
    start = next((i for i, line in enumerate(lines) if line.strip() == header), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if SECTION.match(lines[i])), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return start, end


def _keys_in(lines: Sequence[str]) -> set:
    keys = set()
    for line in lines:
        match = re.match(r"^\s*([A-Za-z0-9_-]+)\s*[=:]", line)
        if match and not line[:1].isspace():
            keys.add(match.group(1).replace("_", "-").lower())
    return keys


def add_to_file(text: str, proposal: Proposal, toml: bool) -> Tuple[str, List[str]]:
    """The file's text with the proposal added, and the keys left out (already set there)."""
    header = TOML_HEADER if toml else INI_HEADER
    lines = text.splitlines()
    span = _section_span(lines, header)
    present = _keys_in(lines[span[0] + 1:span[1]]) if span else set()
    kept = Proposal()
    skipped = []
    for key, items in proposal.items():
        if key in present:
            skipped.append(key)
            continue
        for item in items:
            kept.add(key, item)
    new = render_lines(kept, toml)
    if not new:
        return text, skipped
    newline = "\r\n" if "\r\n" in text else "\n"
    if span is None:
        prefix = text if not text or text.endswith(("\n", "\r\n")) else text + newline
        separator = newline if prefix.strip() else ""
        return prefix + separator + newline.join([header] + new) + newline, skipped
    start, end = span
    pieces = lines[:end] + new + lines[end:]
    result = newline.join(pieces)
    if text.endswith(("\n", "\r\n")) or end == len(lines):
        result += newline
    return result, skipped


class Written(NamedTuple):
    #: 0, or 2 when the file could not be read or written.
    status: int
    #: Whether the file changed.
    written: bool
    #: Option names left out because the file sets them already.
    already_set: List[str]


def write_proposal(proposal: Proposal, target: str, announce: bool = True) -> Written:
    """Add the proposal to ``target`` (created when missing); ``announce`` prints ``# written to``."""
    try:
        text = ""
        if os.path.isfile(target):
            with open(target, encoding="utf-8", newline="") as handle:
                text = handle.read()
        updated, skipped = add_to_file(text, proposal, is_toml(target))
        if updated != text:
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(updated)
    except (OSError, UnicodeDecodeError) as error:
        print(f"flake8-ddd: {target}: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
        return Written(2, False, [])
    for key in skipped:
        print(f"flake8-ddd: {os.path.basename(target)} already sets {key}; add the proposed items "
              "to it by hand", file=sys.stderr)
    if updated != text and announce:
        print(f"# written to {target}")
    return Written(0, updated != text, skipped)

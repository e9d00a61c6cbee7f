"""``flake8-ddd`` / ``python -m flake8_ddd``: rule documentation and README upkeep."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from flake8_ddd import __version__
from flake8_ddd.docs import render_listing, render_rule, render_rules_json, splice_table
from flake8_ddd.registry import all_rules, rule_by_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flake8-ddd", description=__doc__)
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)
    rule = commands.add_parser("rule", help="explain one rule, like `ruff rule`")
    rule.add_argument("code")
    rule.add_argument("--output-format", choices=("text", "json"), default="text")
    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")
    readme = commands.add_parser("readme", help="regenerate the README rules table")
    readme.add_argument("--check", action="store_true", help="exit 1 when the table is stale")
    readme.add_argument("path", nargs="?", default="README.md")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "rule":
        found = rule_by_code(args.code)
        if found is None:
            print(f"flake8-ddd: unknown rule code {args.code!r}", file=sys.stderr)
            return 2
        print(render_rules_json([found]) if args.output_format == "json" else render_rule(found), end="")
        return 0
    if args.command == "rules":
        rules = all_rules()
        print(render_rules_json(rules) if args.output_format == "json" else render_listing(rules), end="")
        return 0
    path = Path(args.path)
    current = path.read_text(encoding="utf-8")
    updated = splice_table(current, all_rules())
    if args.check:
        if updated != current:
            print(f"{path}: rules table is stale; run `python -m flake8_ddd readme`", file=sys.stderr)
            return 1
        return 0
    path.write_text(updated, encoding="utf-8")
    return 0

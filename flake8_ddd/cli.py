"""``flake8-ddd`` / ``python -m flake8_ddd``: check a project, explain rules, keep the README.

``flake8-ddd check [PATHS]`` runs only the DDD rules, through the same engine as the flake8
plugin, so both report the same findings for the same configuration. Exit status: 0 without
findings, 1 with findings, 2 for a usage or configuration error.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from flake8_ddd import __version__, replay

if TYPE_CHECKING:  # the commands import what they need when they run: a replayed check
    from flake8_ddd import map_command, runner  # (flake8_ddd.replay) imports nothing else
    from flake8_ddd.adoption_cli import Plan
    from flake8_ddd.config_files import Settings
    from flake8_ddd.diagnostics import CodeDoc
    from flake8_ddd.patterns import PatternRule
    from flake8_ddd.source_files import Found


def _jobs(value: str) -> Optional[int]:
    if value == "auto":
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number or 'auto', got {value!r}")
    return number


def build_parser(argv: Optional[Sequence[str]] = None) -> argparse.ArgumentParser:
    """The command line's parser. Given ``argv`` naming a command, only that command's options
    are filled in (the other commands are names without options): building ``map``, ``layers``
    and ``init`` imports their modules, which a ``check`` has no use for."""
    from flake8_ddd.argument_parser import DescriptionAsWritten, Parser

    wanted = _command_named(argv)

    def wants(*names: str) -> bool:
        return wanted is None or wanted in names

    parser = Parser(prog="flake8-ddd", description=__doc__, formatter_class=DescriptionAsWritten)
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    if wants("check", "map"):
        _add_check(commands)
    else:
        commands.add_parser("check")
    if wants("map"):
        from flake8_ddd import map_command

        map_command.register(commands, commands.choices["check"])
    else:
        commands.add_parser("map")
    clean = commands.add_parser("clean", help="remove the result cache of the project (.flake8_ddd_cache/)")
    clean.add_argument("--output-format", choices=("text", "json"), default="text")
    rule = commands.add_parser("rule", help="explain one rule, like `ruff rule`")
    rule.add_argument("code")
    rule.add_argument("--output-format", choices=("text", "json"), default="text")
    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")
    readme = commands.add_parser("readme", help="regenerate the README rules table")
    readme.add_argument("--check", action="store_true", help="exit 1 when the table is stale")
    readme.add_argument("path", nargs="?", default="README.md")
    new = commands.add_parser(
        "new-rule", help="add a rule to this repository: its module, fixture and entry point",
        description="Write flake8_ddd/rules/<code>_<name>.py from a template, a fixture under "
                    "tests/fixtures/app/ and the entry point in pyproject.toml (run it at the "
                    "root of a flake8-ddd checkout).")
    new.add_argument("code", help="the new code, e.g. DDD123")
    new.add_argument("name", help="kebab-case name of the flagged pattern, e.g. print-in-services")
    new.add_argument("--output-format", choices=("text", "json"), default="text")
    if wants("layers"):
        from flake8_ddd import layer_report

        layer_report.add_parser(commands)
    else:
        commands.add_parser("layers")
    if wants("init"):
        from flake8_ddd import layout_init

        layout_init.add_parser(commands)
    else:
        commands.add_parser("init")
    return parser


def _command_named(argv: Optional[Sequence[str]]) -> Optional[str]:
    """The command ``argv`` runs: its first word, unless that is an option of the program's
    own (``--help``, ``--version``) or no command, so that the help and the error list every
    command with its help (None)."""
    first = next(iter(argv or ()), None)
    return first if first in COMMANDS else None


def _add_check(commands: Any) -> None:
    from flake8_ddd import adoption_cli, output

    check = commands.add_parser(
        "check", help="check files with the DDD rules only (no flake8 needed)",
        description="Check Python files with the DDD rules, configured from [tool.flake8-ddd] "
                    "in pyproject.toml or the [flake8] section of setup.cfg/tox.ini/.flake8.")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="files or directories to check (default: .); - reads standard input")
    check.add_argument("--output-format", choices=output.FORMATS, default="concise",
                       help="concise (default, path:line:col: CODE message), full (with the "
                            "source line), json (ruff's shape), github (Actions annotations), "
                            "sarif (2.1.0)")
    check.add_argument("--statistics", action="store_true",
                       help="print the number of findings per code instead of the findings")
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when there are findings")
    check.add_argument("--no-cache", action="store_true",
                       help="neither read nor write the result cache (.flake8_ddd_cache/)")
    check.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                       help="processes to check files in (default: auto, one per core)")
    check.add_argument("--config", metavar="FILE",
                       help="read this pyproject.toml ([tool.flake8-ddd]) or ini file ([flake8]) "
                            "instead of searching for one")
    check.add_argument("--isolated", action="store_true", help="ignore configuration files")
    check.add_argument("--stdin-filename", default="stdin", metavar="PATH",
                       help="the path of the file read from standard input (gives its layer)")
    for flag, what in OVERRIDES:
        check.add_argument(f"--{flag}", metavar="LIST", help=what)
    adoption_cli.add_arguments(check)


#: The configuration keys ``check`` takes on its command line too.
OVERRIDES: Sequence[Tuple[str, str]] = (
    ("select", "codes or prefixes to report (replaces the configured list)"),
    ("extend-select", "codes or prefixes to report in addition"),
    ("ignore", "codes or prefixes not to report (replaces the configured list)"),
    ("extend-ignore", "codes or prefixes not to report, in addition"),
    ("per-file-ignores", "PATTERN:CODES pairs, as in flake8"),
    ("exclude", "globs of files and directories to skip (replaces the default)"),
    ("extend-exclude", "globs of files and directories to skip, in addition"),
)


def fail(message: str) -> int:
    print(f"flake8-ddd: {message}", file=sys.stderr)
    return 2


def main(argv: Optional[List[str]] = None) -> int:
    """The program (``argv``: its arguments, default ``sys.argv[1:]``); the exit status."""
    started_ns = time.time_ns()
    program = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    replayed = replay.replay(argv)
    if replayed is not None:
        return replayed
    args = build_parser(argv).parse_args(argv)
    if args.command == "check" and replay.enabled():
        args.recorder = replay.Recorder(argv, started_ns, os.getcwd())
    command = COMMANDS[args.command]
    if args.command not in ("check", "map"):
        return command(args)
    from flake8_ddd import collector

    with collector.paused():  # a check leaves no cycle to collect (flake8_ddd.collector)
        status = command(args)
    if program:
        gc.freeze()  # else the collection at interpreter exit walks the whole heap once more
    return status


def clean_command(args: Optional[argparse.Namespace] = None, cwd: Optional[str] = None) -> int:
    """``flake8-ddd clean``: remove the cache ``flake8-ddd check`` would use from ``cwd``."""
    from flake8_ddd import cache_store
    from flake8_ddd.config_files import SettingsError, find_config

    cwd = cwd or os.getcwd()
    try:
        found = find_config(cwd)
    except SettingsError:  # a broken configuration file must not keep the cache from going
        found = None
    output_format = getattr(args, "output_format", "text")
    return cache_store.clean_command(found[1] if found else None, cwd, output_format)


def rule_command(args: argparse.Namespace) -> int:
    from flake8_ddd.config_files import SettingsError
    from flake8_ddd.docs import pattern_rule_as_dict, render_pattern_rule, render_rule, render_rules_json
    from flake8_ddd.registry import all_rules, rule_by_code

    wanted = args.code.strip()
    found = rule_by_code(wanted) or next((r for r in all_rules() if r.name() == wanted.lower()), None)
    if found is not None:
        print(render_rules_json([found]) if args.output_format == "json" else render_rule(found), end="")
        return 0
    try:
        pattern_rules = _pattern_rules()
    except SettingsError as error:
        return fail(str(error))
    pattern = next((r for r in pattern_rules
                    if wanted.upper() == r.code or wanted.lower() == getattr(r, "name", None)), None)
    if pattern is None:
        return fail(f"unknown rule code or name {args.code!r} (`flake8-ddd rules` lists them)")
    print(json.dumps([pattern_rule_as_dict(pattern)], indent=2) if args.output_format == "json"
          else render_pattern_rule(pattern), end="")
    return 0


def rules_command(args: argparse.Namespace) -> int:
    from flake8_ddd.config_files import SettingsError
    from flake8_ddd.docs import listing_line, pattern_rule_as_dict, render_listing, render_rules_json
    from flake8_ddd.registry import all_rules

    rules = all_rules()
    try:
        pattern_rules = _pattern_rules()
    except SettingsError as error:
        return fail(str(error))
    if args.output_format == "json":
        listed = json.loads(render_rules_json(rules)) + [pattern_rule_as_dict(r) for r in pattern_rules]
        print(json.dumps(listed, indent=2), end="")
    else:
        print(render_listing(rules) + "".join(listing_line(r) + "\n" for r in pattern_rules), end="")
    return 0


def readme_command(args: argparse.Namespace) -> int:
    from pathlib import Path

    from flake8_ddd.docs import splice_table
    from flake8_ddd.registry import all_rules

    path = Path(args.path)
    try:
        current = path.read_text(encoding="utf-8")
        updated = splice_table(current, all_rules())
    except (OSError, ValueError) as error:
        return fail(f"{path}: {getattr(error, 'strerror', None) or error}")
    if args.check:
        if updated != current:
            print(f"{path}: rules table is stale; run `python -m flake8_ddd readme`", file=sys.stderr)
            return 1
        return 0
    path.write_text(updated, encoding="utf-8")
    return 0


def new_rule_command(args: argparse.Namespace) -> int:
    from pathlib import Path

    from flake8_ddd.scaffold import ScaffoldError, new_rule

    try:
        written = new_rule(args.code, args.name, Path.cwd())
    except ScaffoldError as error:
        return fail(str(error))
    if args.output_format == "json":
        print(json.dumps(written.as_json(), indent=2))
        return 0
    for path in written.files:
        print(f"wrote {path}")
    print(written.next_steps, end="")
    return 0


def _pattern_rules() -> Tuple[PatternRule, ...]:
    """Team-defined rules (DDD9xx) of the configuration found from the current directory."""
    from flake8_ddd.config_files import load_settings

    return load_settings().config().pattern_rules


def check(args: argparse.Namespace, show: Optional[map_command.Show] = None) -> int:
    """``flake8-ddd check``; ``map`` passes ``show``, given the settings and findings instead of printing."""
    recorder = getattr(args, "recorder", None) if show is None and _replayable(args) else None
    if recorder is None:
        return _check(args, show, None)
    stderr = sys.stderr
    sys.stderr = replay.TeeStream(stderr, recorder.stderr)  # type: ignore[assignment]
    try:
        return _check(args, None, recorder)
    finally:
        sys.stderr = stderr


def _replayable(args: argparse.Namespace) -> bool:
    """Whether the run may be replayed (:mod:`flake8_ddd.replay`) when nothing changes."""
    return not (args.no_cache or args.add_noqa or args.write_baseline or args.new_since
                or "-" in (args.paths or ()))


def _check(args: argparse.Namespace, show: Optional[map_command.Show],
           recorder: Optional[replay.Recorder]) -> int:
    from flake8_ddd import adoption_cli, output, processes
    from flake8_ddd.config_files import SettingsError, load_settings
    from flake8_ddd.flake8_compat import trap_warning
    from flake8_ddd.registry import all_rules

    overrides: Dict[str, Any] = {}
    for flag, _ in OVERRIDES:
        value = getattr(args, flag.replace("-", "_"))
        if value is not None:
            overrides[flag] = value
    if args.statistics and args.output_format in ("github", "sarif"):
        return fail(f"--statistics cannot be shown as --output-format {args.output_format}, "
                    f"which has no place for counts; use concise, full or json")
    try:
        settings = load_settings(config_path=args.config, isolated=args.isolated,
                                 overrides=overrides)
    except SettingsError as error:
        return fail(str(error))
    paths = args.paths or ["."]
    for path in paths:
        if path != "-" and not os.path.exists(path):
            return fail(f"{path}: no such file or directory")
    if settings.origin == "flake8":  # the same warning the plugin gives under flake8
        warning = trap_warning(settings.selection(), [r.code for r in all_rules()])
        if warning:
            print(warning, file=sys.stderr)
    try:
        plan = adoption_cli.Plan(args, settings)
        findings, status = plan.apply(_findings(args, settings, paths, plan, recorder))
    except (adoption_cli.AdoptionError, processes.WorkerFailed) as error:
        return fail(str(error))
    if show is not None:
        return show(args, settings, findings)
    catalog = output.Catalog(__version__, _code_docs)
    if args.statistics:
        text = output.render_statistics(findings, args.output_format, catalog)
    else:
        text = output.render(findings, args.output_format, catalog)
    sys.stdout.write(text)
    sys.stdout.flush()
    if status is not None:
        status = 0 if args.exit_zero else status
    else:
        status = 1 if findings and not args.exit_zero else 0
    if recorder is not None:
        _watch_settings(recorder, settings, plan, paths)
        from flake8_ddd.cache_store import cache_root

        recorder.save(cache_root(settings.source), text, status)
    return status


def _code_docs() -> Mapping[str, CodeDoc]:
    """The documentation of every code, for the formats that show it (json, sarif)."""
    from flake8_ddd.docs import code_docs
    from flake8_ddd.registry import all_rules

    return code_docs(all_rules())


def _findings(args: argparse.Namespace, settings: Settings, paths: List[str],
              plan: Optional[Plan] = None,
              recorder: Optional[replay.Recorder] = None) -> List[runner.Reported]:
    from flake8_ddd import adoption_cli, layer_report, runner
    from flake8_ddd.processes import job_count

    job = runner.make_job(settings)
    found = runner.find_files(paths, settings.excluded, settings.filename, args.stdin_filename)
    files = [path for path in found.files if path != runner.STDIN]
    walk_and_stdin = runner.walk_problems(found, job)
    stdin = adoption_cli.RecordingStream(sys.stdin.buffer)
    if runner.STDIN in found.files:
        walk_and_stdin += runner.check_stdin(args.stdin_filename, stdin, job)
    if plan is not None:
        shown = runner.display_path(args.stdin_filename) if runner.STDIN in found.files else None
        plan.note_run(files, shown, stdin.data)
    for note in runner.walk_notes(found, runner.STDIN in found.files):
        print(note, file=sys.stderr)
    unlayered = layer_report.nothing_layered_warning(files, settings.config().layer)
    if unlayered:
        print(unlayered, file=sys.stderr)
    result_cache = None if args.no_cache else runner.open_cache(job, settings.source)
    findings = runner.run(files, job, job_count(args.jobs, len(files)), result_cache)
    if result_cache is not None:
        result_cache.save()
    if recorder is not None:
        _watch_run(recorder, found, files, findings)
    return runner.sort(findings + walk_and_stdin)


def _watch_run(recorder: replay.Recorder, found: Found, files: List[str],
               findings: List[runner.Reported]) -> None:
    """What the findings of a run depend on, for its replay record."""
    from flake8_ddd import project_store
    from flake8_ddd.cache import tool_files
    from flake8_ddd.diagnostics import READ_ERROR_CODE
    from flake8_ddd.registry import all_rules

    recorder.errors = bool(found.unreadable or any(
        f.code == READ_ERROR_CODE and not f.text.startswith(replay.LASTING_READ_ERRORS)
        for f in findings))
    recorder.watch(files)
    recorder.watch(found.directories)
    recorder.watch_surroundings(files)
    for project in project_store.loaded_projects():
        recorder.watch(os.path.join(project.root, relative) for relative in project.stats)
        recorder.watch(project.directories)
        recorder.watch_above([project.root])
    recorder.watch(tool_files(all_rules()))
    recorder.watch(path for path in sys.path if path and os.path.isdir(path))


def _watch_settings(recorder: replay.Recorder, settings: Settings, plan: Plan,
                    paths: List[str]) -> None:
    from flake8_ddd.options import PATTERN_RULES_FILE

    named = [settings.source, plan.file, *settings.config().get(PATTERN_RULES_FILE)]
    recorder.watch(path for path in named if path)
    recorder.watch_above([os.getcwd()] + [path if os.path.isdir(path) else os.path.dirname(
        os.path.abspath(path)) for path in paths])


def _map(args: argparse.Namespace) -> int:
    from flake8_ddd import map_command

    return map_command.map_command(args, check)


def _layers(args: argparse.Namespace) -> int:
    from flake8_ddd import layer_report

    return layer_report.layers_command(args)


def _init(args: argparse.Namespace) -> int:
    from flake8_ddd import layout_init

    return layout_init.init_command(args)


COMMANDS = {
    "check": check,
    "clean": clean_command,
    "rule": rule_command,
    "rules": rules_command,
    "readme": readme_command,
    "new-rule": new_rule_command,
    "layers": _layers,
    "init": _init,
    "map": lambda args: _map(args),
}

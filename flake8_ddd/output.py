"""Output formats of ``flake8-ddd check``.

- ``concise``: ``path:line:col: CODE message``, flake8's default format (so editors' and CI's
  flake8 problem matchers read it);
- ``full``: the same, then the source line and a caret under the column (flake8's
  ``--show-source``);
- ``json``: the shape of ``ruff check --output-format json``;
- ``github``: GitHub Actions workflow commands (``::error ...::``), one per finding;
- ``sarif``: SARIF 2.1.0, with every rule and its documentation.

Columns are 1-based and counted in characters everywhere. A path is shown as it is, except
that control characters (a newline in a file name would split a line in two) and bytes that
are not UTF-8 are escaped as Python writes them (``\\n``, ``\\x07``, ``\\xe9``); SARIF URIs are
percent-encoded per RFC 3986. ``--statistics`` is a table (``concise``, ``full``) or JSON: the
command refuses it with ``github`` and ``sarif``, which have no place for counts.
"""

from __future__ import annotations

import collections
import json
import os
import re
from typing import TYPE_CHECKING, Callable, Dict, List, Mapping, Optional, Sequence

from flake8_ddd.diagnostics import CodeDoc, Reported

if TYPE_CHECKING:  # SARIF's paths and URIs only: imported when it is rendered
    import pathlib

TOOL_NAME = "flake8-ddd"
INFORMATION_URI = "https://pypi.org/project/flake8-ddd/"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: Characters a shown path never carries raw: C0 and C1 controls, DEL, and lone surrogates
#: (bytes of a file name that are not UTF-8, as ``os.fsdecode`` keeps them).
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class Catalog:
    """What the formats need to know besides the findings (given by the command): the
    version, and the documentation of every code, gathered (from ``gather``) only when a
    format asks for it: concise, full and github output never do."""

    def __init__(self, version: str, gather: Callable[[], Mapping[str, CodeDoc]]) -> None:
        self.version = version
        self._gather = gather
        self._codes: Optional[Mapping[str, CodeDoc]] = None

    @property
    def codes(self) -> Mapping[str, CodeDoc]:
        """Every code a run can report, in the order SARIF lists them (built-in rules first)."""
        if self._codes is None:
            self._codes = self._gather()
        return self._codes

    def doc(self, code: str) -> CodeDoc:
        return self.codes.get(code) or CodeDoc(code, "unknown", code, code)


def rule_url(code: str) -> Optional[str]:
    """Where the rule is documented on the web; None until the project publishes rule pages
    (``flake8-ddd rule CODE`` prints the documentation)."""
    return None


def end_column(finding: Reported) -> int:
    """1-based end column: the end of the line's code (the engine records start points only)."""
    return max(len(finding.source.rstrip()) + 1, finding.col + 2)


def _escape_one(match: "re.Match[str]") -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else (
        f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")


def shown_text(text: str) -> str:
    """``text`` with control characters and undecodable bytes escaped (``\\n``, ``\\xe9``)."""
    return UNPRINTABLE.sub(_escape_one, text) if UNPRINTABLE.search(text) else text


# --- text formats ----------------------------------------------------------------------------

def concise_line(f: Reported) -> str:
    return f"{shown_text(f.path)}:{f.line}:{f.col + 1}: {f.code} {shown_text(f.text)}"


def render_concise(findings: Sequence[Reported], catalog: Catalog) -> str:
    return "".join(concise_line(f) + "\n" for f in findings)


def render_full(findings: Sequence[Reported], catalog: Catalog) -> str:
    out: List[str] = []
    for f in findings:
        out.append(concise_line(f))
        if f.source:
            indent = "".join(c if c.isspace() else " " for c in f.source[:f.col])
            out += [f.source, indent + "^"]
    return "".join(line + "\n" for line in out)


# --- json (ruff's shape) ---------------------------------------------------------------------

def _absolute(path: str) -> str:
    return os.path.abspath(path)


def _text_path(path: str) -> str:
    """The absolute path as JSON text: undecodable bytes escaped (JSON has no lone surrogates)."""
    absolute = _absolute(path)
    return shown_text(absolute) if re.search("[\ud800-\udfff]", absolute) else absolute


def as_json_object(f: Reported, catalog: Catalog) -> dict:
    return {
        "cell": None,
        "code": f.code,
        "end_location": {"column": end_column(f), "row": f.line},
        "filename": _text_path(f.path),
        "fix": None,
        "location": {"column": f.col + 1, "row": f.line},
        "message": f.text,
        "name": catalog.doc(f.code).name,
        "noqa_row": f.line,
        "severity": "error",
        "url": rule_url(f.code),
    }


def render_json(findings: Sequence[Reported], catalog: Catalog) -> str:
    return json.dumps([as_json_object(f, catalog) for f in findings], indent=2) + "\n"


# --- github workflow commands ----------------------------------------------------------------

def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(f: Reported) -> str:
    properties = [
        ("title", f"{TOOL_NAME} ({f.code})"),
        ("file", _text_path(f.path)),
        ("line", str(f.line)),
        ("col", str(f.col + 1)),
        ("endLine", str(f.line)),
        ("endColumn", str(end_column(f))),
    ]
    joined = ",".join(f"{key}={_escape_property(value)}" for key, value in properties)
    return f"::error {joined}::{_escape_data(concise_line(f))}"


def render_github(findings: Sequence[Reported], catalog: Catalog) -> str:
    return "".join(github_line(f) + "\n" for f in findings)


# --- sarif -----------------------------------------------------------------------------------

def _sarif_rule(doc: CodeDoc) -> dict:
    descriptor: Dict[str, object] = {
        "id": doc.code,
        "name": doc.name,
        "shortDescription": {"text": doc.summary},
        "fullDescription": {"text": doc.explanation},
    }
    if doc.help:
        descriptor["help"] = {"text": doc.help, "markdown": doc.help}
    descriptor["defaultConfiguration"] = {"enabled": doc.enabled_by_default, "level": "error"}
    if doc.properties is not None:
        descriptor["properties"] = dict(doc.properties)
    url = rule_url(doc.code)
    if url:
        descriptor["helpUri"] = url
    return descriptor


#: What a URI path keeps as it is besides unreserved characters (RFC 3986 ``pchar``): ``/`` and
#: the sub-delimiters; ``:`` is encoded too, which a relative reference's first segment needs.
URI_PATH_SAFE = "/!$&'()*+,;=@"


def uri_path(path: str) -> str:
    """A path as the path part of a URI (RFC 3986): its bytes (UTF-8, or as the file system
    gave them) percent-encoded but for unreserved characters and :data:`URI_PATH_SAFE`."""
    import urllib.parse

    return urllib.parse.quote(os.fsencode(path), safe=URI_PATH_SAFE)


def file_uri(path: pathlib.PurePath) -> str:
    return "file://" + uri_path(path.as_posix())


def _artifact(path: str, root: pathlib.Path) -> dict:
    import pathlib

    absolute = pathlib.Path(_absolute(path))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return {"uri": file_uri(absolute)}
    return {"uri": uri_path(relative.as_posix()), "uriBaseId": "%SRCROOT%"}


def render_sarif(findings: Sequence[Reported], catalog: Catalog) -> str:
    import pathlib

    root = pathlib.Path(os.getcwd()).resolve()
    codes = list(catalog.codes)
    codes += sorted({f.code for f in findings} - set(codes))
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for f in findings:
        results.append({
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": "error",
            "message": {"text": f.text},
            "locations": [{"physicalLocation": {
                "artifactLocation": _artifact(f.path, root),
                "region": {"startLine": f.line, "startColumn": f.col + 1,
                           "endLine": f.line, "endColumn": end_column(f)},
            }}],
        })
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": TOOL_NAME,
                "version": catalog.version,
                "semanticVersion": catalog.version,
                "informationUri": INFORMATION_URI,
                "rules": [_sarif_rule(catalog.doc(code)) for code in codes],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": file_uri(root).rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(document, indent=2) + "\n"


RENDERERS: Dict[str, Callable[[Sequence[Reported], Catalog], str]] = {
    "concise": render_concise,
    "full": render_full,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}


#: The output formats of ``flake8-ddd check --output-format``.
FORMATS = tuple(RENDERERS)


def render(findings: Sequence[Reported], output_format: str, catalog: Catalog) -> str:
    return RENDERERS[output_format](findings, catalog)


# --- statistics ------------------------------------------------------------------------------

def statistics(findings: Sequence[Reported], catalog: Catalog) -> List[dict]:
    counts = collections.Counter(f.code for f in findings)
    return [{"code": code, "name": catalog.doc(code).name, "count": count, "fixable": False}
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def render_statistics(findings: Sequence[Reported], output_format: str, catalog: Catalog) -> str:
    rows = statistics(findings, catalog)
    if output_format == "json":
        return json.dumps(rows, indent=2) + "\n"
    if not rows:
        return ""
    width = max(len(str(r["count"])) for r in rows)
    return "".join(f"{r['count']:>{width}}\t{r['code']}\t{r['name']}\n" for r in rows)

"""The html rendering of the architecture map: one self-contained page (no script, no network
resource), readable on a laptop screen and printable.

The page holds the features x layers table (a feature per row, a layer per column, each cell
its files and findings by code group), the imports between layers and between cells, the
findings of each cell and each violating import (file:line, code, message), and the
documentation of every code found. A finding count links to its findings, a code to its rule.
"""

from __future__ import annotations

import html
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from flake8_ddd.arch_map import TESTS_ROW, ArchMap, Cell, Edge, count_groups
from flake8_ddd.diagnostics import CodeDoc, Reported
from flake8_ddd.docs import GROUPS
from flake8_ddd.map_render import plural, title_of

GROUP_TITLES = {**GROUPS, "E9": "Files that could not be checked"}
STYLE = """
:root { --ok: #eef6ee; --low: #fff4d6; --mid: #ffe0b3; --high: #fdcfc9; --bad: #c0392b;
        --line: #d0d4d9; --muted: #5f6b76; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 0 auto; max-width: 1400px; padding: 16px 20px 40px; color: #1d2328; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; }
h3 { font-size: 15px; margin: 18px 0 6px; } a { color: #0b5cad; }
.summary { color: var(--muted); margin: 0 0 8px; }
.chip { display: inline-block; border: 1px solid var(--line); border-radius: 10px; padding: 0 8px;
        margin: 0 4px 4px 0; font-size: 12px; background: #f7f8f9; }
.wrap { overflow-x: auto; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 4px 6px; vertical-align: top; text-align: left; }
thead th { position: sticky; top: 0; background: #f2f4f6; z-index: 1; }
.matrix td { min-width: 92px; font-size: 12px; }
.matrix th[scope=row] { white-space: nowrap; }
td.ok { background: var(--ok); } td.low { background: var(--low); }
td.mid { background: var(--mid); } td.high { background: var(--high); }
.files { display: block; color: var(--muted); }
.count { font-weight: 600; } .groups { display: block; color: #3a444d; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.violation td { color: var(--bad); }
.bad { color: var(--bad); font-weight: 600; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { white-space: pre-wrap; background: #f7f8f9; border: 1px solid var(--line); padding: 8px; }
.findings td { font-size: 12px; }
.legend { color: var(--muted); font-size: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 10px; }
  thead th { position: static; } .wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  tr, article { page-break-inside: avoid; }
  td.ok, td.low, td.mid, td.high { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def heat(findings: int) -> str:
    if findings == 0:
        return "ok"
    return "low" if findings < 5 else ("mid" if findings < 20 else "high")


class Anchors:
    """Fragment ids of the cells and the violating edges."""

    def __init__(self, arch: ArchMap) -> None:
        cells = [c for column in arch.columns for c in arch.column_cells(column)]
        self.cells: Dict[str, str] = {cell.id: f"cell-{i}" for i, cell in enumerate(cells)}
        violating = [e for e in arch.sorted_edges() if e.violations]
        self.edges: Dict[Tuple[str, str], str] = {
            (e.source, e.target): f"edge-{i}" for i, e in enumerate(violating)}


def render_html(arch: ArchMap, docs: Mapping[str, CodeDoc], where: str = ".") -> str:
    anchors = Anchors(arch)
    groups = count_groups(arch.findings)
    chips = "".join(f'<span class="chip">{esc(g)}xx {esc(GROUP_TITLES.get(g, ""))}: {n}</span>'
                    for g, n in groups.items())
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>flake8-ddd map: {esc(where)}</title><style>{STYLE}</style></head><body>",
        f"<header><h1>Architecture map of {esc(where)}</h1>",
        f'<p class="summary" id="summary" data-findings="{len(arch.findings)}">'
        f"{esc(title_of(arch))}</p><p>{chips}</p></header><main>",
        *_matrix(arch, anchors),
        *_layer_imports(arch),
        *_edges(arch, anchors),
        *_findings(arch, anchors),
        *_rules(arch, docs),
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _matrix(arch: ArchMap, anchors: Anchors) -> List[str]:
    rows = arch.rows
    out = ['<section id="matrix"><h2>Features &times; layers</h2>',
           '<p class="legend">One row per feature (core and apis last), one column per layer; '
           "each cell gives its files and its findings by code group. A count leads to the "
           "findings.</p>",
           '<div class="wrap"><table class="matrix"><thead><tr><th>feature</th>'
           + "".join(f"<th>{esc(row)}</th>" for row in rows)
           + '<th class="num">findings</th></tr></thead><tbody>']
    for column in arch.columns:
        total = len(arch.column_findings(column))
        cells = "".join(_cell(arch.cells.get((column, row)), anchors) for row in rows)
        out.append(f'<tr data-feature="{esc(column)}"><th scope="row">{esc(column)}</th>{cells}'
                   f'<td class="num" data-total="{total}">{total}</td></tr>')
    per_row = [sum(len(c.findings) for (_, r), c in arch.cells.items() if r == row) for row in rows]
    out.append('</tbody><tfoot><tr><th scope="row">findings</th>'
               + "".join(f'<td class="num">{n}</td>' for n in per_row)
               + f'<td class="num"><strong>{len(arch.findings)}</strong></td></tr></tfoot>'
               + "</table></div></section>")
    return out


def _cell(cell: Optional[Cell], anchors: Anchors) -> str:
    if cell is None:
        return "<td></td>"
    found = len(cell.findings)
    text = f'<span class="files">{esc(plural(len(cell.files), "file"))}</span>'
    if found:
        groups = ", ".join(f"{group}: {count}" for group, count in cell.by_group().items())
        text += (f'<a class="count" href="#{anchors.cells[cell.id]}">{esc(plural(found, "finding"))}</a>'
                 f'<span class="groups">{esc(groups)}</span>')
    return (f'<td class="{heat(found)}" data-cell="{esc(cell.id)}" data-files="{len(cell.files)}" '
            f'data-findings="{found}">{text}</td>')


def _layer_imports(arch: ArchMap) -> List[str]:
    """Imports summed over features: from the row's layer to the column's."""
    rows = [r for r in arch.rows if r != TESTS_ROW]
    row_of = {cell.id: cell.row for cell in arch.cells.values()}
    totals: Dict[Tuple[str, str], List[int]] = {}
    for edge in arch.edges.values():
        source = row_of.get(edge.source, edge.source.rsplit("/", 1)[-1])
        target = edge.target.rsplit("/", 1)[-1]
        counts = totals.setdefault((source, target), [0, 0])
        counts[0] += edge.imports
        counts[1] += len(edge.violations)

    def order(layer: str) -> Tuple[int, str]:
        return (rows.index(layer) if layer in rows else len(rows), layer)

    targets = sorted({t for _, t in totals}, key=order)
    out = ['<section id="layers"><h2>Imports between layers</h2>',
           '<p class="legend">Import statements from the layer of the row to the layer of the '
           "column, summed over features (imports inside one cell are not counted); "
           '<span class="bad">red</span>: imports the layer rules (DDD101&ndash;DDD105) report.</p>',
           '<div class="wrap"><table><thead><tr><th>from \\ to</th>'
           + "".join(f"<th>{esc(t)}</th>" for t in targets) + "</tr></thead><tbody>"]
    for source in sorted({s for s, _ in totals}, key=order):
        cells = []
        for target in targets:
            imports, violations = totals.get((source, target), (0, 0))
            text = "" if not imports else str(imports) + (
                f' <span class="bad">({violations} reported)</span>' if violations else "")
            cells.append(f'<td class="num">{text}</td>')
        out.append(f'<tr><th scope="row">{esc(source)}</th>{"".join(cells)}</tr>')
    out.append("</tbody></table></div></section>")
    return out


def _edge_row(edge: Edge, anchors: Anchors) -> str:
    violations = ""
    if edge.violations:
        anchor = anchors.edges[(edge.source, edge.target)]
        violations = f'<a href="#{anchor}">{len(edge.violations)}</a>'
    kind = ' class="violation"' if edge.violations else ""
    return (f"<tr{kind}><td>{esc(edge.source)}</td><td>{esc(edge.target)}</td>"
            f'<td class="num">{edge.imports}</td><td class="num">{violations}</td></tr>')


def _edges(arch: ArchMap, anchors: Anchors) -> List[str]:
    edges = arch.sorted_edges()
    violating = [e for e in edges if e.violations]
    head = ('<div class="wrap"><table><thead><tr><th>from</th><th>to</th><th class="num">imports</th>'
            '<th class="num">violations</th></tr></thead><tbody>')
    out = ['<section id="edges"><h2>Imports between cells</h2>',
           f'<p class="legend">{plural(len(edges), "edge")} between cells (feature/layer), '
           f"{plural(len(violating), 'edge')} with imports the layer rules report.</p>"]
    if violating:
        out += [head] + [_edge_row(e, anchors) for e in violating] + ["</tbody></table></div>"]
    ordinary = [e for e in edges if not e.violations]
    if ordinary:
        out.append(f"<details><summary>{plural(len(ordinary), 'edge')} without violations</summary>")
        out += [head] + [_edge_row(e, anchors) for e in ordinary] + ["</tbody></table></div></details>"]
    out.append("</section>")
    return out


def _finding_rows(findings: Sequence[Reported]) -> List[str]:
    out = ['<table class="findings"><tbody>']
    for f in findings:
        out.append(f"<tr><td><code>{esc(f.path)}:{f.line}:{f.col + 1}</code></td>"
                   f'<td><a href="#rule-{esc(f.code)}">{esc(f.code)}</a></td><td>{esc(f.text)}</td></tr>')
    out.append("</tbody></table>")
    return out


def _findings(arch: ArchMap, anchors: Anchors) -> List[str]:
    out = ['<section id="findings"><h2>Findings</h2>']
    if not arch.findings:
        out.append("<p>No findings.</p>")
    for column in arch.columns:
        for cell in arch.column_cells(column):
            if cell.findings:
                out.append(f'<article id="{anchors.cells[cell.id]}"><h3>{esc(column)} / {esc(cell.row)}: '
                           f"{esc(plural(len(cell.findings), 'finding'))}</h3>")
                out += _finding_rows(cell.findings) + ["</article>"]
    for edge in (e for e in arch.sorted_edges() if e.violations):
        out.append(f'<article id="{anchors.edges[(edge.source, edge.target)]}"><h3>Imports from '
                   f"{esc(edge.source)} to {esc(edge.target)}: "
                   f"{esc(plural(len(edge.violations), 'violation'))}</h3>")
        out += _finding_rows(edge.violations) + ["</article>"]
    out.append("</section>")
    return out


def _rules(arch: ArchMap, docs: Mapping[str, CodeDoc]) -> List[str]:
    codes = sorted({f.code for f in arch.findings})
    if not codes:
        return []
    out = ['<section id="rules"><h2>Rules</h2>']
    for code in codes:
        doc = docs.get(code)
        name = doc.name if doc else "team-defined or unknown rule"
        summary = doc.summary if doc else "run `flake8-ddd rule " + code + "`"
        out.append(f'<article id="rule-{esc(code)}"><h3>{esc(code)} {esc(name)}</h3><p>{esc(summary)}</p>')
        if doc is not None and doc.help:
            out.append(f"<details><summary>Documentation</summary><pre>{esc(doc.help)}</pre></details>")
        out.append("</article>")
    out.append("</section>")
    return out

"""The text renderings of the architecture map: mermaid, dot (Graphviz), markdown and json.

The html page is :mod:`flake8_ddd.map_html`. In the pictures (mermaid, dot) each feature is a
cluster with one node per layer present; in the tables (markdown, html) each feature is a row
and each layer a column, so that a project of a hundred features stays readable.
"""

from __future__ import annotations

import json
from typing import Dict, List, Sequence, Tuple

from flake8_ddd.arch_map import ArchMap, Cell, Edge, as_json, count_groups, overview

FORMATS = ("mermaid", "dot", "html", "markdown", "json")
#: A GitHub mermaid diagram fails above 500 edges and 50,000 characters: at most this many
#: edges are drawn, violations first.
MERMAID_EDGES = 300
MERMAID_CELLS = 120
DOT_CELLS = 200
DOT_EDGES = 600
VIOLATION_COLOR = "#c0392b"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def groups_text(counts: Dict[str, int], separator: str = ", ") -> str:
    """``DDD1: 2, DDD2: 1``"""
    return separator.join(f"{group}: {count}" for group, count in counts.items())


def cell_summary(cell: Cell) -> str:
    """``2 files, 1 finding (DDD5: 1)``"""
    text = plural(len(cell.files), "file")
    if cell.findings:
        text += f", {plural(len(cell.findings), 'finding')} ({groups_text(cell.by_group())})"
    return text


def title_of(arch: ArchMap) -> str:
    files = sum(len(cell.files) for cell in arch.cells.values())
    text = (f"{plural(len(arch.columns), 'feature column')}, {plural(files, 'file')}, "
            f"{plural(len(arch.findings), 'finding')}")
    if arch.findings:
        text += f" ({groups_text(count_groups(arch.findings))})"
    if arch.changed_since:
        text += f"; only what changed since {arch.changed_since}"
    return text


class Drawing:
    """Node names for the cells, and for the cells edges lead to that are not on the map."""

    def __init__(self, arch: ArchMap, edges: Sequence[Edge]) -> None:
        self.names: Dict[str, str] = {}
        for index, cell in enumerate(c for column in arch.columns for c in arch.column_cells(column)):
            self.names[cell.id] = f"c{index}"
        self.outside: List[Tuple[str, str]] = []
        for edge in edges:
            for end in (edge.source, edge.target):
                if end not in self.names:
                    self.names[end] = f"x{len(self.outside)}"
                    self.outside.append((self.names[end], end))


def drawn_edges(arch: ArchMap, limit: int) -> Tuple[List[Edge], int, int]:
    """At most ``limit`` edges: violations first (most first), then ordinary ones (most imports
    first); and how many violation and ordinary edges were left out."""
    edges = arch.sorted_edges()
    violations = sum(1 for e in edges if e.violations)
    drawn = edges[:limit]
    left_violations = max(0, violations - limit)
    return drawn, left_violations, len(edges) - len(drawn) - left_violations


# --- mermaid ------------------------------------------------------------------------------------

def _mermaid_text(text: str) -> str:
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render_mermaid(arch: ArchMap) -> str:
    """Cell by cell, each feature a subgraph; a project with more than ``MERMAID_CELLS`` cells
    or ``MERMAID_EDGES`` edges as one node per feature (mermaid's layout fails on hundreds of
    nodes in subgraphs, and the picture would be unreadable anyway)."""
    shown = arch if len(arch.cells) <= MERMAID_CELLS and len(arch.edges) <= MERMAID_EDGES else overview(arch)
    edges, left_violations, left_out = drawn_edges(shown, MERMAID_EDGES)
    drawing = Drawing(shown, edges)
    out = ["flowchart LR", f"%% flake8-ddd map: {_mermaid_text(title_of(arch))}"]
    if shown.is_overview:
        out.append(f"%% one node per feature: the {plural(len(arch.cells), 'cell')} of the map are in "
                   "--output-format html, markdown or json")
    troubled = _mermaid_nodes(shown, drawing, out)
    for name, cell in drawing.outside:
        out.append(f'  {name}(["{_mermaid_text(cell)}"])')
    violet: List[str] = []
    for index, edge in enumerate(edges):
        source, target = drawing.names[edge.source], drawing.names[edge.target]
        if edge.violations:
            violet.append(str(index))
            out.append(f'  {source} -->|"{plural(len(edge.violations), "violation")}"| {target}')
        else:
            out.append(f"  {source} --> {target}")
    if left_violations or left_out:
        out.append(f"  %% left out: {plural(left_violations, 'edge')} with violations, "
                   f"{plural(left_out, 'edge')} without (all of them: --output-format json or html)")
    out.append("  classDef findings fill:#fdecea,stroke:#c0392b")
    out.append("  classDef outside fill:#ffffff,stroke:#999999,stroke-dasharray:3")
    if troubled:
        out.append(f"  class {','.join(troubled)} findings")
    if drawing.outside:
        out.append(f"  class {','.join(name for name, _ in drawing.outside)} outside")
    if violet:
        out.append(f"  linkStyle {','.join(violet)} stroke:{VIOLATION_COLOR},stroke-width:2px")
    return "\n".join(out) + "\n"


def _mermaid_nodes(arch: ArchMap, drawing: Drawing, out: List[str]) -> List[str]:
    """Append the node statements; the names of the nodes with findings."""
    troubled: List[str] = []
    for index, column in enumerate(arch.columns):
        findings = len(arch.column_findings(column))
        if not arch.is_overview:
            out.append(f'  subgraph f{index}["{_mermaid_text(column)} ({plural(findings, "finding")})"]')
            out.append("    direction TB")
        for cell in arch.column_cells(column):
            name = drawing.names[cell.id]
            if arch.is_overview:
                label = f"{column}<br/>{cell_summary(cell)}<br/>{' · '.join(cell.layers)}"
            else:
                label = f"{cell.row}<br/>{cell_summary(cell)}"
            out.append(f'    {name}["{_mermaid_text(label).replace("#lt;br/#gt;", "<br/>")}"]')
            if cell.findings:
                troubled.append(name)
        if not arch.is_overview:
            out.append("  end")
    return troubled


# --- dot ----------------------------------------------------------------------------------------

def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(arch: ArchMap) -> str:
    """Cell by cell, each feature a cluster; beyond ``DOT_CELLS`` cells or ``DOT_EDGES`` edges,
    one node per feature (Graphviz takes minutes to route thousands of edges between clusters)."""
    shown = arch if len(arch.cells) <= DOT_CELLS and len(arch.edges) <= DOT_EDGES else overview(arch)
    edges = shown.sorted_edges()
    drawing = Drawing(shown, edges)
    out = ["digraph architecture {",
           # Fewer crossing-minimisation rounds: seconds instead of minutes on a dense graph.
           "  graph [rankdir=LR, mclimit=0.2, nslimit=2, nslimit1=2, fontname=Helvetica, fontsize=12,",
           f"         label={_dot_text(title_of(arch))}];",
           '  node [shape=box, style="rounded,filled", fillcolor="#eef6ee", fontname=Helvetica, '
           'fontsize=10];',
           "  edge [color=\"#777777\"];"]
    for index, column in enumerate(shown.columns):
        findings = len(shown.column_findings(column))
        if not shown.is_overview:
            out.append(f"  subgraph cluster_{index} {{")
            label = f"{column} ({plural(findings, 'finding')})"
            out.append(f"    label={_dot_text(label)};")
        for cell in shown.column_cells(column):
            fill = ', fillcolor="#fdecea"' if cell.findings else ""
            head = f"{column}\n" + " ".join(cell.layers) if shown.is_overview else cell.row
            label = head + "\n" + cell_summary(cell).replace(", ", "\n", 1)
            out.append(f"    {drawing.names[cell.id]} [label={_dot_text(label)}{fill}];")
        if not shown.is_overview:
            out.append("  }")
    for name, cell in drawing.outside:
        out.append(f'  {name} [label={_dot_text(cell)}, style="rounded,dashed", fillcolor=white];')
    for edge in edges:
        out.append(f"  {drawing.names[edge.source]} -> {drawing.names[edge.target]} [{_dot_edge(edge)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _dot_edge(edge: Edge) -> str:
    attributes = (f"penwidth={1 + min(edge.imports, 20) / 5:.1f}, "
                  f"tooltip={_dot_text(plural(edge.imports, 'import'))}")
    if edge.violations:
        attributes += (f", color=\"{VIOLATION_COLOR}\", fontcolor=\"{VIOLATION_COLOR}\", "
                       f"xlabel={_dot_text(plural(len(edge.violations), 'violation'))}")
    return attributes


# --- markdown -----------------------------------------------------------------------------------

def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(arch: ArchMap) -> str:
    rows = arch.rows
    out = ["## flake8-ddd map", "", title_of(arch) + ".", "",
           "| feature | " + " | ".join(rows) + " | findings |",
           "|---|" + "---|" * len(rows) + "---:|"]
    for column in arch.columns:
        cells = []
        for row in rows:
            cell = arch.cells.get((column, row))
            cells.append("" if cell is None else _md(cell_summary(cell)))
        total = len(arch.column_findings(column))
        out.append(f"| {_md(column)} | " + " | ".join(cells) + f" | {total} |")
    totals = []
    for row in rows:
        found = [f for (_, r), cell in arch.cells.items() if r == row for f in cell.findings]
        totals.append(str(len(found)))
    out.append("| **findings** | " + " | ".join(totals) + f" | **{len(arch.findings)}** |")
    violating = [e for e in arch.sorted_edges() if e.violations]
    if violating:
        out += ["", "### Imports that break the rules", "",
                "| from | to | imports | violations | codes |", "|---|---|---:|---:|---|"]
        for edge in violating:
            codes = groups_text(_codes(edge))
            out.append(f"| {_md(edge.source)} | {_md(edge.target)} | {edge.imports} | "
                       f"{len(edge.violations)} | {codes} |")
    return "\n".join(out) + "\n"


def _codes(edge: Edge) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for finding in edge.violations:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    return dict(sorted(counts.items()))


def render_json(arch: ArchMap) -> str:
    return json.dumps(as_json(arch), indent=2) + "\n"

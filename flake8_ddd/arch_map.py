"""The architecture map of ``flake8-ddd map``: features x layers, the imports between them and
where the findings sit.

A file is placed in one *cell*: a column (its feature, ``core``, ``apis`` or ``(no feature)``)
and a row (its layer, ``models+schemas`` for a file with two, ``other`` for a file with none,
``tests`` for a test file). Its findings are the ones ``flake8-ddd check`` reports for it. Its
imports are the first-party targets the layer rules see (``rules._import_targets``), placed the
same way; an import to another cell is an *edge*, and a DDD101-DDD105 finding on that import
statement makes it a violation on that edge.
"""

from __future__ import annotations

import ast
from typing import (Callable, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Sequence,
                    Set, Tuple)

from flake8_ddd.context import FileContext
from flake8_ddd.diagnostics import Reported
from flake8_ddd.layers import Layer, LayerConfig, Location, feature_of, locate_file
from flake8_ddd.options import Config
from flake8_ddd.rules._import_targets import first_party_targets, in_own_layer_package

NO_FEATURE = "(no feature)"
CORE = "core"
APIS = "apis"
OTHER_ROW = "other"
TESTS_ROW = "tests"
ALL_ROW = "all"
#: Rows in this order (top to bottom: highest layer first); combinations come before ``other``.
ROW_ORDER = ("routes", "dependencies", "tasks", "services", "crud", "schemas", "models",
             "exceptions")
IMPORT_CODES = frozenset({"DDD101", "DDD102", "DDD103", "DDD104", "DDD105"})


class Place(NamedTuple):
    """Where a module sits on the map before the feature columns are known."""

    #: A feature, ``core``, ``apis``, or None when the location gives no feature.
    column: Optional[str]
    #: The package below the application package, taken as the feature when it is one.
    guess: Optional[str]
    row: str


class ImportFact(NamedTuple):
    line: int
    target: Place
    #: The module shown in the layer rules' messages.
    shown: str


class FileFacts(NamedTuple):
    """What the map needs from one file: where it is and what it imports."""

    path: str
    place: Place
    imports: Tuple[ImportFact, ...] = ()


# --- where a module sits ------------------------------------------------------------------------

def place_of(location: Location, config: LayerConfig, is_file: bool = True) -> Place:
    """The place of a file, or of an import target (``is_file`` false: a dotted name, which
    may be a package: ``app.orders``, whose feature is then a guess)."""
    parts = location.module_parts
    segments = config.segments
    if location.is_test:
        row = TESTS_ROW
    else:
        named = sorted(layer.value for layer in location.layers if layer not in (Layer.CORE, Layer.APIS))
        row = "+".join(named) or OTHER_ROW
    kinds = [segments.get(part) for part in parts]
    if location.in_core or Layer.CORE in location.layers or Layer.CORE in kinds:
        return Place(CORE, None, row)
    if Layer.APIS in location.layers or Layer.APIS in kinds:
        return Place(APIS, None, row)
    guess = None
    if not is_file and location.feature is None:
        guess = feature_of(parts + ("__init__",), config)
    return Place(location.feature, guess, row)


def column_of(place: Place, known: Set[str], is_file: bool) -> str:
    """The column: the place's own, else the guessed feature of an import target when that
    feature is on the map."""
    if place.column is not None:
        return place.column
    if place.guess is not None and (place.guess in known or is_file):
        return place.guess
    return NO_FEATURE


# --- what a file imports ------------------------------------------------------------------------

class _ImportView:
    """The import facts of ``FileContext`` (the same methods, so the same decisions as the
    layer rules), without the per-file facts the rules need and the map does not."""

    import_from_module = FileContext.import_from_module
    import_targets = FileContext.import_targets
    is_first_party = FileContext.is_first_party
    locate_import = FileContext.locate_import

    def __init__(self, location: Location, config: Config) -> None:
        self.location = location
        self.config = config


def import_statements(body: Sequence[ast.AST]) -> Iterator[ast.AST]:
    """Every import statement, at any depth (functions, classes, if/try/with blocks)."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        children = [child for child in ast.iter_child_nodes(node)
                    if isinstance(child, (ast.stmt, ast.excepthandler))
                    or type(child).__name__ == "match_case"]
        stack.extend(reversed(children))


def file_facts(path: str, lines: Sequence[str], config: Config,
               parse: Callable[[], Optional[ast.AST]]) -> FileFacts:
    """The place of ``path`` and the first-party imports of its tree (``parse()``; test
    files, which draw no edge, are not parsed)."""
    location = locate_file(path, config.layer, lines)
    place = place_of(location, config.layer)
    tree = None if location.is_test else parse()
    if not isinstance(tree, ast.Module):
        return FileFacts(path, place)
    view = _ImportView(location, config)
    found: List[ImportFact] = []
    for node in import_statements(tree.body):
        seen: Set[Place] = set()
        for target in first_party_targets(view, node):  # type: ignore[arg-type]
            if in_own_layer_package(location, target.location):
                continue
            target_place = place_of(target.location, config.layer, is_file=False)
            if target_place != place and target_place not in seen:
                seen.add(target_place)
                found.append(ImportFact(node.lineno, target_place, target.shown))
    return FileFacts(path, place, tuple(found))


# --- the model ----------------------------------------------------------------------------------

def code_group(code: str) -> str:
    """``DDD1`` for DDD101, ``E9`` for E999: a code's hundreds."""
    return code[:-2] if len(code) > 2 else code


class Cell:
    def __init__(self, column: str, row: str) -> None:
        self.column = column
        self.row = row
        self.files: List[str] = []
        self.findings: List[Reported] = []
        #: In an overview (one cell per feature), the layers the cell stands for.
        self.layers: List[str] = []

    @property
    def id(self) -> str:
        return cell_id(self.column, self.row)

    def by_group(self) -> Dict[str, int]:
        return count_groups(self.findings)


class Edge:
    def __init__(self, source: str, target: str) -> None:
        self.source = source
        self.target = target
        self.imports = 0
        self.violations: List[Reported] = []


def cell_id(column: str, row: str) -> str:
    return f"{column}/{row}"


def count_groups(findings: Iterable[Reported]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for finding in findings:
        group = code_group(finding.code)
        counts[group] = counts.get(group, 0) + 1
    return dict(sorted(counts.items()))


class ArchMap:
    """Cells by (column, row), edges by (source id, target id), every finding shown."""

    def __init__(self) -> None:
        self.cells: Dict[Tuple[str, str], Cell] = {}
        self.edges: Dict[Tuple[str, str], Edge] = {}
        self.findings: List[Reported] = []
        #: Set by ``--changed-since``: the ref the map was narrowed to.
        self.changed_since: Optional[str] = None
        #: One cell per feature (:func:`overview`).
        self.is_overview = False

    def cell(self, column: str, row: str) -> Cell:
        key = (column, row)
        if key not in self.cells:
            self.cells[key] = Cell(column, row)
        return self.cells[key]

    def edge(self, source: str, target: str) -> Edge:
        key = (source, target)
        if key not in self.edges:
            self.edges[key] = Edge(source, target)
        return self.edges[key]

    @property
    def columns(self) -> List[str]:
        present = {column for column, _ in self.cells}
        tail = [c for c in (NO_FEATURE, CORE, APIS) if c in present]
        return sorted(present.difference(tail)) + tail

    @property
    def rows(self) -> List[str]:
        present = {row for _, row in self.cells}
        return sorted(present, key=row_rank)

    def column_cells(self, column: str) -> List[Cell]:
        return [self.cells[(column, row)] for row in self.rows if (column, row) in self.cells]

    def column_findings(self, column: str) -> List[Reported]:
        return [f for cell in self.column_cells(column) for f in cell.findings]

    def sorted_edges(self) -> List[Edge]:
        """Violations first (most first), then by number of imports, then by name."""
        return sorted(self.edges.values(),
                      key=lambda e: (-len(e.violations), -e.imports, e.source, e.target))


def row_rank(row: str) -> Tuple[int, str]:
    if row in ROW_ORDER:
        return ROW_ORDER.index(row), row
    if row == OTHER_ROW:
        return len(ROW_ORDER) + 1, row
    if row == TESTS_ROW:
        return len(ROW_ORDER) + 2, row
    return len(ROW_ORDER), row


def build(facts: Sequence[FileFacts], findings: Sequence[Reported]) -> ArchMap:
    """The map of the files ``facts`` describe, with ``findings`` (check's) in their cells."""
    arch = ArchMap()
    known = {f.place.column for f in facts if f.place.column is not None}
    known.update(f.place.guess for f in facts if f.place.column is None and f.place.guess)
    where: Dict[str, Cell] = {}
    for fact in facts:
        cell = arch.cell(column_of(fact.place, known, True), fact.place.row)
        cell.files.append(fact.path)
        where[fact.path] = cell
    by_statement = _import_edges(arch, facts, where, known)
    for finding in findings:
        cell = where.get(finding.path) or arch.cell(NO_FEATURE, OTHER_ROW)
        cell.findings.append(finding)
        arch.findings.append(finding)
        if finding.code in IMPORT_CODES:
            _mark_violation(arch, by_statement.get((finding.path, finding.line), []), finding)
    return arch


def _import_edges(arch: ArchMap, facts: Sequence[FileFacts], where: Mapping[str, Cell],
                  known: Set[str]) -> Dict[Tuple[str, int], List[Tuple[Edge, str]]]:
    """Count the imports of every edge; the edges (and shown modules) of each statement."""
    by_statement: Dict[Tuple[str, int], List[Tuple[Edge, str]]] = {}
    for fact in facts:
        source = where[fact.path].id
        for line, target, shown in fact.imports:
            target_id = cell_id(column_of(target, known, False), target.row)
            if target_id == source:
                continue
            edge = arch.edge(source, target_id)
            edge.imports += 1
            by_statement.setdefault((fact.path, line), []).append((edge, shown))
    return by_statement


def _mark_violation(arch: ArchMap, candidates: List[Tuple[Edge, str]], finding: Reported) -> None:
    """Put an import finding on the edge of its statement whose module the message names."""
    if not candidates:
        return
    named = [edge for edge, shown in candidates if shown in finding.text]
    (named or [candidates[0][0]])[0].violations.append(finding)


# --- narrowing and JSON -------------------------------------------------------------------------

def narrowed(arch: ArchMap, touched: Set[str], ref: str) -> ArchMap:
    """Only the cells holding a file of ``touched`` (paths as shown), and the edges from them."""
    kept = ArchMap()
    kept.changed_since = ref
    for key, cell in arch.cells.items():
        if any(path in touched for path in cell.files):
            kept.cells[key] = cell
            kept.findings.extend(cell.findings)
    ids = {cell.id for cell in kept.cells.values()}
    kept.edges = {key: edge for key, edge in arch.edges.items() if edge.source in ids}
    return kept


def column_of_id(cell: str) -> str:
    return cell.rsplit("/", 1)[0]


def overview(arch: ArchMap) -> ArchMap:
    """One cell per feature (row ``all``), and the imports between features: the picture of a
    project too big to draw cell by cell."""
    merged = ArchMap()
    merged.is_overview = True
    merged.changed_since = arch.changed_since
    merged.findings = list(arch.findings)
    for column in arch.columns:
        whole = merged.cell(column, ALL_ROW)
        for cell in arch.column_cells(column):
            whole.files += cell.files
            whole.findings += cell.findings
            whole.layers.append(cell.row)
    for edge in arch.edges.values():
        source, target = column_of_id(edge.source), column_of_id(edge.target)
        if source != target:
            joined = merged.edge(cell_id(source, ALL_ROW), cell_id(target, ALL_ROW))
            joined.imports += edge.imports
            joined.violations += edge.violations
    return merged


def as_json(arch: ArchMap) -> Dict[str, object]:
    """``features`` (name, layers: {layer: {files, findings}}), ``edges`` (from, to, imports,
    violations) and ``findings`` (the total); cells and features also count by code group."""
    features = []
    for column in arch.columns:
        layers = {cell.row: {"files": len(cell.files), "findings": len(cell.findings),
                             "groups": cell.by_group()}
                  for cell in arch.column_cells(column)}
        features.append({"name": column, "layers": layers})
    edges = [{"from": e.source, "to": e.target, "imports": e.imports,
              "violations": len(e.violations)} for e in arch.sorted_edges()]
    return {"features": features, "edges": edges, "findings": len(arch.findings)}

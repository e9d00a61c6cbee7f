"""The modules of one synthetic feature, each filled from ``templates/``; about one module in
six carries a violation (the ``# DDDnnn`` comments name the codes; generate.VIOLATIONS lists them)."""

from __future__ import annotations

import functools
import os
from typing import List, Tuple

from feature import Feature

#: ``templates/<name>.tmpl``: module texts and optional blocks, with ``{f.Entity}``-style fields.
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


@functools.lru_cache(maxsize=None)
def template(name: str) -> str:
    with open(os.path.join(TEMPLATES, name + ".tmpl"), encoding="utf-8", newline="") as handle:
        return handle.read()


def fill(name: str, **values: object) -> str:
    """The template ``name`` with its fields filled (``str.format``: ``{f.Entity}`` reads the
    feature's attribute, ``{{`` is a literal brace)."""
    return template(name).format(**values)


# --- feature modules -------------------------------------------------------------------------

def extras(f: Feature, blocks: List[str], low: int, high: int, separator: str = "") -> str:
    """A random selection (in order) of optional blocks, so module lengths vary."""
    count = min(len(blocks), f.rng.randint(low, high))
    chosen = sorted(f.rng.sample(range(len(blocks)), count))
    return separator.join(blocks[i] for i in chosen)


def init_module(doc: str, exports: List[Tuple[str, List[str]]]) -> str:
    lines = [f'"""{doc}"""', ""]
    names: List[str] = []
    for module, items in exports:
        lines.append(f"from {module} import {', '.join(items)}")
        names.extend(items)
    if exports:
        lines += ["", "__all__ = ["] + [f'    "{n}",' for n in sorted(names)] + ["]"]
    return "\n".join(lines) + "\n"


def enums_module(f: Feature) -> str:
    members = "\n".join(f'    {s.upper()} = "{s}"' for s in f.statuses)
    transitions = []
    for i, s in enumerate(f.statuses):
        nxt = f.statuses[i + 1:i + 3]
        targets = ", ".join(f"{f.Entity}Status.{t.upper()}" for t in nxt)
        transitions.append(f"    {f.Entity}Status.{s.upper()}: frozenset({{{targets}}}),"
                           if nxt else f"    {f.Entity}Status.{s.upper()}: frozenset(),")
    return fill("feature/enums", f=f, members=members, transition_lines="\n".join(transitions),
                max_subs=f.rng.choice([20, 50, 100, 250]),
                archive_after_days=f.rng.choice([30, 90, 180, 365]))


def column_lines(fields) -> str:
    out = []
    for name, py, column, _, _ in fields:
        if py.endswith("| None"):
            out.append(f"    {name}: Mapped[{py}] = mapped_column({column}, nullable=True)")
        else:
            out.append(f"    {name}: Mapped[{py}] = mapped_column({column})")
    return "\n".join(out)


def models_main(f: Feature) -> str:
    extra = ""
    if f.violation(0.08):  # DDD008: exception class in a models module
        extra = fill("models/integrity_error", f=f)
    return fill("models/entity", f=f, columns=column_lines(f.fields), extras=model_extras(f), extra=extra)


def model_extras(f: Feature) -> str:
    blocks = [fill("models/extra_validates_status", f=f), fill("models/extra_is_open"),
              fill("models/extra_to_summary", f=f), fill("models/extra_tag_table", f=f)]
    return extras(f, blocks, 1, 4)


def models_sub(f: Feature) -> str:
    return fill("models/sub", f=f, columns=column_lines(f.sub_fields))


def schema_fields(fields, optional_all: bool = False) -> str:
    out = []
    for name, py, _, annotation, _ in fields:
        if optional_all:
            base = py.replace(" | None", "")
            constraint = annotation.split("=", 1)[1].strip() if "Field(" in annotation else "None"
            if "Field(" in constraint:
                inner = constraint[len("Field("):-1]
                inner = ", ".join(p for p in inner.split(", ") if not p.startswith("default="))
                out.append(f"    {name}: {base} | None = Field(default=None{', ' + inner if inner else ''})")
            else:
                out.append(f"    {name}: {base} | None = None")
        else:
            out.append(f"    {name}: {annotation}")
    return "\n".join(out)


def response_fields(fields) -> str:
    return "\n".join(f"    {name}: {py}" for name, py, _, _, _ in fields)


def schemas_main(f: Feature) -> str:
    create = schema_fields(f.fields)
    if f.violation(0.2):  # DDD402: unbounded str in an input schema
        create += "\n    internal_comment: str"
    update = schema_fields(f.fields, optional_all=True)
    if f.violation(0.1):  # DDD401: immutable field in an update schema
        update += "\n    id: int | None = None"
    intent = ""
    if f.violation(0.1):  # DDD403: schema that does not name its intent
        intent = fill("schemas/without_intent", f=f)
    return fill("schemas/entity", f=f, create=create, update=update,
                response_fields=response_fields(f.fields), extras=schema_extras(f), intent=intent)


def schema_extras(f: Feature) -> str:
    blocks = [
        fill("schemas/extra_bulk_status_update", f=f),
        fill("schemas/extra_statistics", f=f),
        fill("schemas/extra_transfer", f=f),
        fill("schemas/extra_import", f=f, update_fields=schema_fields(f.fields, optional_all=True)),
        fill("schemas/extra_export", f=f),
    ]
    return extras(f, blocks, 1, 4)


def schemas_sub(f: Feature) -> str:
    return fill("schemas/sub", f=f, create_fields=schema_fields(f.sub_fields),
                update_fields=schema_fields(f.sub_fields, optional_all=True),
                response_fields=response_fields(f.sub_fields))


def crud_main(f: Feature) -> str:
    commit = "await session.commit()" if f.violation(0.25) else "await session.flush()"
    http = ""
    http_import = ""
    if f.violation(0.1):  # DDD003
        http_import = "from fastapi import HTTPException\n"
        http = fill("crud/get_or_404", f=f)
    search_field = next((n for n, py, *_ in f.fields if py == "str"), "status")
    return fill("crud/entity", f=f, http_import=http_import, search_field=search_field, commit=commit,
                extras=crud_extras(f), http=http)


def crud_extras(f: Feature) -> str:
    blocks = [fill("crud/extra_ids_for_owner", f=f), fill("crud/extra_count_by_status", f=f),
              fill("crud/extra_latest", f=f), fill("crud/extra_lock_for_update", f=f),
              fill("crud/extra_bulk_set_status", f=f)]
    return extras(f, blocks, 1, 4)


def crud_sub(f: Feature) -> str:
    base = f"CRUDBase[{f.Sub}]"
    if f.violation(0.06):  # DDD604: CRUD class without the generic base
        base = "object"
    rollback = ""
    if f.violation(0.06):  # DDD004
        rollback = fill("crud/sub_discard")
    init = "" if base != "object" else fill("crud/sub_init", f=f)
    return fill("crud/sub", f=f, base=base, init=init, rollback=rollback)


def services_main(f: Feature) -> str:
    imports = []
    not_found = f"raise {f.Entity}NotFoundError({f.entity}_id)"
    if f.violation(0.2):  # DDD002 (+ DDD301 for the import)
        imports.append("from fastapi import HTTPException, status")
        not_found = (f'raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, '
                     f'detail="{f.entity} not found")')
    blocking = ""
    if f.violation(0.1):  # DDD504
        imports.append("import requests")
        blocking = fill("services/blocking_enrich", f=f)
    env = "settings.page_size_limit"
    if f.violation(0.08):  # DDD601
        imports.append("import os")
        env = 'int(os.getenv("PAGE_SIZE_LIMIT", "100"))'
    limit = f"MAX_{f.sub.upper()}S_PER_{f.entity.upper()}"
    builtin = f"raise {f.Entity}LimitExceededError({f.entity}_id, {limit})"
    if f.violation(0.12):  # DDD007
        builtin = f'raise ValueError("too many {f.sub}s")'
    direct_query = ""
    if f.violation(0.08):  # DDD302
        imports.append("from sqlalchemy import select")
        direct_query = fill("services/direct_query", f=f)
    extra_imports = "\n".join(sorted(imports))
    if extra_imports:
        extra_imports += "\n"
    return fill("services/entity", f=f, extra_imports=extra_imports, env=env, builtin=builtin,
                extras=service_extras(f), blocking=blocking, direct_query=direct_query,
                not_found=not_found)


def service_extras(f: Feature) -> str:
    field_names = ", ".join(repr(n) for n, *_ in f.fields)
    blocks = [
        fill("services/extra_duplicate", f=f, field_names=field_names),
        fill("services/extra_bulk_change_status", f=f),
        fill("services/extra_statistics", f=f),
        fill("services/extra_transfer", f=f),
        fill("services/extra_import_rows"),
    ]
    return extras(f, blocks, 1, 4)


def services_sub(f: Feature) -> str:
    return fill("services/sub", f=f)


def routes_main(f: Feature) -> str:
    extra_imports: List[str] = []
    handlers: List[str] = []
    handlers.append(fill("routes/create", f=f))
    handlers.append(fill("routes/list", f=f))
    if f.violation(0.15):  # DDD203 + DDD006
        handlers.append(fill("routes/get_with_conditional", f=f))
    else:
        handlers.append(fill("routes/get", f=f))
    handlers.append(fill("routes/update", f=f))
    handlers.append(fill("routes/change_status", f=f))
    if f.violation(0.15):  # DDD501 + DDD205
        handlers.append(fill("routes/sync_summary", f=f))
    if f.violation(0.15):  # DDD201 + DDD202 + DDD105
        extra_imports.append("from sqlalchemy import select")
        extra_imports.append("from app.core.database import SessionDep")
        extra_imports.append(f"from app.{f.name}.models.{f.entity} import {f.Entity}")
        handlers.append(fill("routes/export_ids_query", f=f))
    if f.violation(0.1):  # DDD101 + DDD204
        extra_imports.append(f"from app.{f.name}.crud.{f.entity} import {f.entity}_crud")
        extra_imports.append("from app.core.database import SessionDep")
        extra_imports.append(f"from app.{f.name}.services.{f.entity} import {f.Entity}Service")
        handlers.append(fill("routes/archive_stale_crud", f=f))
    optional = [fill("routes/extra_mine", f=f), fill("routes/extra_archive", f=f),
                fill("routes/extra_history", f=f), fill("routes/extra_restore", f=f)]
    handlers.append(extras(f, optional, 1, 4, separator="\n"))
    handlers.append(fill("routes/delete", f=f))
    more = "".join(sorted(set(i + "\n" for i in extra_imports)))
    return fill("routes/entity_header", f=f, more=more) + "\n".join(handlers)


def routes_sub(f: Feature) -> str:
    pydantic = ""
    if f.violation(0.12):  # DDD404
        pydantic = fill("routes/sub_pydantic_body", f=f)
    return fill("routes/sub", f=f, pydantic=pydantic)


def dependencies_module(f: Feature) -> str:
    return fill("feature/dependencies", f=f)


def exceptions_module(f: Feature) -> str:
    return fill("feature/exceptions", f=f)


def tasks_module(f: Feature) -> str:
    session_line = "async with session_scope() as session:"
    if f.violation(0.15):  # a task opening its own session: no longer DDD603 (tasks are exempt)
        session_line = f.rng.choice(["async with async_session_maker() as session:",
                                     "async with AsyncSession(engine) as session:"])
    return fill("feature/tasks", f=f, session_line=session_line)


def tests_module(f: Feature) -> str:
    return fill("feature/tests", f=f)

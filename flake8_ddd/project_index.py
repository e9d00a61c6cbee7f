"""Project-wide facts: which classes of the project are HTTP exceptions, ORM classes, Pydantic
schemas, and which schemas route handlers take as request bodies.

The index holds the :class:`~flake8_ddd.project_facts.FileFacts` of every module of a project
and resolves them together: a name is followed through imports, aliases, package re-exports
(``from .errors import *`` too) to the class that defines it, and a class's kind is decided
from its bases, through any number of project classes, in any module. Each answer is computed
on first use and remembered; a cycle of bases (broken code) ends as "no".

- **HTTP exception**: inherits ``fastapi.HTTPException`` or ``starlette...HTTPException``.
- **ORM class**: declares ``__tablename__``; or a SQLModel class with ``table=True``; or a
  class below a SQLAlchemy declarative base (``DeclarativeBase`` subclass, ``declarative_base()``,
  ``@as_declarative``) that is neither that base nor ``__abstract__ = True``.
- **schema**: a Pydantic model (``BaseModel``/``RootModel``, or SQLModel without a table),
  not a settings class and not an ORM class.
- **body schema**: a schema that some route handler, in any module, takes as a request-body
  parameter (see :mod:`flake8_ddd.project_facts`).

Building, persisting and finding an index for a file: :mod:`flake8_ddd.project_store`.
"""

from __future__ import annotations

from typing import Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from flake8_ddd.hashes import blake2b
from flake8_ddd.library_classes import (DECLARATIVE_BASES, HTTP_EXCEPTIONS, PYDANTIC_MODELS, SETTINGS_MODELS,
                                        SQLMODEL_MODELS)
from flake8_ddd.project_facts import (ABSTRACT, DECLARATIVE, TABLE_KEYWORD, TABLENAME, ClassFacts,
                                      FileFacts)

MAX_RESOLVE_STEPS = 30

#: Kinds of a class, as letters in :meth:`ProjectIndex.kinds`.
HTTP, ORM, SCHEMA, BODY, SETTINGS, DECLARATIVE_BASE = "h", "o", "s", "b", "c", "d"


class FactsSource:
    """Where an index gets module facts: here, a fixed set (tests, one file); the project
    store (:class:`flake8_ddd.project_store.ProjectFiles`) reads them from disk on demand."""

    def __init__(self, files: Iterable[FileFacts] = ()) -> None:
        self.files: Dict[str, FileFacts] = {}
        for facts in files:
            self.files.setdefault(facts.module, facts)

    def facts(self, module: str) -> Optional[FileFacts]:
        return self.files.get(module)

    def peek(self, module: str) -> Optional[FileFacts]:
        """The module's facts when they are at hand without reading its file, else None."""
        return self.files.get(module)

    def holds(self, module: str, text: str) -> bool:
        """Whether ``text`` is the content this source has for ``module``."""
        return False

    def adopt(self, module: str, facts: FileFacts, content: bytes) -> None:
        """Take ``facts`` (read from ``content``, which :meth:`holds` confirmed) as the module's."""

    def body_modules(self) -> Iterable[str]:
        """Modules that may define route handlers (at least those that do)."""
        return [module for module, facts in self.files.items() if facts.bodies]

    def all_modules(self) -> Iterable[str]:
        return list(self.files)


class _Overlay(FactsSource):
    """A source with one module's facts replaced."""

    def __init__(self, base: FactsSource, facts: FileFacts) -> None:
        super().__init__([facts])
        self.base = base

    def facts(self, module: str) -> Optional[FileFacts]:
        found = self.files.get(module)
        return found if found is not None else self.base.facts(module)

    def body_modules(self) -> Iterable[str]:
        own = next(iter(self.files))
        return [m for m in self.base.body_modules() if m != own] + super().body_modules()

    def all_modules(self) -> Iterable[str]:
        return sorted(set(self.base.all_modules()) | set(self.files))


class ProjectIndex:
    """The resolved facts of one project; module facts are read only when a question needs them."""

    def __init__(self, source: Optional[FactsSource] = None) -> None:
        self.source = source if source is not None else FactsSource()
        self._facts: Dict[str, Optional[FileFacts]] = {}
        self._names: Dict[str, Dict[str, str]] = {}
        self._classes: Dict[str, Optional[ClassFacts]] = {}
        self._resolved: Dict[str, str] = {}
        self._lineage: Dict[str, Tuple[FrozenSet[str], FrozenSet[str]]] = {}
        self._kinds: Dict[str, str] = {}
        self._bodies: Optional[FrozenSet[str]] = None
        self._orm_modules: Dict[str, str] = {}

    @classmethod
    def of(cls, files: Iterable[FileFacts]) -> "ProjectIndex":
        return cls(FactsSource(files))

    def with_module(self, facts: FileFacts) -> "ProjectIndex":
        """This index with one module's facts replaced (an edited buffer, a file on stdin):
        itself when they are the facts it has."""
        module = facts.module
        known = self._facts[module] if module in self._facts else self.source.peek(module)
        return self if known == facts else ProjectIndex(_Overlay(self.source, facts))

    def seen_from(self, module: str, text: str, read: Callable[[], FileFacts]) -> "ProjectIndex":
        """This index as the file being checked sees it: ``text`` is its content and ``read()``
        its facts (from the tree already parsed). When ``text`` is the module's file as it is on
        disk, this very index (and all it has resolved); the facts are adopted rather than read
        from the file again. Otherwise :meth:`with_module`."""
        if self.source.holds(module, text):
            if module not in self._facts and self.source.peek(module) is None:
                self.source.adopt(module, read(), text.encode("utf-8", "surrogateescape"))
            return self
        return self.with_module(read())

    def facts(self, module: str) -> Optional[FileFacts]:
        if module not in self._facts:
            found = self._facts[module] = self.source.facts(module)
            self._names[module] = dict(found.names) if found is not None else {}
        return self._facts[module]

    def class_facts(self, qualified: str) -> Optional[ClassFacts]:
        """The facts of the project class ``qualified`` names directly (no re-export), if any."""
        if qualified not in self._classes:
            module, _, name = qualified.rpartition(".")
            facts = self.facts(module) if module else None
            self._classes[qualified] = next(
                (c for c in facts.classes if c.name == name), None) if facts is not None else None
        return self._classes[qualified]

    def is_class(self, qualified: str) -> bool:
        return self.class_facts(qualified) is not None

    # -- names -----------------------------------------------------------------------------------

    def resolve(self, qualified: str) -> str:
        """The qualified name that defines ``qualified``: a class of the project
        (``app.user.errors.NotFound``), or, for a name from outside, the name as reached
        (``fastapi.HTTPException``)."""
        found = self._resolved.get(qualified)
        if found is None:
            found = self._resolved[qualified] = self._follow(qualified)
        return found

    def _follow(self, qualified: str) -> str:
        name = qualified
        seen: Set[str] = set()
        for _ in range(MAX_RESOLVE_STEPS):
            if name in seen or self.is_class(name):
                return name
            seen.add(name)
            step = self._step(name)
            if step is None:
                return name
            name = step
        return name

    def _step(self, name: str) -> Optional[str]:
        """One hop: ``pkg.X`` -> what module ``pkg`` binds ``X`` to (import, alias, star)."""
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            facts = self.facts(module)
            if facts is None:
                continue
            head, suffix = parts[cut], "".join("." + p for p in parts[cut + 1:])
            target = self._names[module].get(head)
            if target is not None:
                return target + suffix
            for star in facts.stars:
                if self._defines(star, head, {module}):
                    return f"{star}.{head}{suffix}"
            return None
        return None

    def _defines(self, module: str, name: str, seen: Set[str]) -> bool:
        facts = self.facts(module) if module not in seen else None
        if facts is None:
            return False
        seen.add(module)
        return (name in self._names[module] or any(c.name == name for c in facts.classes)
                or any(self._defines(s, name, seen) for s in facts.stars))

    # -- classes ---------------------------------------------------------------------------------

    def lineage(self, cls: str) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        """(project classes ``cls`` inherits, outside names it inherits), transitively."""
        found = self._lineage.get(cls)
        if found is not None:
            return found
        self._lineage[cls] = (frozenset(), frozenset())  # a cycle of bases ends here
        project: Set[str] = set()
        outside: Set[str] = set()
        facts = self.class_facts(cls)
        for base in facts.bases if facts else ():
            target = self.resolve(base)
            if self.is_class(target):
                if target != cls:
                    project.add(target)
                    inner, external = self.lineage(target)
                    project |= inner
                    outside |= external
            else:
                outside.add(target)
        project.discard(cls)
        found = self._lineage[cls] = (frozenset(project), frozenset(outside))
        return found

    def kinds(self, cls: str) -> str:
        """The kinds (letters ``HTTP``, ``ORM``, ...) of a project class; "" for other names."""
        kinds = self._base_kinds(cls)
        return kinds + BODY if SCHEMA in kinds and cls in self.body_schemas() else kinds

    def _base_kinds(self, cls: str) -> str:
        found = self._kinds.get(cls)
        if found is None:
            found = self._kinds[cls] = self._classify(cls) if self.is_class(cls) else ""
        return found

    def _classify(self, cls: str) -> str:
        facts = self.class_facts(cls)
        assert facts is not None
        project, outside = self.lineage(cls)
        kinds = ""
        if outside & HTTP_EXCEPTIONS:
            kinds += HTTP
        is_base = self._is_declarative_base(cls)
        below_base = not is_base and any(self._is_declarative_base(c) for c in project)
        sqlmodel = bool(outside & SQLMODEL_MODELS)
        abstract = ABSTRACT in facts.flags
        orm = not abstract and (TABLENAME in facts.flags
                                or (sqlmodel and TABLE_KEYWORD in facts.flags)
                                or (below_base and not sqlmodel and not is_base))
        if orm:
            kinds += ORM
        if is_base:
            kinds += DECLARATIVE_BASE
        settings = bool(outside & SETTINGS_MODELS)
        if settings:
            kinds += SETTINGS
        if (outside & PYDANTIC_MODELS or sqlmodel) and not (orm or settings or is_base or below_base):
            kinds += SCHEMA
        return kinds

    def _is_declarative_base(self, cls: str) -> bool:
        facts = self.class_facts(cls)
        return facts is not None and (DECLARATIVE in facts.flags or any(
            self.resolve(base) in DECLARATIVE_BASES for base in facts.bases))

    def is_kind(self, qualified: Optional[str], kind: str) -> bool:
        """Whether the name (followed through re-exports) is a project class of ``kind``."""
        return qualified is not None and kind in self.kinds(self.resolve(qualified))

    def body_schemas(self) -> FrozenSet[str]:
        """Project schema classes some route handler takes as a request body."""
        if self._bodies is None:
            found = set()
            for module in self.source.body_modules():
                facts = self.facts(module)
                for target in map(self.resolve, facts.bodies if facts is not None else ()):
                    if SCHEMA in self._base_kinds(target):
                        found.add(target)
            self._bodies = frozenset(found)
        return self._bodies

    def module_orm(self, module: str) -> str:
        """``"defines"`` when the project module ``module`` defines an ORM class, ``"exports"``
        when it only imports one at module level (a package's ``__init__`` re-exporting its
        models), else ``""``."""
        found = self._orm_modules.get(module)
        if found is None:
            facts = self.facts(module)
            found = ""
            if facts is not None:
                if any(ORM in self.kinds(f"{module}.{c.name}") for c in facts.classes):
                    found = "defines"
                elif any(ORM in self.kinds(self.resolve(t)) for _, t in facts.names):
                    found = "exports"
            self._orm_modules[module] = found
        return found

    # -- what a file's findings depend on ----------------------------------------------------------

    def digest(self, module: str) -> str:
        """A hash of every project fact the rules may consult for ``module``: each name it
        binds, resolved, with its kinds (and, for a module, whether it defines ORM classes),
        and its own classes' kinds and ancestors with theirs. Equal digests, equal answers."""
        facts = self.facts(module)
        if facts is None:
            return ""
        seen: List[str] = []
        for local, target in facts.names:
            resolved = self.resolve(target)
            kinds = self.kinds(resolved) + self.module_orm(resolved)
            if kinds:  # names of no kind give the rules nothing to act on
                seen.append(f"{local}={resolved}:{kinds}")
        for star in facts.stars:
            seen.append(f"*{star}:{self.module_orm(star)}")
        for cls in facts.classes:
            name = f"{module}.{cls.name}"
            project, outside = self.lineage(name)
            seen.append(f"{cls.name}:{self.kinds(name)}<{','.join(sorted(outside))}<" + ",".join(
                sorted(f"{p}:{self.kinds(p)}" for p in project)))
        text = "\n".join(seen)
        return blake2b(text.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()

    def summary(self) -> Mapping[str, int]:
        """Counts over the whole project (reads every module: for measurements and reports)."""
        counts = {HTTP: 0, ORM: 0, SCHEMA: 0, BODY: 0}
        modules = classes = 0
        for module in self.source.all_modules():
            facts = self.facts(module)
            modules += 1
            for cls in facts.classes if facts is not None else ():
                classes += 1
                for kind in self.kinds(f"{module}.{cls.name}"):
                    if kind in counts:
                        counts[kind] += 1
        return {"modules": modules, "classes": classes, "http_exceptions": counts[HTTP],
                "orm_classes": counts[ORM], "schemas": counts[SCHEMA], "body_schemas": counts[BODY]}

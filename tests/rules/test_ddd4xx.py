"""Schemas (DDD401-DDD405): option-dependent cases, opt-in behaviour, messages."""

from __future__ import annotations

import sys
import textwrap

import pytest

from harness import Expected, codes, config, lint, lint_messages

SCHEMAS = "app/orders/schemas/order.py"
SERVICES = "app/orders/services/order.py"


def linted(source: str, path: str = SCHEMAS, **options: object) -> Expected:
    """``lint`` of the dedented source, under a configuration of ``ddd_*`` options."""
    return lint(textwrap.dedent(source), path, config(**options))


# -- DDD401 -----------------------------------------------------------------------------------------

UPDATE_WITH_TIMESTAMPS = """
    from datetime import datetime
    from pydantic import BaseModel

    class OrderUpdate(BaseModel):
        created_at: datetime
        updated_at: datetime | None = None
        version: int
    """


def test_timestamps_are_immutable_by_default():
    assert codes(linted(UPDATE_WITH_TIMESTAMPS), "DDD4") == {(6, "DDD401"), (7, "DDD401")}


def test_immutable_fields_option_replaces_the_list():
    assert codes(linted(UPDATE_WITH_TIMESTAMPS, ddd_immutable_fields="version"), "DDD4") == {(8, "DDD401")}


def test_update_schema_suffixes_option():
    source = """
        from pydantic import BaseModel

        class OrderPatch(BaseModel):
            id: int

        class OrderUpdate(BaseModel):
            id: int
        """
    assert codes(linted(source, ddd_update_schema_suffixes="Patch,Update"), "DDD401") == {
        (5, "DDD401"), (8, "DDD401")}
    assert codes(linted(source, ddd_update_schema_suffixes="Patch"), "DDD401") == {(5, "DDD401")}
    assert codes(linted(source), "DDD401") == {(8, "DDD401")}


def test_ddd401_message_names_the_schema_and_the_alias():
    source = textwrap.dedent("""
        from pydantic import BaseModel, Field

        class OrderUpdate(BaseModel):
            id: int
            order_id: int = Field(alias="id")
        """)
    assert [m for m in lint_messages(source, SCHEMAS) if "DDD401" in m] == [
        "5:5: DDD401 update schema OrderUpdate declares the immutable field 'id': "
        "remove it, clients must not set it",
        "6:5: DDD401 update schema OrderUpdate declares the immutable field 'id' (alias of 'order_id'): "
        "remove it, clients must not set it",
    ]


def test_ddd401_only_in_the_schemas_layer():
    source = """
        from pydantic import BaseModel

        class OrderUpdate(BaseModel):
            id: int
        """
    assert codes(linted(source, SERVICES, selected=("DDD",)), "DDD4") == set()


# -- DDD402 -----------------------------------------------------------------------------------------

def test_input_schema_suffixes_option():
    source = """
        from pydantic import BaseModel

        class OrderCommand(BaseModel):
            note: str

        class OrderCreate(BaseModel):
            note: str
        """
    assert codes(linted(source, ddd_input_schema_suffixes="Command"), "DDD402") == {(5, "DDD402")}
    assert codes(linted(source), "DDD402") == {(8, "DDD402")}


def test_input_suffixes_also_count_as_intents_for_ddd403():
    source = """
        from pydantic import BaseModel, Field

        class OrderCommand(BaseModel):
            note: str = Field(max_length=5)

        class OrderPatch(BaseModel):
            note: str = Field(max_length=5)
        """
    assert codes(linted(source), "DDD4") == {(4, "DDD403"), (7, "DDD403")}
    renamed = linted(source, ddd_input_schema_suffixes="Command", ddd_update_schema_suffixes="Patch")
    assert codes(renamed, "DDD4") == set()
    assert codes(linted(source, ddd_schema_intents="Command,Patch"), "DDD4") == set()


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 type statement")
def test_pep695_type_alias():
    source = """
        from typing import Annotated
        from pydantic import BaseModel, Field

        type ShortStr = Annotated[str, Field(max_length=50)]
        type LooseStr = Annotated[str, Field(min_length=1)]
        type MaybeShort[T] = ShortStr | None

        class OrderCreate(BaseModel):
            title: ShortStr
            note: LooseStr
            maybe: MaybeShort = None
        """
    assert codes(linted(source), "DDD4") == {(11, "DDD402")}


def test_shadowed_str_and_unresolvable_wrappers_are_not_findings():
    source = """
        from app.core.types import str as Text
        from pydantic import BaseModel

        class OrderCreate(BaseModel):
            a: Text
            b: Optional[str] = None
            c: Union[str, None] = None
        """
    assert codes(linted(source), "DDD4") == set()


def test_str_imported_from_builtins_is_a_str():
    source = """
        import builtins
        import typing as t
        from pydantic import BaseModel

        class OrderCreate(BaseModel):
            a: builtins.str
            b: t.Union[None, builtins.str] = None
        """
    assert codes(linted(source), "DDD4") == {(7, "DDD402"), (8, "DDD402")}


def test_alias_cycle_does_not_recurse_forever():
    source = """
        from pydantic import BaseModel

        A = B
        B = A

        class OrderCreate(BaseModel):
            a: A
        """
    assert codes(linted(source), "DDD4") == set()


def test_quoted_annotations_are_parsed():
    source = """
        from typing import Optional
        from pydantic import BaseModel, Field

        class OrderCreate(BaseModel):
            a: "Optional[str]" = None
            b: "Optional[Annotated[str, Field(max_length=5)]]" = None
            c: "not valid python("
        """
    assert codes(linted(source), "DDD4") == {(6, "DDD402")}


# Model configuration bounds every string field (kept out of the fixtures: the renaming property
# of tests/test_properties.py renames class-body names such as ``model_config``).
CONFIGURED = """
    import pydantic as pd
    from pydantic import BaseModel, ConfigDict

    class OrderStrictBase(BaseModel):
        model_config = ConfigDict(str_max_length=255)

        title: str

    class OrderStrictCreate(OrderStrictBase):
        nickname: str

    class OrderDictConfigCreate(BaseModel):
        model_config = {"str_max_length": 100}

        line1: str

    class OrderLegacyUpdate(pd.BaseModel):
        class Config:
            max_anystr_length = 100

        line1: str

    class OrderNoLimitCreate(BaseModel):
        model_config = ConfigDict(str_max_length=None, str_strip_whitespace=True)

        line1: str

    class OrderLooseBase(BaseModel):
        title: str

    class OrderLooseCreate(OrderLooseBase):
        model_config = ConfigDict(str_max_length=10)
    """


def test_str_max_length_in_the_model_configuration_bounds_every_field():
    assert codes(linted(CONFIGURED), "DDD4") == {(27, "DDD402")}


def test_ddd402_message():
    source = textwrap.dedent("""
        from pydantic import BaseModel

        class OrderCreate(BaseModel):
            note: str | None = None
        """)
    assert [m for m in lint_messages(source, SCHEMAS) if "DDD402" in m] == [
        "5:5: DDD402 input schema OrderCreate has the unbounded str field 'note': "
        "add max_length or pattern (Field, constr or StringConstraints)",
    ]


# -- DDD403 / DDD404: opt-in ------------------------------------------------------------------------

UNNAMED_SCHEMA = """
    from pydantic import BaseModel

    class Order(BaseModel):
        id: int
    """


@pytest.mark.parametrize("selected, expected", [
    (("DDD",), set()),
    (("DDD4",), {(4, "DDD403")}),
    (("DDD40",), {(4, "DDD403")}),
    (("DDD403",), {(4, "DDD403")}),
    (("DDD404",), set()),
])
def test_ddd403_is_opt_in(selected, expected):
    assert codes(linted(UNNAMED_SCHEMA, selected=selected), "DDD4") == expected


def test_schema_intents_option():
    assert codes(linted(UNNAMED_SCHEMA, ddd_schema_intents="Order"), "DDD4") == set()
    source = """
        from pydantic import BaseModel

        class OrderResponse(BaseModel):
            id: int
        """
    assert codes(linted(source, ddd_schema_intents="Out"), "DDD4") == {(4, "DDD403")}


@pytest.mark.parametrize("selected, expected", [
    (("DDD",), set()),
    (("DDD4",), {(4, "DDD404")}),
    (("DDD404",), {(4, "DDD404")}),
    (("DDD403",), set()),
])
def test_ddd404_is_opt_in(selected, expected):
    assert codes(linted(UNNAMED_SCHEMA, SERVICES, selected=selected), "DDD4") == expected


def test_default_on_codes_fire_with_ddd_alone():
    source = """
        from pydantic import BaseModel
        from app.core.database import Base

        class OrderUpdate(BaseModel):
            id: int
            note: str

        class Order(Base):
            __tablename__ = "orders"
        """
    assert codes(linted(source, selected=("DDD",)), "DDD4") == {(6, "DDD401"), (7, "DDD402"), (9, "DDD405")}


# -- where the rules apply --------------------------------------------------------------------------

MIXED = """
    from pydantic import BaseModel
    from app.core.database import Base

    class OrderResponse(BaseModel):
        id: int

    class Order(Base):
        __tablename__ = "orders"
    """


def test_a_file_mapped_to_models_and_schemas_gets_neither_ddd404_nor_ddd405():
    found = linted(MIXED, "app/orders/models.py", ddd_layer_paths="app/*/models.py=models+schemas")
    assert codes(found, "DDD4") == set()


def test_models_layer_gets_ddd404_and_schemas_layer_gets_ddd405():
    assert codes(linted(MIXED, "app/orders/models/order.py"), "DDD4") == {(5, "DDD404")}
    assert codes(linted(MIXED, "app/orders/schemas/order.py"), "DDD4") == {(8, "DDD405")}


@pytest.mark.parametrize("path", ["main.py", "migrations/versions/0001_init.py",
                                  "app/orders/tests/test_models.py", "app/orders/conftest.py"])
def test_no_layer_and_test_files_are_not_checked(path):
    assert codes(linted(MIXED, path), "DDD4") == set()


def test_pinned_layer_comment():
    source = "# ddd: layer=services" + textwrap.dedent(MIXED)
    assert codes(linted(source, "app/orders/helpers.py"), "DDD4") == {(5, "DDD404"), (8, "DDD405")}


@pytest.mark.parametrize("path", ["app/orders/routes/orders.py", "app/orders/crud/order.py",
                                  "app/orders/dependencies.py", "app/orders/tasks.py",
                                  "app/orders/exceptions.py", "app/core/pagination.py", "app/apis/v1.py"])
def test_every_layer_but_schemas_and_models_gets_both(path):
    assert codes(linted(MIXED, path), "DDD4") == {(5, "DDD404"), (8, "DDD405")}


def test_a_long_union_chain_does_not_exhaust_the_stack():
    members = " | ".join(["None"] * 900)
    source = f"from pydantic import BaseModel\n\nclass OrderCreate(BaseModel):\n    a: str | {members}\n"
    assert codes(linted(source), "DDD4") == {(4, "DDD402")}


@pytest.mark.parametrize("path, place", [
    ("app/orders/services/order.py", "orders/models/"),
    ("app/core/middleware.py", "a models module (core/models.py for shared ones)"),
])
def test_orm_model_message_names_where_it_belongs(path, place):
    text = "class Order(Base):\n    __tablename__ = 'orders'\n"
    assert [m for m in lint_messages(text, path) if "DDD405" in m] == [
        f"1:1: DDD405 ORM model Order defined outside the models layer: move it to {place}"]

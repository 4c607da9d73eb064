"""Rows generated in the server: statements that respect types, NOT NULL, unique keys and foreign keys."""

from __future__ import annotations

import pytest

from parity.data.rows import (
    CannotGenerate,
    Column,
    ForeignKey,
    Sequence,
    Table,
    advance_sequences,
    fill_levels,
    fill_order,
    fill_statement,
    parts,
    value_expression,
)


def col(name: str, base: str, declared: str | None = None, category: str = "U", **kw: object) -> Column:
    return Column(name=name, base=base, declared=declared or base, category=category, **kw)  # type: ignore[arg-type]


def text_of(table: Table, rows: int, parents: dict[str, int] | None = None, part: tuple[int, int] | None = None) -> str:
    return fill_statement(table, rows, parents or {}, part).as_string(None)


def test_values_fit_the_declared_length_and_unique_ones_continue_after_existing_rows() -> None:
    assert value_expression(col("title", "varchar", "character varying(20)"), unique=False, rows=10) == \
        "repeat(g.h, 2)::varchar(20)"
    assert value_expression(col("n", "int4"), unique=True, rows=10, offset=41) == "(41 + g.i)"
    assert value_expression(col("code", "varchar", "character varying(30)"), unique=True, rows=10) == \
        "(g.i::text || '-' || g.h)::varchar(30)"


def test_values_are_cut_only_where_they_can_be_longer_than_the_column() -> None:
    # 64 hex digits fit a varchar(64); a unique value is its number, '-' and 32 digits.
    assert value_expression(col("title", "varchar", "character varying(64)"), unique=False, rows=10) == "repeat(g.h, 2)"
    assert value_expression(col("title", "varchar", "character varying(63)"), unique=False, rows=10) == \
        "repeat(g.h, 2)::varchar(63)"
    assert value_expression(col("email", "varchar", "character varying(255)"), unique=True, rows=10) == \
        "(g.i::text || '-' || g.h)"
    assert value_expression(col("email", "varchar", "character varying(35)"), unique=True, rows=99, offset=1) == \
        "((1 + g.i)::text || '-' || g.h)::varchar(35)"
    assert value_expression(col("email", "varchar", "character varying(36)"), unique=True, rows=98, offset=1) == \
        "((1 + g.i)::text || '-' || g.h)"
    assert value_expression(col("n", "name"), unique=False, rows=10) == "repeat(g.h, 2)::varchar(63)"


def test_the_row_hash_is_computed_once_per_row_and_only_when_a_value_uses_it() -> None:
    texts = Table(name="t", columns=(col("a", "text", not_null=True), col("b", "varchar", "character varying(9)"),
                                     col("u", "uuid")))
    statement = text_of(texts, 100, part=(1, 50))
    assert statement.count("hashint8extended(i, 0)") == 1
    assert "FROM (SELECT generate_series(1, 50) AS i) AS s OFFSET 0) AS g" in statement
    numbers = Table(name="t", columns=(col("n", "int4"), col("d", "date")))
    assert "hashint8extended" not in text_of(numbers, 100)


@pytest.mark.parametrize(("column", "rows", "words"), [
    (col("flag", "bool"), 3, "unique boolean"),
    (col("n", "int2"), 40000, "cannot hold"),
    (col("code", "varchar", "character varying(3)"), 100000, "too short"),
    (col("state", "state", "state", "E", enum_labels=("a", "b")), 3, "enum has 2 values"),
    (col("shape", "point"), 1, "does not generate"),
])  # fmt: skip
def test_what_cannot_be_unique_or_generated_says_so(column: Column, rows: int, words: str) -> None:
    with pytest.raises(CannotGenerate, match=words):
        value_expression(column, unique=column.base != "point", rows=rows)


def test_enum_labels_are_a_constant_not_a_call_per_row() -> None:
    column = col("status", "status", '"Status"', "E", enum_labels=("new", 'it"s', "o'k"))
    expression = value_expression(column, unique=False, rows=10)
    assert expression == """('{"new","it\\"s","o''k"}'::"Status"[])[1 + g.i % 3]"""


ORDERS = Table(
    name="orders",
    columns=(
        col("id", "int8", identity=True, not_null=True),
        col("customer_id", "int4", not_null=True),
        col("coupon_id", "int4"),
        col("kind", "varchar", "character varying(10)", not_null=True, default="'web'::character varying"),
        col("note", "text"),
        col("total", "numeric", "numeric(10,2)", not_null=True),
        col("total_cents", "int8", generated=True),
        col("seq", "int4", default="nextval('orders_seq_seq'::regclass)"),
    ),
    unique=(("id",),),
    foreign_keys=(ForeignKey(("customer_id",), "customers", ("id",)), ForeignKey(("coupon_id",), "coupons", ("id",))),
    checked=frozenset({"kind", "total"}),
)


def test_children_point_at_existing_parents_and_defaults_sequences_identities_are_left_to_the_server() -> None:
    statement = text_of(ORDERS, 1000, {"customers": 30, "coupons": 0})
    assert 'WITH "p0" AS MATERIALIZED (SELECT "id" AS c0, row_number() OVER () - 1 AS rn FROM customers)' in statement
    assert 'JOIN "p0" ON "p0".rn = ((g.i - 1)::bigint / (1)) % 30' in statement
    inserted = statement.split("INSERT INTO orders (")[1].split(")")[0]
    # id: identity; coupon_id: its parent is empty and it may be NULL; kind: CHECKed, has a
    # default; total_cents: generated; seq: a sequence. total is CHECKed but NOT NULL without
    # a default: generated (the server says if the CHECK refuses it).
    assert inserted == '"customer_id", "note", "total"'
    assert "generate_series(1, 1000)" in statement


def test_a_required_reference_to_an_empty_parent_or_its_own_table_is_refused() -> None:
    with pytest.raises(CannotGenerate, match="customers, which is empty"):
        text_of(ORDERS, 10, {"customers": 0, "coupons": 5})
    tree = Table(name="nodes", columns=(col("id", "int4", not_null=True), col("parent_id", "int4", not_null=True)),
                 unique=(("id",),), foreign_keys=(ForeignKey(("parent_id",), "nodes", ("id",)),))
    with pytest.raises(CannotGenerate, match="its own table"):
        text_of(tree, 10)


def test_a_key_made_of_two_references_walks_them_at_different_strides() -> None:
    # (a, b) unique: row i takes parent a at i % 10 and parent b at (i / 10) % 7, so every pair differs.
    link = Table(name="links", columns=(col("a", "int4", not_null=True), col("b", "int4", not_null=True)),
                 unique=(("a", "b"),),
                 foreign_keys=(ForeignKey(("a",), "left_t", ("id",)), ForeignKey(("b",), "right_t", ("id",))))
    statement = text_of(link, 70, {"left_t": 10, "right_t": 7})
    assert '"p0".rn = ((g.i - 1)::bigint / (1)) % 10' in statement
    assert '"p1".rn = ((g.i - 1)::bigint / (1 * 10)) % 7' in statement


def test_a_share_of_the_rows_is_a_range_of_the_series_and_shares_cover_every_row_once() -> None:
    assert "generate_series(250001, 500000)" in text_of(ORDERS, 1_000_000, {"customers": 3}, (250001, 500000))
    for rows, workers in ((1_000_000, 4), (1_000_003, 2), (10, 4), (120_000, 4)):
        shares = parts(rows, workers)
        assert shares[0][0] == 1 and shares[-1][1] == rows and len(shares) <= workers
        assert all(b[0] == a[1] + 1 for a, b in zip(shares, shares[1:], strict=False))
    assert parts(10, 4) == [(1, 10)]  # small tables: one statement


def test_parents_are_filled_before_their_children() -> None:
    customers = Table(name="customers", columns=(col("id", "int4"),))
    coupons = Table(name="coupons", columns=(col("id", "int4"),))
    assert fill_order({"orders": ORDERS, "customers": customers, "coupons": coupons}) == ["customers", "coupons", "orders"]


def test_serial_and_identity_columns_are_numbered_by_the_fill_and_their_sequences_set_after_it() -> None:
    table = Table(name="t", columns=(col("id", "int8", identity=True, not_null=True),
                                     col("n", "int4", default="nextval('t_n_seq'::regclass)"),
                                     col("small", "int2", default="nextval('t_small_seq'::regclass)")),
                  sequences={"id": Sequence("t_id_seq", after=41, maximum=2**63 - 1),
                             "n": Sequence("t_n_seq", after=0, maximum=2**31 - 1),
                             "small": Sequence("t_small_seq", after=32000, maximum=32767)})
    statement = text_of(table, 1000, part=(501, 1000))
    # small would overflow at 1000 more rows: left to nextval(), which says so.
    assert statement.startswith('INSERT INTO t ("id", "n") OVERRIDING SYSTEM VALUE SELECT (41 + g.i), (0 + g.i) ')
    assert [s.as_string(None) for s in advance_sequences(table, 1000)] == [
        "SELECT setval('t_id_seq', 1041)", "SELECT setval('t_n_seq', 1000)"]
    plain = Table(name="t", columns=(col("n", "int4", default="nextval('t_n_seq'::regclass)"),),
                  sequences={"n": Sequence("t_n_seq", after=0, maximum=2**31 - 1)})
    assert "OVERRIDING" not in text_of(plain, 10)


def test_tables_that_do_not_refer_to_each_other_are_filled_in_the_same_wave() -> None:
    def table(name: str, *parents: str) -> Table:
        return Table(name=name, columns=(), foreign_keys=tuple(ForeignKey(("x",), p, ("id",)) for p in parents))

    tables = {t.name: t for t in (table("lines", "orders", "products"), table("orders", "customers", "orders"),
                                  table("products"), table("customers"), table("audit", "elsewhere"))}
    assert fill_levels(tables) == [["customers", "products", "audit"], ["orders"], ["lines"]]

"""The pure planner: graph, selectors, ordering, strategies, retention, portability."""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutela.errors import RequestError
from tutela.programme.erasure import strategy_for
from tutela.programme.models import Programme, System
from tutela.rights.planner import plan_request


def with_collections(programme: Programme, collections: list[dict[str, Any]]) -> Programme:
    system = System.model_validate(
        {
            "key": "app",
            "name": "App",
            "owner": "Eng",
            "hosting_country": "BE",
            "datasets": [{"key": "app", "name": "App", "collections": collections}],
        }
    )
    return programme.model_copy(update={"systems": [system]})


def field(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, **extra}


def test_AC_1_plan_covers_reachable_collections_and_lists_unreachable(
    programme: Programme,
) -> None:
    plan = plan_request(programme, "access", ["email"])
    assert plan.steps[0].address == "shop.customer"
    assert {s.address for s in plan.steps} == {
        "shop.customer",
        "shop.address",
        "shop.orders",
        "shop.order_item",
        "shop.login_event",
    }
    assert plan.unreachable == ("shop.warehouse",)


def test_ER_1_destructive_steps_run_children_first(programme: Programme) -> None:
    order = plan_request(programme, "erasure", ["email"]).act_order
    assert (
        order.index("shop.order_item") < order.index("shop.orders") < order.index("shop.customer")
    )
    assert order.index("shop.customer") < order.index("shop.address")
    assert order.index("shop.login_event") < order.index("shop.customer")


def test_ER_2_legal_obligation_fields_are_retained_not_masked(programme: Programme) -> None:
    orders = plan_request(programme, "erasure", ["email"]).step("shop.orders")
    actions = {f.name: f for f in orders.fields}
    assert actions["total"].action == "retain"
    assert actions["total"].retention is not None
    assert actions["total"].retention.purpose == "tax_records"
    assert actions["total"].retention.period == "10y"
    assert actions["note"].action == "mask"


def test_ER_1_strategy_precedence_field_then_specific_rule_then_default(
    programme: Programme,
) -> None:
    customer = plan_request(programme, "erasure", ["email"]).step("shop.customer")
    strategies = {f.name: f.strategy for f in customer.fields}
    assert strategies == {"email": "hash", "name": "fixed", "phone": "random", "segment": "null"}
    shop = programme.systems[0].datasets[0].collections[0]
    email_field = next(f for f in shop.fields if f.name == "email")
    overridden = email_field.model_copy(update={"masking": "fixed", "masking_value": "gone"})
    assert strategy_for(programme, overridden) == ("fixed", "gone")


def test_ER_1_delete_collection_deletes_rows(programme: Programme) -> None:
    assert plan_request(programme, "erasure", ["email"]).step("shop.login_event").delete_rows


def test_PO_2_enrichment_excluded_and_PO_1_legitimate_interest_excluded(
    programme: Programme,
) -> None:
    plan = plan_request(programme, "portability", ["email"])
    customer = {f.name for f in plan.step("shop.customer").fields}
    assert "segment" not in customer and "email" in customer
    assert plan.step("shop.login_event").fields == ()


def test_RS_1_restriction_plans_the_declared_flag(programme: Programme) -> None:
    plan = plan_request(programme, "restriction", ["email"])
    assert plan.step("shop.customer").restriction_flag == "processing_restricted"
    assert [s.address for s in plan.steps if s.changes_data()] == ["shop.customer"]


def test_plan_several_identities_union_in_one_step(programme: Programme) -> None:
    plan = plan_request(programme, "access", ["email", "customer_id"])
    customer = plan.step("shop.customer")
    assert {(s.field, s.identity) for s in customer.selectors} == {
        ("email", "email"),
        ("id", "customer_id"),
    }
    assert len([s for s in plan.steps if s.address == "shop.customer"]) == 1


def test_plan_unknown_identity_name_is_a_clear_error(programme: Programme) -> None:
    known = "the programme's identities are: customer_id, email"
    with pytest.raises(RequestError, match=f"unknown identity 'shoe_size'; {known}"):
        plan_request(programme, "access", ["shoe_size"])


def test_RE_1_unknown_rectification_target_is_an_error(programme: Programme) -> None:
    with pytest.raises(RequestError, match="cannot rectify"):
        plan_request(programme, "rectification", ["email"], changes=["customer.shoe"])


def test_plan_cycles_and_self_references_terminate(programme: Programme) -> None:
    collections = [
        {
            "name": "a",
            "fields": [
                field("id", primary_key=True),
                field("mail", identity="email", data_categories=["user.contact.email"]),
                field("b_id", references=[{"to": "b.id"}]),
                field("parent_id", references=[{"to": "a.id"}]),
            ],
        },
        {
            "name": "b",
            "fields": [field("id", primary_key=True), field("a_id", references=[{"to": "a.id"}])],
        },
    ]
    plan = plan_request(with_collections(programme, collections), "erasure", ["email"])
    assert [s.address for s in plan.steps] == ["app.a", "app.b"]
    b = plan.step("app.b")
    assert {(s.field, s.upstream_field) for s in b.selectors} == {("id", "b_id"), ("a_id", "id")}


def test_plan_respects_reference_direction(programme: Programme) -> None:
    collections = [
        {"name": "a", "fields": [field("id", primary_key=True, identity="email")]},
        {"name": "b", "fields": [field("a_id", references=[{"to": "a.id", "direction": "to"}])]},
        {"name": "c", "fields": [field("a_id", references=[{"to": "a.id", "direction": "from"}])]},
    ]
    plan = plan_request(with_collections(programme, collections), "access", ["email"])
    assert {s.address for s in plan.steps} == {"app.a", "app.c"}
    assert plan.unreachable == ("app.b",)


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, str]], set[int]]:
    size = draw(st.integers(2, 7))
    edges = draw(
        st.lists(
            st.tuples(
                st.integers(0, size - 1),
                st.integers(0, size - 1),
                st.sampled_from(["to", "from", "both"]),
            ),
            max_size=12,
        )
    )
    seeds = draw(st.sets(st.integers(0, size - 1), min_size=1, max_size=size))
    return size, edges, seeds


def reachable(size: int, edges: list[tuple[int, int, str]], seeds: set[int]) -> set[int]:
    forward = {(a, b) for a, b, d in edges if d in ("to", "both")} | {
        (b, a) for a, b, d in edges if d in ("from", "both")
    }
    seen, queue = set(seeds), deque(seeds)
    while queue:
        node = queue.popleft()
        for a, b in forward:
            if a == node and b not in seen:
                seen.add(b)
                queue.append(b)
    return seen


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_plan_covers_every_reachable_collection_once_in_dependency_order(
    graph: tuple[int, list[tuple[int, int, str]], set[int]],
) -> None:
    from minishop import MINISHOP

    from tutela.programme.loader import load_programme

    size, edges, seeds = graph
    collections = []
    for n in range(size):
        fields = [field("id", primary_key=True)]
        if n in seeds:
            fields.append(field("mail", identity="email"))
        for k, (a, b, direction) in enumerate(edges):
            if a == n:
                fields.append(
                    field(f"r{k}", references=[{"to": f"c{b}.id", "direction": direction}])
                )
        collections.append({"name": f"c{n}", "fields": fields})
    plan = plan_request(
        with_collections(load_programme(MINISHOP), collections), "erasure", ["email"]
    )
    expected = {f"app.c{n}" for n in reachable(size, edges, seeds)}
    order = [s.address for s in plan.steps]
    assert sorted(order) == sorted(expected)
    assert set(plan.unreachable) == {f"app.c{n}" for n in range(size)} - expected
    assert sorted(plan.act_order) == sorted(order)
    for position, step in enumerate(plan.steps):
        assert step.selectors
        for selector in step.selectors:
            if selector.upstream:
                assert order.index(selector.upstream) < position

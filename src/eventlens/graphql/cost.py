"""A GraphQL request's cost, and the budget that refuses a costly one before it runs.

Each field costs 1. A list field read from the event tables costs the rows it asks for (its
`limit`, or its default), times one plus the keys of its property filter (each key is a
containment test on every candidate row). A `webStats` query costs a fixed 100: its own plan
bounds its rows. Aliases and fragments count every time they are used: twenty aliased
`events` cost twenty times one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

DEFAULT_BUDGET = 2000
# A list field's rows when it does not say (its `limit` argument's default).
DEFAULT_ROWS = {"events": 50, "rejectedEvents": 50, "topPages": 10, "topLinks": 10}
FIXED_COSTS = {"webStats": 100}
OVER_BUDGET = "over_cost_budget"

Variables = Mapping[str, Any]


def request_cost(
    document: DocumentNode, operation_name: str | None, variables: Variables | None, stop_at: int
) -> int:
    """The cost of the operation, counted until it passes `stop_at` (a request built to be
    expensive to count is not counted further than it needs)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or _named(o, operation_name)]
    if not chosen:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    cost = 0
    for field in _fields(chosen[0].selection_set, fragments):
        cost += field_cost(field, variables or {})
        if cost > stop_at:
            break
    return cost


def field_cost(field: FieldNode, variables: Variables) -> int:
    name = field.name.value
    if name in FIXED_COSTS:
        return FIXED_COSTS[name]
    if name not in DEFAULT_ROWS:
        return 1
    arguments = {a.name.value: a.value for a in field.arguments or ()}
    rows = _value(arguments.get("limit"), variables)
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 1:
        rows = DEFAULT_ROWS[name]
    return rows * (1 + _property_keys(_value(arguments.get("filter"), variables)))


def _fields(
    selections: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    """Every field selected, a fragment's once per use; iterative, for deep documents."""
    stack: list[tuple[SelectionSetNode, frozenset[str]]] = [(selections, frozenset())]
    while stack:
        selection_set, spreading = stack.pop()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
                if selection.selection_set is not None:
                    stack.append((selection.selection_set, spreading))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, spreading))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in spreading:  # a cycle is invalid anyway
                    stack.append((fragment.selection_set, spreading | {name}))


def _value(node: ValueNode | None, variables: Variables) -> Any:
    """An argument's value where the cost needs it: an integer, or an object's fields."""
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, ObjectValueNode):
        return {f.name.value: f.value for f in node.fields}
    return None


def _property_keys(filter_value: Any) -> int:
    if not isinstance(filter_value, Mapping):
        return 0
    properties = filter_value.get("properties")
    if isinstance(properties, ObjectValueNode):
        return len(properties.fields)
    return len(properties) if isinstance(properties, Mapping) else 0


def _named(operation: OperationDefinitionNode, name: str) -> bool:
    return operation.name is not None and operation.name.value == name


class CostBudget(SchemaExtension):
    """Refuses, before it runs, a request costing more than the budget (the context's
    platform settings say how much, EVENTLENS_GRAPHQL_COST_BUDGET)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and not context.pre_execution_errors:
            budget = _budget(context.context)
            cost = request_cost(document, context.operation_name, context.variables, budget)
            if cost > budget:
                context.pre_execution_errors = [over_budget(cost, budget)]
        yield


def over_budget(cost: int, budget: int) -> GraphQLError:
    return GraphQLError(
        f"this request costs at least {cost}, over the budget of {budget} a request may "
        "cost (EVENTLENS_GRAPHQL_COST_BUDGET: a field costs 1, a list the rows it asks for "
        "times one plus its property filter's keys, webStats 100); ask for fewer rows or "
        "fewer aliases, or send them in several requests",
        extensions={"status": 400, "code": OVER_BUDGET, "budget": budget},
    )


def _budget(context: Any) -> int:
    platform = context.get("platform") if isinstance(context, dict) else None
    settings = getattr(platform, "settings", None)
    budget = getattr(settings, "graphql_cost_budget", DEFAULT_BUDGET)
    return budget if isinstance(budget, int) else DEFAULT_BUDGET

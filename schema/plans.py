"""Plans: objects whose whole selection is plain fields, answered in one pass (issue 7: speed).

The pieces `schema/execution.py` builds plans from: which fields Strawberry resolves as
"basic" (they only read an attribute), how a value of each type is completed, and the caches
that let the requests of a document share their plans. Every completion answers the value
graphql-core would, or MISS when the general path must answer (and report) it.
"""

from __future__ import annotations

import inspect
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from keyword import iskeyword
from operator import methodcaller
from types import GeneratorType
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    GraphQLInterfaceType,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    ValueNode,
    VariableNode,
)
from graphql.execution.collect_fields import FragmentDetails
from graphql.type.definition import is_leaf_type
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE
from strawberry.types.field import StrawberryField

from schema.types.row_nodes import RowEdges, RowNodes

# The versions the shortcuts were proven against (tests/web/test_differential.py compares their
# answers with graphql-core's own on generated documents). They read internals of both
# libraries (the names below, the collected-fields structures, `execute_fields`' signature),
# which any release may change without notice: pyproject.toml pins these exact versions, and
# with any other installed the executor runs without shortcuts (schema/execution.py).
PROVEN_WITH = {"strawberry-graphql": "0.341.2", "graphql-core": "3.3.2"}


def installed_versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in PROVEN_WITH:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def unproven(installed: Mapping[str, str | None]) -> dict[str, str | None]:
    """The libraries whose installed version is not the one the shortcuts were proven with."""
    return {name: installed.get(name) for name, proven in PROVEN_WITH.items()
            if installed.get(name) != proven}  # fmt: skip


def fragments_take_arguments(fragments: Mapping[str, FragmentDetails]) -> bool:
    """Whether a fragment declares variables (graphql-core's `experimental_fragment_arguments`
    parser option). The same field nodes then select differently at each spread, which a plan
    shared by node ids would not see: such documents are not planned."""
    return any(
        fragment.definition.variable_definitions or getattr(fragment, "variable_signatures", None)
        for fragment in fragments.values()
    )


# Strawberry names the resolver it gives basic fields so: its presence proves the field has
# no resolver, no permission or other field extension, and no exception handler.
_BASIC_RESOLVER = "_get_basic_result"
# Strawberry's own `is_type_of` (for types with interfaces) is an isinstance check that never
# reads its `info` argument; a type's hand-written one might, so such types are not planned.
STRAWBERRY_IS_TYPE_OF = "_get_is_type_of.<locals>.is_type_of"


@dataclass(frozen=True, slots=True)
class BasicField:
    """How Strawberry's basic resolver reads the field: its default resolver (usually
    getattr) and the attribute's name."""

    read: Callable[[Any, str], Any]
    attribute: str
    type: GraphQLOutputType
    # For scalar and enum fields: the value, coerced, or MISS (a null included).
    leaf: Complete | None


# Per schema, and gone with it: keyed by the fields' ids, which only a live schema keeps from
# being reused.
_basic_fields: weakref.WeakKeyDictionary[GraphQLSchema, dict[int, BasicField]] = (
    weakref.WeakKeyDictionary()
)


def basic_fields_of(schema: GraphQLSchema) -> dict[int, BasicField]:
    found = _basic_fields.get(schema)
    if found is None:
        found = {}
        for named in schema.type_map.values():
            if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
                continue
            for field_def in named.fields.values():
                field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
                if (
                    getattr(field_def.resolve, "__name__", None) == _BASIC_RESOLVER
                    and isinstance(field, StrawberryField)
                    and field.is_basic_field
                ):
                    inner = without_non_null(field_def.type)
                    found[id(field_def)] = BasicField(
                        field.default_resolver,  # type: ignore[arg-type]
                        field.python_name,
                        field_def.type,
                        complete_leaf(inner) if is_leaf_type(inner) else None,  # type: ignore[arg-type]
                    )
        _basic_fields[schema] = found
    return found


# --- fields with a resolver that reads preloaded data (issue 17) --------------------------

# The context of the request whose plan runs: set around each plan call (plans are synchronous
# and shared by the requests of a document, so they cannot hold it).
PLAN_CONTEXT: ContextVar[Any] = ContextVar("plan_context", default=None)


@dataclass(frozen=True, slots=True)
class Preloaded:
    """A field whose resolver answers data a list resolver preloaded, synchronously, when it
    is there (`resolvers/preload.py`): a plan reads it with `read` (MISS when not preloaded,
    and the general path runs the resolver), after `allowed`, the pure policy check of the
    field's permission class (False, or an exception: the general path reports it)."""

    read: Callable[[Any], Any]
    allowed: Callable[[Any, Any], bool] | None = None  # (request context, source)


# (GraphQL type name, field name) -> how a plan reads the field. Registered beside each field
# (schema/types/): the reader must answer what the resolver answers whenever it is not MISS;
# tests/web/test_differential.py proves it on generated documents.
PRELOADED: dict[tuple[str, str], Preloaded] = {}


def preloaded(
    type_name: str,
    field_name: str,
    read: Callable[[Any], Any],
    allowed: Callable[[Any, Any], bool] | None = None,
) -> None:
    PRELOADED[(type_name, field_name)] = Preloaded(read, allowed)


def preloaded_step_reader(reader: Preloaded) -> Callable[[Any, str], Any]:
    """A Step's `read` for a preloaded field (its attribute name is unused)."""
    read, allowed = reader.read, reader.allowed
    if allowed is None:
        return lambda source, _attribute: read(source)

    def checked(source: Any, _attribute: str) -> Any:
        # An exception here (or in `read`) makes the plan give up, as a MISS does.
        if allowed(PLAN_CONTEXT.get(), source) is not True:
            return MISS
        return read(source)

    return checked


class LastUsed(OrderedDict[Any, Any]):
    """Keeps the `capacity` most recently used entries. Entries keyed by ids hold the object
    the id is of (in their value), so no other object can take the id while they live."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity

    def recall(self, key: Any) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def remember(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        if len(self) > self.capacity:
            self.popitem(last=False)


# Plans shared by the requests of one schema (see ExecutionContext._shared_key).
SHARED_PLANS = 1024
_shared_plans: weakref.WeakKeyDictionary[GraphQLSchema, LastUsed] = weakref.WeakKeyDictionary()


def shared_plans_of(schema: GraphQLSchema) -> LastUsed:
    plans = _shared_plans.get(schema)
    if plans is None:
        plans = _shared_plans[schema] = LastUsed(SHARED_PLANS)
    return plans


# id(operation) -> (the operation; the variables its directives, or its fragments', take)
_variable_directives = LastUsed(SHARED_PLANS)


def directive_variables(
    operation: OperationDefinitionNode, fragments: Iterable[FragmentDefinitionNode]
) -> tuple[str, ...]:
    """The names of the variables a directive of the operation or of its document's fragments
    takes (`@include(if: $full)`), sorted: what is selected changes with their values."""
    cached = _variable_directives.recall(id(operation))
    if cached is not None:
        return cached[1]  # type: ignore[no-any-return]
    names: set[str] = set()
    _directive_variables(operation.selection_set, names)
    for fragment in fragments:
        _directive_variables(fragment.selection_set, names)
    found = tuple(sorted(names))
    _variable_directives.remember(id(operation), (operation, found))
    return found


def selection_key(names: tuple[str, ...], values: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The values of these variables (absent ones as MISS), as what a selection collected
    with them depends on; None when one is not a plain immutable value."""
    key = tuple(values.get(name, MISS) for name in names)
    if any(value is not MISS and not isinstance(value, _PLAIN) for value in key):
        return None
    return key


def _directive_variables(selection_set: SelectionSetNode | None, names: set[str]) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        for directive in selection.directives or ():
            for argument in directive.arguments or ():
                _variables_in(argument.value, names)
        _directive_variables(getattr(selection, "selection_set", None), names)


def _variables_in(value: ValueNode, names: set[str]) -> None:
    if isinstance(value, VariableNode):
        names.add(value.name.value)
    elif isinstance(value, ListValueNode):
        for item in value.values:
            _variables_in(item, names)
    elif isinstance(value, ObjectValueNode):
        for field in value.fields:
            _variables_in(field.value, names)


class _Miss:
    """The general path must answer (and report) this value."""


MISS: Any = _Miss()
_PLAIN = (str, int, float, bool, type(None))
# value -> completed value, or MISS
Complete = Callable[[Any], Any]


# type -> whether its instances can be exceptions or awaitables; decided once per class,
# since both depend on the class alone (a coroutine, a generator, or `__await__`).
_unsettled_types: dict[type, bool] = dict.fromkeys(_PLAIN, False)


def _not_plain(value: Any) -> bool:
    kind = type(value)
    unsettled = _unsettled_types.get(kind)
    if unsettled is None:
        unsettled = issubclass(kind, BaseException) or inspect.isawaitable(value)
        if not unsettled and issubclass(kind, GeneratorType):
            unsettled = True  # a generator-based coroutine is awaitable, another generator not
        if len(_unsettled_types) < 10_000:  # classes made on the fly must not grow it forever
            _unsettled_types[kind] = unsettled
    return unsettled


def complete_leaf(leaf: GraphQLLeafType) -> Complete:
    """A scalar or enum value (not null), coerced."""
    coerce = leaf.coerce_output_value
    exact = _exact_coercions(leaf)

    def complete(value: Any) -> Any:
        quick = exact.get(type(value))
        if quick is not None:
            return quick(value)
        if _not_plain(value):
            return MISS
        try:
            coerced = coerce(value)
        except Exception:  # noqa: BLE001 - the general path reports it
            return MISS
        return MISS if coerced is None or coerced is Undefined else coerced

    complete.exact = exact  # type: ignore[attr-defined] # written into plans (complete_object)
    return complete


def _exact_coercions(leaf: GraphQLLeafType) -> dict[type, Callable[[Any], Any]]:
    """For values of exactly these types, what `coerce_output_value` answers, found without
    its general steps: an enum member's name by its value (Strawberry compares values, the
    first name wins), a datetime's `isoformat()` (the serializer Strawberry gives DateTime).
    A page of 100 users spends more in those steps than in everything else its leaves do."""
    if isinstance(leaf, CustomGraphQLEnumType) and type(leaf).coerce_output_value is _ENUM_COERCE:
        names: dict[Any, str] = {}
        for name, value in leaf.values.items():
            names.setdefault(value.value, name)
        # By member: its `value` is a property, which cost more than the lookup. Used for
        # values of exactly the enum's class, which are its members.
        by_member = {member: names[member.value] for member in leaf.wrapped_cls
                     if member.value in names}  # fmt: skip

        def member_name(member: Any) -> Any:
            # A member no name has: coerce_output_value raises, which the general path reports.
            return by_member.get(member, MISS)

        return {leaf.wrapped_cls: member_name}
    if isinstance(leaf, GraphQLScalarType) and repr(leaf.serialize) == _ISOFORMAT:
        return {datetime: datetime.isoformat}
    return {}


_ENUM_COERCE = CustomGraphQLEnumType.coerce_output_value
_ISOFORMAT = repr(methodcaller("isoformat"))


# Values these scalars answer unchanged (Int is left out: it checks a 32-bit range).
UNCHANGED = {"String": str, "ID": str, "Boolean": bool}


@dataclass(frozen=True, slots=True)
class Step:
    """One field of a planned object: read the attribute, then complete the value."""

    response_name: str
    read: Callable[[Any, str], Any]
    attribute: str
    nullable: bool
    # A value of exactly this type is the answer as it is (str for String and ID).
    unchanged: type | None
    complete: Complete  # for values that are not null


def complete_list(item: Complete, item_nullable: bool) -> Complete:
    def complete(value: Any) -> Any:
        if type(value) is RowEdges:
            # A page's edges still as its rows: answered from them when the item's plan can be
            # (every field a column's value or the cursor), else the edges are made.
            from_rows = row_form(item, value)
            if from_rows is not None:
                return from_rows(value.rows, value.cursors)
            value = list(value)
        if not isinstance(value, list | tuple):
            return MISS
        completed = []
        append = completed.append
        for element in value:
            if element is None:
                if not item_nullable:
                    return MISS
                append(None)
                continue
            done = item(element)
            if done is MISS:
                return MISS
            append(done)
        return completed

    return complete


def _step_lines(step: Step, index: str, read: str, names: dict[str, Any], indent: str) -> list[str]:
    """A step's value read by the expression `read` into `v{index}`, then completed as the
    step says: the lines of a written-out plan (`complete_object`, `row_form`), which return
    MISS when the general path must answer the object."""
    value, complete_value, unchanged = f"v{index}", f"c{index}", f"u{index}"
    names[complete_value], names[unchanged] = step.complete, step.unchanged
    lines = [f"{indent}{value} = {read}"]
    if step.read is not getattr:
        lines.append(f"{indent}if {value} is MISS: return MISS")  # not read (preloaded fields)
    lines.append(f"{indent}if {value} is None:")
    lines.append(f"{indent}    pass" if step.nullable else f"{indent}    return MISS")
    # A leaf's exact coercions (an enum member's name, a datetime's isoformat), inline.
    for number, (kind, quick) in enumerate(getattr(step.complete, "exact", {}).items()):
        names[f"t{index}_{number}"], names[f"q{index}_{number}"] = kind, quick
        lines.append(f"{indent}elif type({value}) is t{index}_{number}:")
        lines.append(f"{indent}    {value} = q{index}_{number}({value})")
        lines.append(f"{indent}    if {value} is MISS: return MISS")
    lines.append(f"{indent}elif type({value}) is not {unchanged}:")
    lines.append(f"{indent}    {value} = {complete_value}({value})")
    lines.append(f"{indent}    if {value} is MISS: return MISS")
    return lines


def _reads_plainly(step: Step) -> bool:
    return step.read is getattr and step.attribute.isidentifier() and not iskeyword(step.attribute)


def complete_object(object_type: GraphQLObjectType, steps: list[Step]) -> Complete:
    """The object's completion, written out as Python for its steps (as graphql-jit writes
    JavaScript): one straight pass per object, each attribute read where the step's reader is
    plain `getattr`, its answer built as a dict display in the selection's order. A page of
    100 users runs this 100 times per request; a loop over the steps cost twice as much."""
    names: dict[str, Any] = {"MISS": MISS, "not_plain": _not_plain, "settled": _unsettled_types.get,
                             "is_type_of": object_type.is_type_of, "own": _own_class(object_type),
                             "CAST": TYPE_CAST_ATTRIBUTE}  # fmt: skip
    lines = [
        "def complete(source):",
        # `not_plain` inline for the classes it has seen.
        "    kind = type(source)",
        "    unsettled = settled(kind)",
        "    if unsettled is None: unsettled = not_plain(source)",
        "    if unsettled: return MISS",
    ]
    if object_type.is_type_of is not None:
        # Strawberry's `is_type_of` says True of an instance of the type's own class that was
        # not cast to another type (`strawberry.cast`): found without the call.
        lines.append("    if kind is own and CAST not in source.__dict__: pass")
        lines.append("    elif is_type_of(source, None) is not True: return MISS")
    lines.append("    try:")
    lines.append("        pass")  # a selection that @skip emptied has no steps
    for index, step in enumerate(steps):
        if _reads_plainly(step):
            read = f"source.{step.attribute}"
        else:
            names[f"r{index}"], names[f"a{index}"] = step.read, step.attribute
            read = f"r{index}(source, a{index})"
        lines += _step_lines(step, str(index), read, names, "        ")
    # The general path reports whatever went wrong here (a reader's exception included).
    lines.append("    except Exception: return MISS")
    answer = ", ".join(f"{step.response_name!r}: v{index}" for index, step in enumerate(steps))
    lines.append(f"    return {{{answer}}}")
    exec(compile("\n".join(lines), f"<plan of {object_type.name}>", "exec"), names)  # noqa: S102
    complete = names["complete"]
    # What `row_form` writes the same object's answer from.
    complete.plan = _Plan(object_type, tuple(steps))
    complete.row_forms = LastUsed(16)
    return complete  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class _Plan:
    object_type: GraphQLObjectType
    steps: tuple[Step, ...]


def row_form(edge: Complete, page: RowEdges[Any]) -> Callable[[Any, Any], Any] | None:
    """The answer of a page of edges written straight from its rows and cursors, as `edge`
    (an edge's plan) would answer the edges `page` makes: the nodes' fields read from the
    expressions `RowNodes` makes each node's fields of, then completed by the same lines.
    None when it cannot be (a field that is not a node's plain attribute or the cursor, a
    type that decides by more than its class): the edges are then made and planned."""
    forms = getattr(edge, "row_forms", None)
    if forms is None or not page.rows:
        return None if forms is None else _no_rows
    key = (page.edge_cls, page.row_nodes, tuple(page.rows[0].keys()))
    found = forms.recall(key)
    if found is None:
        found = (_write_row_form(edge.plan, *key) or _UNFIT,)  # type: ignore[attr-defined]
        forms.remember(key, found)
    return None if found[0] is _UNFIT else found[0]  # type: ignore[no-any-return]


def _no_rows(_rows: Any, _cursors: Any) -> list[Any]:
    return []


_UNFIT: Any = object()


def _write_row_form(
    edge: _Plan, edge_cls: type, row_nodes: RowNodes[Any], columns: tuple[str, ...]
) -> Callable[[Any, Any], Any] | None:
    if not _made_as(edge.object_type, edge_cls):
        return None
    names: dict[str, Any] = {"MISS": MISS}
    lines = ["def complete(rows, cursors):", "    answers = []", "    append = answers.append",
             "    try:", "        for row, cursor in zip(rows, cursors):"]  # fmt: skip
    indent = " " * 12
    node_fields = row_nodes.values(columns, names)
    for index, step in enumerate(edge.steps):
        typename = getattr(step.read, "typename", None)
        if typename is not None:
            names[f"k{index}"] = typename
            read = f"k{index}"
        elif not _reads_plainly(step):
            return None
        elif step.attribute == "cursor":
            read = "cursor"
        elif step.attribute == "node" and isinstance(getattr(step.complete, "plan", None), _Plan):
            node: _Plan = step.complete.plan  # type: ignore[attr-defined]
            if not _made_as(node.object_type, row_nodes.cls):
                return None
            for number, field in enumerate(node.steps):
                typename = getattr(field.read, "typename", None)
                if typename is not None:
                    names[f"k{index}_{number}"] = typename
                    field_read = f"k{index}_{number}"
                elif (
                    _reads_plainly(field)
                    and field.attribute in node_fields
                    and not _data_descriptor(row_nodes.cls, field.attribute)
                ):
                    field_read = node_fields[field.attribute]
                else:
                    return None
                value = f"{index}_{number}"
                conversion = row_nodes.conversion(field.attribute, columns)
                named = _names_by_stored_value(field, conversion)
                if named is not None:
                    lines += _named_lines(field, value, named, names, indent)
                    continue
                lines += _step_lines(field, value, field_read, names, indent)
            answer = ", ".join(f"{field.response_name!r}: v{index}_{number}"
                               for number, field in enumerate(node.steps))  # fmt: skip
            lines.append(f"{indent}v{index} = {{{answer}}}")
            continue
        else:
            return None
        lines += _step_lines(step, str(index), read, names, indent)
    answer = ", ".join(f"{step.response_name!r}: v{index}" for index, step in enumerate(edge.steps))
    lines.append(f"{indent}append({{{answer}}})")
    # The general path reports whatever went wrong here, as in a plan.
    lines.append("    except Exception: return MISS")
    lines.append("    return answers")
    text = "\n".join(lines)
    exec(compile(text, f"<rows of {edge.object_type.name}>", "exec"), names)  # noqa: S102
    return names["complete"]  # type: ignore[no-any-return]


def _names_by_stored_value(
    step: Step, conversion: tuple[str, Any] | None
) -> tuple[str, dict[Any, Any]] | None:
    """For an enum column whose conversion makes members of stored values (`members`), and a
    step that names members (`exact`): the column and each stored value's answer, found in one
    lookup instead of the member's and then its name's."""
    if conversion is None:
        return None
    column, convert = conversion
    members = getattr(convert, "members", None)
    exact = getattr(step.complete, "exact", None)
    if not isinstance(members, dict) or not exact:
        return None
    named = {}
    for stored, member in members.items():
        if member is None:
            named[stored] = None
            continue
        quick = exact.get(type(member))
        if quick is None:
            return None
        # MISS for a member without a name: the general path answers it. Rows may hold the
        # member itself too (`enum_members`).
        named[stored] = named[member] = quick(member)
    return column, named


def _named_lines(
    step: Step, index: str, named: tuple[str, dict[Any, Any]], names: dict[str, Any], indent: str
) -> list[str]:
    """`_step_lines` for an enum column answered by `_names_by_stored_value`: a value no
    member has is MISS (the general path then makes the node, whose conversion refuses it)."""
    column, by_stored = named
    names[f"s{index}"] = by_stored
    value = f"v{index}"
    return [
        f"{indent}{value} = s{index}.get(row[{column!r}], MISS)",
        f"{indent}if {value} is MISS: return MISS",
        f"{indent}if {value} is None:",
        f"{indent}    pass" if step.nullable else f"{indent}    return MISS",
    ]


def _made_as(object_type: GraphQLObjectType, cls: type) -> bool:
    """Whether a fresh instance of `cls` (made with `object.__new__` and a `__dict__` of its
    fields, never cast) is one the type's plan accepts without asking anything of it."""
    return object_type.is_type_of is None or _own_class(object_type) is cls


def _data_descriptor(cls: type, name: str) -> bool:
    """Whether reading `name` on an instance of `cls` would not read its `__dict__`."""
    found = inspect.getattr_static(cls, name, None)
    kind = type(found)
    return hasattr(kind, "__get__") and (hasattr(kind, "__set__") or hasattr(kind, "__delete__"))


class _NoClass:
    """Matches no value's class (`type(source) is _NoClass` is never true)."""


# The `resolve_type` Strawberry gives an interface that defines none of its own.
STRAWBERRY_RESOLVE_TYPE = "_get_resolve_type.<locals>.resolve_type"


def complete_abstract(
    interface: GraphQLInterfaceType, plans: Mapping[GraphQLObjectType, Complete | None]
) -> Complete | None:
    """A value of an interface (`node(id:)` answers a Node), completed by the plan of the
    object type it is, as graphql-core finds that type: Strawberry's own `resolve_type` names
    the type of a value that is an instance of the interface's class and was not cast
    (`strawberry.cast`), from the value's class. Here only values whose class is exactly one
    possible type's own class (`_own_class`: no cast can hide in it but in its `__dict__`)
    have a plan; any other value, a cast one, or a type with no plan is MISS. None when the
    interface resolves its types otherwise, or no possible type has a plan."""
    if not getattr(interface.resolve_type, "__qualname__", "").endswith(STRAWBERRY_RESOLVE_TYPE):
        return None
    definition = (interface.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    origin = getattr(definition, "origin", None)
    if not isinstance(origin, type):
        return None
    by_class: dict[type, Complete] = {}
    for object_type, plan in plans.items():
        own = _own_class(object_type)
        if plan is not None and own is not _NoClass and issubclass(own, origin):
            by_class[own] = plan
    if not by_class:
        return None
    find = by_class.get

    def complete(value: Any) -> Any:
        plan = find(type(value))
        if plan is None or TYPE_CAST_ATTRIBUTE in value.__dict__:
            return MISS
        return plan(value)

    return complete


def _own_class(object_type: GraphQLObjectType) -> type:
    """The class whose uncast instances Strawberry's `is_type_of` for this type accepts
    without reading anything but the instance's `__dict__`: the type's origin, when its
    instances keep their attributes in a `__dict__`, it has no attribute of the cast's name
    and no hook that could answer one (`__getattr__`, its own `__getattribute__`), and it is
    not a generic's specialization. `_NoClass` otherwise: the call decides."""
    if not getattr(object_type.is_type_of, "__qualname__", "").endswith(STRAWBERRY_IS_TYPE_OF):
        return _NoClass
    definition = (object_type.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    origin = getattr(definition, "origin", None)
    if (
        not isinstance(origin, type)
        or getattr(definition, "concrete_of", None) is not None
        or origin.__dictoffset__ == 0
        or hasattr(origin, TYPE_CAST_ATTRIBUTE)
        or hasattr(origin, "__getattr__")
        or origin.__getattribute__ is not object.__getattribute__
    ):
        return _NoClass
    return origin


def type_name(name: str) -> Callable[[Any, str], Any]:
    def read(_source: Any, _attribute: str) -> str:
        return name

    read.typename = name  # type: ignore[attr-defined] # a constant to plans written from rows
    return read


def without_non_null(type_: GraphQLOutputType) -> GraphQLOutputType:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_

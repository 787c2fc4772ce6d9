"""Fast paths 16 and up: the per-call cost of moto's DynamoDB backend, not its results.

Installed with the other fast paths of :mod:`moto_runtime` (``patched(fast=True)``, listed in ``PATCHES``);
``tests/simulation/test_fast_path_parity.py`` checks that every example gives byte-identical ``--json`` output
with and without them, and ``tests/simulation/test_fast_calls.py`` the cases no example exercises (errors).

16. UpdateItem's expression validation. moto validates an update expression by running ten tree processors
    (``UpdateExpressionValidator``), each a recursive walk of a copy of the parsed expression:

    a. The first three (``ActionCountValidator``, ``OverlappingPathsValidator``, ``UpdateHashRangeKeyValidator``)
       read only the expression tree, the attribute names and the table's key attributes, change nothing and
       either pass or raise. Two of them act on every ``UpdateExpression`` node (every clause and action is
       one), each searching the whole tree again: most of the time of an UpdateItem. Here they run once per
       (parsed expression, names, key attributes) that passed; the same inputs pass again. Anything that
       raised is not remembered, so it raises again, the same way, every time.
    b. ``DepthFirstTraverser.traverse_node_recursively``: the same depth-first walk, the same hooks, the same
       replacement of processed nodes, but "is this a Node" and "which processor handles this node class"
       are answered once per class (moto asks ``isinstance`` of abstract base classes for every node and
       every processor). Processors that override the walk take moto's way.

17. UpdateItem's evaluation, for the shapes the handlers write: ``SET`` of top-level attributes to a value (``a =
    :v``, ``#n = :v``) or to ``if_not_exists(b, :zero) + :one``, ``ADD`` of a number or a set to a top-level
    attribute, ``REMOVE`` of top-level attributes and ``DELETE`` of a set's members from a top-level attribute (a
    set is changed in place, as moto's executors change it, and an emptied one removed). ``update_item`` asks
    ``UpdateExpressionValidator`` for a validated tree and hands it to ``UpdateExpressionExecutor``; here, for an
    expression of those shapes, a plan is read once from moto's own parsed tree (per expression, names and table
    schema) and, for each call, the plan is checked against the item and values for everything moto's ten
    processors and its executors could object to (an undefined name or value, a reserved word, a key attribute or an
    attribute of an index set, two actions on one attribute, an operand that is not a number, an empty set or one of
    another type, an attribute that does not exist, an item over moto's size limit). Only when nothing could go
    wrong is the plan applied: the same values (moto's ``DynamoType`` and its ``+``), set (or added) in the
    expression's order, then the removals, then the deletions, as moto's normalised tree does (the actions are on
    different attributes: only the order of new attributes could show, and only SET and ADD make them). Anything
    else, and every call that could fail, takes moto's way, which raises what it always raised.
18. botocore's JSON response parser (``BaseJSONParser._handle_structure``): the same members, in the same
    order, read under the same wire names, computed once per shape; a tagged union (DynamoDB's
    ``AttributeValue``, the most common structure of all) with its one member set parses that member alone,
    which is what the loop over every member finds. A union that is empty, has several members set or an
    unknown one takes botocore's way (its error or its "unknown member" answer).
19. moto's request ids (``MotoRandom.get_random_string``, 52 characters for every response): the same draws
    from moto's random generator (``choice`` is ``seq[_randbelow(len(seq))]``), so the same ids and the same
    state of the generator afterwards, without a method call per character: ``_randbelow(n)`` takes the top
    ``n.bit_length()`` bits of the generator's next 32-bit word, again while they are ``n`` or more, so the
    characters are the draws below ``n`` in the order drawn; the ``length`` words a string needs at least come
    from one ``getrandbits(32 * length)`` (the generator's next words, the first in the lowest bits), any more
    one by one (a generator with other ``getrandbits`` or ``_randbelow`` methods draws moto's way); a draw is the
    top 6 bits of a word (both pools have 52 or 62 characters), so the string is the words' top bytes translated
    through a table of 256 characters with the rejected draws taken out.
20. DynamoDB condition expressions: ``ConditionExpressionParser._lex_condition_expression`` splits the text
    into tokens with eight regular expressions per token, on every call (an UpdateItem lexes its condition
    twice). The tokens depend on the text alone: they are remembered per text (only what lexed without
    error) and handed out as fresh tokens (each with a new empty ``children`` list, as lexing makes them).
21. ``camelcase_to_underscores`` of the action name, in moto's ``BaseResponse.call_action`` for every request:
    a pure function of the name, remembered per name.
    Fast path 122: the same remembered function in ``moto.sqs.models``, ``moto.sns.models`` and ``moto.sns.responses``
    (``Queue.attributes`` converts every attribute name of a queue at every read, character by character).
22. moto's JSON request parser (``moto.core.parse.BaseJSONParser._parse_structure``), as fast path 18 for the
    response side: members and wire names listed once per shape; a dict with one key (every DynamoDB
    ``AttributeValue``) parses the member of that key alone, which is all the loop over every member finds.
(23 is in ``direct_calls``.)
24. ``find_clauses`` of an update-expression tree that fast path 12 parsed once and keeps (``UpdateExpressionParser
    .make`` per text; nobody changes such a tree): moto's ``update_item`` asks it for its name and value placeholders
    on every call. The clauses found in a kept tree are remembered per tree and clause types, and handed out as a
    new list of the same nodes. Any other tree (the validators' copies, which they change) is searched every time.
25. One condition expression, one parse per request: moto's response layer parses a ``ConditionExpression`` to check
    the placeholders it uses, then its backend parses the same text with the same name and value dicts to evaluate
    it (PutItem, UpdateItem, DeleteItem). The tree moto builds (``Op``/``Func`` objects, never changed once built)
    is kept, per thread, for the next parse of the same three objects (the same ``str`` and the very same dicts,
    which moto passes from one to the other untouched), once; any other parse runs as before.
(29 is in ``inline_states``; 30, 31, 33 and 35 in ``item_copies``.)
32. One condition expression, one parse per text, names and values: moto's parse depends on the text, the names and
    the values of the placeholders the text uses, nothing else (``Op``/``Func`` trees, never changed once built; the
    values only end up in its ``AttributeValue`` leaves). A parse that succeeds is made from a private deep copy of
    the values (so the tree shares nothing with any request or stored item) and kept per (text, names, the values
    it used, compared by type and value all the way down); a later parse of the same finds it, and reports the
    same names and placeholders found. A parse that fails (an undefined name or value, a syntax error, a reserved
    word), and any value that is not plain JSON-like data, takes moto's way: the same error every time.
34. Two regular expressions moto applies to every call: ``DynamoDBBackend.update_item`` takes the spaces around
    ``=``, ``+`` and ``-`` out of the update expression's text (``re.sub``, a pure function of the text: remembered
    per text), and ``BaseResponse._enrich_response`` looks for ``<RequestId>...</RequestId>`` in every answer's
    body to put the request id there, which for a text without ``<RequestId>`` (every JSON answer) cannot match:
    such a body is returned as it is. Both modules see ``re`` with that one function changed.
(55 and 56 are in ``json_answers``.)
102. A request id (``gen_amzn_requestid_long`` in ``moto.core.responses``, for every answer): without its import
    statement (``from moto.moto_api._internal import mock_random`` runs the package's ``_handle_fromlist`` in Python
    on every call; the generator is read where that import finds it), and fast path 19's draws with both pools and
    their tables made once and the draws still missing after the first block taken as one block too (each of them is
    drawn whatever it gives, so the generator's words are the same, in the same order, and no more).
64. ``DynamoType.__init__`` (about 600 per happy order: every key looked up, every value planned or compared): for a
    plain dict with one key, moto takes its first key and first value through two lists and asks ``is_list`` and
    ``is_map``; here a ``DynamoType`` (not a subclass) built from such a dict of any type but ``L`` and ``M`` takes that
    key and value directly. Lists, maps, other dicts and copies of a ``DynamoType`` take moto's way.
62. A condition expression seen before with other values (fast path 32 keeps a parse per text, names and values: a
    version number, an instant or a token in the values makes every call a new parse): moto's parse builds a syntax
    tree that depends on the text and the names only (the values are looked up by placeholder, in ``_parse_paths``,
    into the leaves of placeholders; nothing else reads them), then the condition from that tree. The tree of the
    first parse per text and names is kept, without its values, and a later call with every placeholder it uses
    present gets moto's ``_make_op_condition`` of that tree with its own values in those leaves (not kept: its values
    are the request's, as in moto's parse); a call whose condition fails to build parses moto's way, raising what moto
    raises.
91. A condition built again with other values (fast path 62): the tree kept per text and names was copied node by node
    with the call's values in its placeholders' leaves (``_bind``: a namedtuple ``_replace`` per node), and moto's
    ``_make_op_condition`` then built every ``Op``, ``Func`` and operand of it again. Now the kept tree is compiled
    once: each part holding no value placeholder is built once by moto's own ``_make_op_condition`` or
    ``_make_operand`` and shared (moto's condition objects keep what they were built with and change nothing when
    evaluated; fast path 32 shares whole conditions so), and the parts holding one are built per call by the same
    constructors moto's builder calls, in the same nesting, each placeholder's ``AttributeValue`` from the call's
    values. A call whose condition fails to build parses moto's way, as in 62; a node kind the compiler does not know
    keeps 62's way.
58. ``DynamoType.cast_value``, ``__hash__`` and ``__eq__``: every look-up of an item by key hashes and compares its
    key values (a table's items are dicts keyed by them), and moto's ``cast_value`` asks five questions (number, set,
    list, map, null: a method call each) before it answers a string, binary or boolean value with the value itself.
    Here a ``DynamoType`` (not a subclass) of type ``S``, ``B`` or ``BOOL`` answers with its value at once, ``N`` with
    its ``Decimal``, and hashes and compares through them directly; every other type, and any comparison with a value
    that is not a ``DynamoType``, takes moto's way.
57. ``DynamoHandler.dynamodb_backend``, read two or three times by every DynamoDB request: ``dynamodb_backends[account]
    [region]`` goes through ``BackendDict.__getitem__`` (moto's backend lock, a list of the accounts, the registration
    check that compares the ``BackendDict`` with every registered one through its Python ``__eq__``) and
    ``AccountSpecificBackend.__getitem__`` (a look at its keys). As fast path 43 does for IAM, a backend that is there
    (its account and region in the dicts, the ``BackendDict`` registered) is read from the dicts directly: what moto's
    ``__getitem__`` returns, since it only creates and registers what is missing; anything missing, and the region
    name ``global``, take moto's way.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import random
import re
import string
import threading
import types
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from botocore.parsers import BaseJSONParser
from moto.core import responses as moto_responses
from moto.core.base_backend import BackendDict
from moto.core.parse import BaseJSONParser as MotoJSONParser
from moto.core.utils import camelcase_to_underscores
from moto.dynamodb import comparisons as dynamodb_comparisons
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb import responses as dynamodb_responses
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.parsing import ast_nodes as _ast_nodes
from moto.dynamodb.parsing import executors as dynamodb_executors
from moto.dynamodb.parsing import validators as dynamodb_validators
from moto.moto_api import _internal as moto_api_internal
from moto.moto_api._internal.moto_random import MotoRandom
from moto.sns import models as sns_models
from moto.sns import responses as sns_responses
from moto.sqs import models as sqs_models

from outreach.simulator import item_copies, key_conditions

ast_nodes: Any = _ast_nodes  # an untyped module (``# type: ignore`` at its top)
DepthFirstTraverser = ast_nodes.DepthFirstTraverser
Node = ast_nodes.Node


# -- fast path 16a: the expression-only validators, once per expression ---------------------------------
_EXPRESSION_ONLY = (
    dynamodb_validators.ActionCountValidator,
    dynamodb_validators.OverlappingPathsValidator,
    dynamodb_validators.UpdateHashRangeKeyValidator,
)
_passed: set[tuple[Any, ...]] = set()  # (parsed expression, names, key attributes) the three accepted


def _validator_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _original_validator_init(self, *args, **kwargs)
    self._sim_source = args[0] if args else kwargs.get("expression")  # the tree before moto's copy


def _validate(self: Any) -> Any:
    """``Validator.validate``: the processors in moto's order, the first three skipped where they passed."""
    source = getattr(self, "_sim_source", None)
    processors = self.processors
    names = self.expression_attribute_names
    if (
        type(self) is not dynamodb_validators.UpdateExpressionValidator
        or source is None
        or not isinstance(names, dict | None)
        or tuple(type(p) for p in processors[: len(_EXPRESSION_ONLY)]) != _EXPRESSION_ONLY
    ):
        return _original_validate(self)
    key = (source, tuple(sorted(names.items())) if names else (), tuple(self.table.table_key_attrs))
    skip = len(_EXPRESSION_ONLY) if key in _passed else 0
    node = self.node_to_validate
    for position, processor in enumerate(processors[skip:], start=skip):
        node = processor.traverse(node)
        if position == len(_EXPRESSION_ONLY) - 1:
            _passed.add(key)
    return node


# -- fast path 16b: the tree walk, with the class tests answered once per class --------------------------
_is_node: dict[type, bool] = {}
_handled_by: dict[tuple[type, type], Any] = {}  # (processor class, node class) -> its processing-map key


def _node_class(kind: type) -> bool:
    known = _is_node.get(kind)
    if known is None:
        known = _is_node[kind] = issubclass(kind, Node)
    return known


def _handler_key(processor: Any, kind: type) -> Any:
    """The ``_processing_map`` key moto's ``process`` would pick for a node of class ``kind`` (None: the node
    is not processed). ``nodes_to_be_processed`` is the map's keys, and ``process`` takes the first key the
    node is an instance of: for one class, that is always the same key."""
    cache_key = (type(processor), kind)
    try:
        return _handled_by[cache_key]
    except KeyError:
        pass
    found = None
    if issubclass(kind, processor.nodes_to_be_processed()):
        found = next(k for k in processor._processing_map() if issubclass(kind, k))
    _handled_by[cache_key] = found
    return found


_OWN_WALK = ("nodes_to_be_processed", "process", "traverse_node_recursively")


def _walks_the_default_way(cls: type) -> bool:
    """True when the processor class leaves moto's walk alone (it only brings a ``_processing_map`` and hooks)."""
    return all(getattr(cls, name) is getattr(DepthFirstTraverser, name) for name in _OWN_WALK)


_default_walk: dict[type, bool] = {}


def _traverse_node_recursively(self: Any, node: Any, child_id: int = -1) -> Any:
    cls = type(self)
    default = _default_walk.get(cls)
    if default is None:
        default = _default_walk[cls] = _walks_the_default_way(cls)
    if not default:
        return _original_traverse(self, node, child_id)
    hook = None if cls.pre_processing_of_child is DepthFirstTraverser.pre_processing_of_child else self
    return _walk(self, hook, node, child_id)


def _walk(processor: Any, hook: Any, node: Any, child_id: int) -> Any:
    kind = type(node)
    if not _node_class(kind):
        return node
    parent_node = node.parent
    children = node.children
    if children is not None:
        for i, child_node in enumerate(children):
            if hook is not None:
                hook.pre_processing_of_child(node, i)
            _walk(processor, hook, child_node, i)
    key = _handler_key(processor, kind)
    if key is not None:
        node = processor._processing_map()[key](node)
        node.parent = parent_node
        if parent_node:
            parent_node.children[child_id] = node
    return node


# -- fast path 17: UpdateItem's SET/REMOVE of top-level attributes, planned once, applied directly ----------
@dataclass(frozen=True)
class _Set:
    name: str
    value: str  # placeholder of the value
    # (attribute, placeholder of its default or "" for ADD's 0, placeholder to add): the attribute's number plus
    # the value, as moto's ExecuteOperations (``if_not_exists(a, :d) + :v``) and AddExecutor (``ADD a :v``) add
    if_absent: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class _Plan:
    sets: tuple[_Set, ...]
    removes: tuple[str, ...]
    deletes: tuple[tuple[str, str], ...] = ()  # (attribute, placeholder of the set to take out of it)


_plans: dict[tuple[Any, ...], _Plan | None] = {}
_ITEM_LIMIT = 405000  # moto's LimitedSizeDict


def _attribute(path: Any, names: dict[str, str]) -> str | None:
    """The top-level attribute a one-element path names, resolved as moto resolves it (None: anything else)."""
    if type(path) is not ast_nodes.UpdateExpressionPath or len(path.children) != 1:
        return None
    element = path.children[0]
    if type(element) is ast_nodes.ExpressionAttributeName:
        return names.get(element.get_attribute_name_placeholder())
    if type(element) is ast_nodes.ExpressionAttribute:
        name = element.get_attribute_name()
        if name.upper() in dynamodb_validators.ReservedKeywords.get_reserved_keywords():
            return None  # moto raises AttributeIsReservedKeyword
        return name  # type: ignore[no-any-return]
    return None


def _value_placeholder(node: Any) -> str | None:
    return node.get_value_name() if type(node) is ast_nodes.ExpressionAttributeValue else None  # type: ignore[no-any-return]


def _make_plan(tree: Any, names: dict[str, str], table: Any) -> _Plan | None:
    try:  # moto's structural validators on its own (unchanged) tree: anything they reject takes moto's way
        for validator in (
            dynamodb_validators.ActionCountValidator(),
            dynamodb_validators.OverlappingPathsValidator(names),
            dynamodb_validators.UpdateHashRangeKeyValidator(table.table_key_attrs, names),
        ):
            _original_traverse(validator, tree)
    except Exception:
        return None
    # moto's type and empty-key checks of a SET compare the path's first token (a placeholder stays a placeholder) with
    # the attribute definitions and the key attributes of the table and its indexes
    guarded = {d["AttributeName"] for d in table.attr} | set(table.attribute_keys)
    sets: list[_Set] = []
    removes: list[str] = []
    deletes: list[tuple[str, str]] = []
    actions = tree.find_clauses(
        [
            ast_nodes.UpdateExpressionSetAction,
            ast_nodes.UpdateExpressionAddAction,
            ast_nodes.UpdateExpressionRemoveAction,
            ast_nodes.UpdateExpressionDeleteAction,
        ]
    )
    for action in actions:
        target = _attribute(action.children[0], names)
        token = action.children[0].children[0].children[0]  # what moto's type and empty-key checks compare
        if target is None:
            return None
        if type(action) is ast_nodes.UpdateExpressionRemoveAction and len(action.children) == 1:
            removes.append(target)
            continue
        if type(action) is ast_nodes.UpdateExpressionAddAction and len(action.children) == 2:
            addend = _value_placeholder(action.children[1])
            if addend is None:
                return None
            sets.append(_Set(target, addend, (target, "", addend)))  # ADD n :v: n = (n or 0) + :v, or a set's union
            continue
        if type(action) is ast_nodes.UpdateExpressionDeleteAction and len(action.children) == 2:
            removed = _value_placeholder(action.children[1])
            if removed is None:
                return None
            deletes.append((target, removed))  # DELETE s :v: the members of :v taken out of the set s
            continue
        if type(action) is not ast_nodes.UpdateExpressionSetAction or len(action.children) != 2 or token in guarded:
            return None
        value = action.children[1]
        if type(value) is not ast_nodes.UpdateExpressionValue:
            return None
        parts = value.children
        if len(parts) == 1 and _value_placeholder(parts[0]) is not None:
            sets.append(_Set(target, _value_placeholder(parts[0])))  # type: ignore[arg-type]
            continue
        if (
            len(parts) == 3
            and type(parts[0]) is ast_nodes.UpdateExpressionFunction
            and parts[0].get_function_name() == "if_not_exists"
            and len(parts[0].children) == 3
            and type(parts[1]) is ast_nodes.ExpressionValueOperator
            and parts[1].get_operator() == "+"
        ):
            source = _attribute(parts[0].get_nth_argument(1), names)
            default = _value_placeholder(parts[0].get_nth_argument(2))
            addend = _value_placeholder(parts[2])
            if source is not None and default is not None and addend is not None:
                sets.append(_Set(target, addend, (source, default, addend)))
                continue
        return None
    every = [s.name for s in sets] + removes + [name for name, _ in deletes]
    if len(set(every)) != len(every):
        return None  # moto raises DuplicateUpdateExpression (or acts on overlapping paths)
    return _Plan(tuple(sets), tuple(removes), tuple(deletes))


class _Planned:
    """What ``UpdateExpressionValidator(...)`` returns for a planned update: ``validate()`` has checked the item
    and values (nothing can fail), ``normalize()`` has nothing to do; ``_execute`` applies the values."""

    def __init__(
        self,
        values: list[tuple[str, DynamoType, DynamoType | None]],
        removes: tuple[str, ...],
        deletes: list[tuple[str, DynamoType]],
    ) -> None:
        self.values = values  # (attribute, its new value, the set ADD merges into it in place, or None)
        self.removes = removes
        self.deletes = deletes  # (attribute, the set DELETE takes out of it in place)

    def validate(self) -> _Planned:
        return self

    def normalize(self) -> None:
        return None


def _update_validator(expression: Any, **kwargs: Any) -> Any:
    """``UpdateExpressionValidator(...)`` as ``DynamoDBBackend.update_item`` calls it."""
    planned = _planned(expression, **kwargs)
    return planned if planned is not None else dynamodb_validators.UpdateExpressionValidator(expression, **kwargs)


def _planned(
    expression: Any,
    expression_attribute_names: dict[str, str] | None = None,
    expression_attribute_values: dict[str, Any] | None = None,
    item: Item | None = None,
    table: Any = None,
) -> _Planned | None:
    names = expression_attribute_names or {}
    values = expression_attribute_values
    if not isinstance(names, dict) or not isinstance(values, dict | None) or item is None or table is None:
        return None
    schema = (
        tuple(table.table_key_attrs),
        tuple((d.get("AttributeName"), d.get("AttributeType")) for d in table.attr),
        tuple(table.attribute_keys),
    )
    key = (expression, tuple(sorted(names.items())), schema)
    if key not in _plans:
        _plans[key] = _make_plan(expression, names, table)
    plan = _plans[key]
    if plan is None:
        return None
    values = values or {}
    try:
        new: list[tuple[str, DynamoType, DynamoType | None]] = []
        for action in plan.sets:
            if action.if_absent is None:
                new.append((action.name, DynamoType(values[action.value]), None))
                continue
            source, default, addend = action.if_absent
            # if_not_exists(source, :default) + :addend reads :default whether used or not (as moto reads every
            # value of the expression); ADD starts a missing number at 0 (moto's AddExecutor)
            fallback = DynamoType(values[default]) if default else DynamoType({"N": "0"})
            right = DynamoType(values[addend])
            if not default and right.is_set():  # ADD s :set: moto's AddExecutor appends the new members in place
                current = item.attrs.get(source)
                if not right.value or (current is not None and current.type != right.type):
                    return None  # moto raises for an empty set, IncorrectDataType for another type
                merged = list(current.value) if current is not None else []
                for member in right.value:
                    if member not in merged:
                        merged.append(member)
                new.append((action.name, DynamoType({right.type: merged}), right))
                continue
            left = item.attrs.get(source, fallback)
            if left.type != "N" or right.type != "N":
                return None  # moto raises IncorrectOperandType
            new.append((action.name, left + right, None))
        deletes: list[tuple[str, DynamoType]] = []
        for name, placeholder in plan.deletes:
            removed = DynamoType(values[placeholder])
            current = item.attrs.get(name)
            if not removed.is_set() or (current is not None and current.type != removed.type):
                return None  # moto raises IncorrectOperandType, or IncorrectDataType
            deletes.append((name, removed))
    except Exception:
        return None  # an undefined value, or one moto cannot read: moto's way raises what it raises
    current = item_copies.attrs_size(item.attrs)  # fast path 59
    if current is None:
        current = sum(
            v.size() if type(v) is DynamoType else bytesize(str(v))
            for v in (list(item.attrs) + list(item.attrs.values()))
        )
    if current + sum(bytesize(name) + value.size() for name, value, _ in new) > _ITEM_LIMIT:
        return None  # moto might raise ItemSizeToUpdateTooLarge part-way
    return _Planned(new, plan.removes, deletes)


def _update_executor(update_ast: Any, item: Item, expression_attribute_names: dict[str, str]) -> Any:
    """``UpdateExpressionExecutor(...)`` as ``update_item`` calls it: a planned update is applied directly."""
    if isinstance(update_ast, _Planned):
        return _PlannedExecution(update_ast, item)
    return dynamodb_executors.UpdateExpressionExecutor(update_ast, item, expression_attribute_names)


@dataclass
class _PlannedExecution:
    planned: _Planned
    item: Item

    def execute(self) -> None:
        attrs = self.item.attrs
        for name, value, added in self.planned.values:
            if added is None:
                dict.__setitem__(attrs, name, value)  # moto's size check per set: proven to pass (see _planned)
                continue
            current = attrs.get(name)  # ADD of a set, in place as moto's AddExecutor (a new set starts empty)
            if current is None:
                current = DynamoType({added.type: []})
                dict.__setitem__(attrs, name, current)
            for member in added.value:
                if member not in current.value:
                    current.value.append(member)
        for name in self.planned.removes:
            attrs.pop(name, None)
        for name, removed in self.planned.deletes:  # in place as moto's DeleteExecutor; an emptied set goes
            current = attrs.get(name)
            if current is None:
                continue
            for member in removed.value:
                with contextlib.suppress(KeyError, ValueError):
                    current.value.remove(member)
            if not current.value:
                del attrs[name]


# -- fast path 18: botocore's JSON structures, members listed once per shape -------------------------------
_json_members: dict[int, tuple[Any, list[tuple[str, Any, str]], dict[str, tuple[str, Any]]]] = {}


def _members_of(shape: Any) -> tuple[list[tuple[str, Any, str]], dict[str, tuple[str, Any]]]:
    """A structure shape's members as (name, member, wire name), and by wire name: listed once per shape."""
    known = _json_members.get(id(shape))
    if known is None or known[0] is not shape:
        members = [(name, member, member.serialization.get("name", name)) for name, member in shape.members.items()]
        known = _json_members[id(shape)] = (shape, members, {wire: (name, member) for name, member, wire in members})
    return known[1], known[2]


def _json_structure(self: Any, shape: Any, value: Any) -> Any:
    if shape.is_document_type:
        return value
    if value is None:
        return None
    members, by_wire = _members_of(shape)
    if shape.is_tagged_union:
        present = [key for key, item in value.items() if key != "__type" and item is not None]
        if len(present) != 1 or present[0] not in by_wire:
            return _original_json_structure(self, shape, value)  # botocore's error, or its unknown-member answer
        name, member = by_wire[present[0]]
        return {name: self._parse_shape(member, value[present[0]])}
    parsed = {}
    for name, member, wire in members:
        raw = value.get(wire)
        if raw is not None:
            parsed[name] = self._parse_shape(member, raw)
    return parsed


# -- fast path 19: moto's request ids, the same draws without a call per character ---------------------------
def _random_string(self: Any, length: int = 20, include_digits: bool = True, lower_case: bool = False) -> str:
    pool, table = (
        _POOL_WITH_DIGITS
        if include_digits is True
        else _POOL_OF_LETTERS
        if include_digits is False
        else _pool(include_digits)
    )
    size = len(pool)
    if (
        type(self).getrandbits is not _GETRANDBITS
        or type(self)._randbelow is not _RANDBELOW
        or "_randbelow" in self.__dict__
        or length <= 0
    ):
        below = self._randbelow
        random_str = "".join([pool[below(size)] for _ in range(length)])
    else:
        # the characters are the draws below ``size`` in the order drawn: the next ``length`` words at once (the
        # first in the lowest bits), then (fast path 102) as many words at once as characters are still missing, since
        # every one of them is drawn whatever each gives; a draw is the top ``size.bit_length()`` bits of a word, in
        # the top byte of its four (little-endian)
        missing = length
        chars = []
        while missing:
            block = self.getrandbits(32 * missing).to_bytes(4 * missing, "little")
            drawn = block[3::4].translate(table).replace(b"\0", b"")
            chars.append(drawn.decode("ascii"))
            missing -= len(drawn)
        random_str = chars[0] if len(chars) == 1 else "".join(chars)
    return random_str.lower() if lower_case else random_str


def _pool(include_digits: Any) -> tuple[str, bytes]:
    """The pool ``get_random_string`` draws from, and its table of draws (``_draw_table``)."""
    pool = string.ascii_letters + (string.digits if include_digits else "")
    return pool, _draw_table(pool)


@functools.lru_cache(maxsize=4)
def _draw_table(pool: str) -> bytes:
    """Top byte of a word -> its draw's character in ``pool``, or NUL for a rejected draw."""
    shift = 8 - len(pool).bit_length()
    return bytes(ord(pool[b >> shift]) if (b >> shift) < len(pool) else 0 for b in range(256))


#: fast path 102: both pools and their tables made once (moto joins the pool again for every string)
_POOL_WITH_DIGITS = _pool(True)
_POOL_OF_LETTERS = _pool(False)
_GETRANDBITS = random.Random.getrandbits


def _request_id(headerdict: dict[str, Any] | None = None) -> str:
    """Fast path 102: ``gen_amzn_requestid_long`` as ``BaseResponse._enrich_response`` calls it for every answer, the
    same draw from the same generator (``mock_random``, read where moto's own import finds it) without the import
    statement it runs on every call (``from moto.moto_api._internal import mock_random``: the package's
    ``_handle_fromlist`` in Python each time)."""
    req_id: str = moto_api_internal.mock_random.get_random_string(length=52)
    if headerdict is not None and isinstance(headerdict, dict):
        headerdict.update({"x-amzn-requestid": req_id})
    return req_id


_RANDBELOW = random.Random._randbelow_with_getrandbits  # type: ignore[attr-defined]


# -- fast path 22: moto's JSON request structures, members listed once per shape -------------------------
def _request_structure(self: Any, shape: Any, value: Any) -> Any:
    if shape.is_document_type:
        return value
    if value is None:
        return None
    members, by_wire = _members_of(shape)
    parsed = self.MAP_TYPE()
    if type(value) is dict and len(value) == 1:
        ((wire, raw),) = value.items()
        if wire in by_wire and raw is not None:
            name, member = by_wire[wire]
            parsed[name] = self._parse_shape(member, raw)
        return parsed
    for name, member, wire in members:
        raw = value.get(wire)
        if raw is not None:
            parsed[name] = self._parse_shape(member, raw)
    return parsed


# -- fast path 20: condition expressions lexed once per text --------------------------------------------
_lexed: dict[str, tuple[Any, ...]] = {}


def _lex_condition(self: Any) -> deque[Any]:
    text = self.condition_expression
    tokens = _lexed.get(text)
    if tokens is None:
        tokens = _lexed[text] = tuple(_original_lex(self))
    return deque(token._replace(children=[]) for token in tokens)


# -- fast path 24: the clauses of a kept update-expression tree, found once ----------------------------------
_kept_trees: dict[int, Any] = {}  # id -> a tree fast path 12 keeps for its text (never changed)
_clauses: dict[tuple[int, tuple[type, ...]], tuple[Any, tuple[Any, ...]]] = {}


def keep_tree(tree: Any) -> None:
    """Called by fast path 12 for every tree it keeps per expression text."""
    _kept_trees[id(tree)] = tree


def _find_clauses(self: Any, clause_types: list[type]) -> list[Any]:
    if _kept_trees.get(id(self)) is not self:
        return _original_find_clauses(self, clause_types)  # type: ignore[no-any-return]
    key = (id(self), tuple(clause_types))
    known = _clauses.get(key)
    if known is None:
        known = _clauses[key] = (self, tuple(_original_find_clauses(self, clause_types)))
    return list(known[1])


# -- fast path 25: a condition expression parsed once per request ------------------------------------------
_last_condition = threading.local()


def _parse_condition(self: Any) -> Any:
    inputs = (self.condition_expression, self.expression_attribute_names, self.expression_attribute_values)
    last = getattr(_last_condition, "parsed", None)
    _last_condition.parsed = None
    if last is not None and all(a is b for a, b in zip(last[0], inputs, strict=True)):
        return last[1]  # the backend's parse of what the response layer just parsed: the same (immutable) tree
    op = _parse_condition_once(self)
    if self.condition_expression:
        _last_condition.parsed = (inputs, op)
    return op


# -- fast path 32: a condition expression parsed once per text, names and values --------------------------------
class _NotPlain(Exception):
    """A value fast path 32 does not compare (not a dict, list, str, bytes, bool, int, float or None)."""


_PLAIN = (str, bytes, bool, int, float, type(None))
_CONDITIONS_KEPT = 20_000  # forgotten all at once past this many (a long run's versions and instants)
_placeholders: dict[tuple[Any, ...], tuple[str, ...]] = {}  # (text, names) -> the values its parse looks up
_conditions: dict[tuple[Any, ...], tuple[Any, tuple[str, ...], tuple[str, ...]]] = {}  # -> (op, names, values found)


def _frozen(value: Any) -> Any:
    """``value`` as a hashable key, equal only for values of the same types and contents all the way down."""
    kind = type(value)
    if kind is dict:
        return (dict, tuple((k, _frozen(v)) for k, v in value.items()))
    if kind is list:
        return (list, tuple(_frozen(v) for v in value))
    if kind in _PLAIN:
        return (kind, value)
    raise _NotPlain


def _parse_condition_once(self: Any) -> Any:
    text, names, values = self.condition_expression, self.expression_attribute_names, self.expression_attribute_values
    if (
        type(self) is not ConditionExpressionParser
        or not text
        or type(names) not in (dict, type(None))
        or type(values) not in (dict, type(None))
    ):
        return _original_parse_condition(self)
    try:
        shape = (text, _frozen(names))
    except _NotPlain:
        return _original_parse_condition(self)
    used = _placeholders.get(shape)
    key: tuple[Any, ...] | None = None
    if used is not None:
        try:
            key = (shape, tuple(_frozen(values[name]) for name in used))  # type: ignore[index]
        except (KeyError, TypeError, _NotPlain):
            return _original_parse_condition(self)  # moto's error, or a value not compared here
        kept = _conditions.get(key)
        if kept is not None:
            op, names_found, values_found = kept
            self.expr_attr_names_found.extend(names_found)
            self.expr_attr_values_found.extend(values_found)
            return op
        skeleton = _skeletons.get(shape)
        if skeleton is not None:  # fast path 62: the tree of this text and names, these values in its leaves
            tree, names_found, values_found, build = skeleton
            try:  # fast path 91: only the parts holding a value built per call
                op = build(values) if build is not None else self._make_op_condition(_bind(tree, values))
            except Exception:
                return _original_parse_condition(self)  # raises what moto raises, with moto's side effects
            self.expr_attr_names_found.extend(names_found)
            self.expr_attr_values_found.extend(values_found)
            return op
    private = ConditionExpressionParser(text, names, copy.deepcopy(values))
    try:
        tree, op = _parse_keeping_tree(private)
    except Exception:
        return _original_parse_condition(self)  # raises what moto raises, with moto's side effects
    used = tuple(dict.fromkeys(private.expr_attr_values_found))
    try:
        key = (shape, tuple(_frozen(values[name]) for name in used))  # type: ignore[index]
    except (KeyError, TypeError, _NotPlain):
        return _original_parse_condition(self)
    if len(_conditions) >= _CONDITIONS_KEPT:
        _conditions.clear()
    if len(_skeletons) >= _CONDITIONS_KEPT:  # shapes are the code's own texts: bounded too, for any other caller
        _skeletons.clear()
        _placeholders.clear()
    _placeholders[shape] = used
    _conditions[key] = (op, tuple(private.expr_attr_names_found), tuple(private.expr_attr_values_found))
    skeleton_tree = _bind(tree, None)
    _skeletons[shape] = (skeleton_tree, _conditions[key][1], _conditions[key][2], _compiled(private, skeleton_tree))
    self.expr_attr_names_found.extend(private.expr_attr_names_found)
    self.expr_attr_values_found.extend(private.expr_attr_values_found)
    return op


# -- fast path 62: a condition's tree per text and names, the values bound per call --------------------------------
#: shape -> (tree, names, values, fast path 91's build of its condition from values or None)
_skeletons: dict[tuple[Any, ...], tuple[Any, tuple[str, ...], tuple[str, ...], Any]] = {}
_VALUE = ConditionExpressionParser.Kind.EXPRESSION_ATTRIBUTE_VALUE


def _parse_keeping_tree(parser: ConditionExpressionParser) -> tuple[Any, Any]:
    """``ConditionExpressionParser.parse`` of a non-empty expression, step for step, also answering the syntax tree it
    builds the condition from."""
    nodes = parser._lex_condition_expression()
    nodes = parser._parse_paths(nodes)
    nodes = parser._apply_functions(nodes)
    nodes = parser._apply_comparator(nodes)
    nodes = parser._apply_in(nodes)
    nodes = parser._apply_between(nodes)
    nodes = parser._apply_parens_and_booleans(nodes)
    node = nodes[0]
    parser._assert_no_redundant_parentheses(node)
    parser.expr_attr_names_found.extend(parser._find_literals(node))
    parser.expr_attr_values_found.extend(parser._find_expr_attr_values(node))
    return node, parser._make_op_condition(node)


def _bind(node: Any, values: dict[str, Any] | None) -> Any:
    """The syntax tree with each value placeholder's node holding ``values[placeholder]`` (None: nothing)."""
    if node.kind == _VALUE:
        return node._replace(value=None if values is None else values[node.text])
    if not node.children:
        return node
    return node._replace(children=[_bind(child, values) for child in node.children])


# -- fast path 91: a condition built from its tree with only the parts holding a value built per call --------------
class _NotCompiled(Exception):
    """A node fast path 91 leaves to fast path 62's way (a kind ``_make_op_condition`` does not know)."""


def _holds_value(node: Any) -> bool:
    return bool(node.kind == _VALUE or any(_holds_value(child) for child in node.children))


def _compiled(parser: Any, tree: Any) -> Any:
    """``lambda values: parser._make_op_condition(_bind(tree, values))``, with every part of the condition that holds no
    value placeholder built once by moto's own ``_make_op_condition``/``_make_operand`` (moto's ``Op``, ``Func`` and
    operand objects keep what they were built with and change nothing when evaluated: fast path 32 shares whole
    conditions so) and the rest built per call by the same constructors, in the same nesting (None: a kind this does
    not know; fast path 62's way)."""
    try:
        constant, made = _compile_condition(parser, tree)
    except _NotCompiled:
        return None
    return (lambda values: made) if constant else made


def _compile_condition(parser: Any, node: Any) -> tuple[bool, Any]:
    """(True, the condition) for a node holding no value, (False, its build from values) otherwise."""
    if not _holds_value(node):
        return True, parser._make_op_condition(node)
    kind, children = node.kind, node.children
    known = parser.Kind
    op: Any
    parts: list[tuple[bool, Any]]
    if kind == known.PARENTHESES:
        return _compile_condition(parser, children[0])
    if kind == known.OR or kind == known.AND:
        op = dynamodb_comparisons.OpOr if kind == known.OR else dynamodb_comparisons.OpAnd
        parts = [_compile_condition(parser, child) for child in children]
    elif kind == known.NOT:
        op = dynamodb_comparisons.OpNot
        parts = [_compile_condition(parser, children[0])]
    elif kind == known.FUNCTION:
        op = dynamodb_comparisons.FUNC_CLASS[children[0].value]
        parts = [_compile_operand(parser, child) for child in children[1:]]
    elif kind == known.BETWEEN:
        op = dynamodb_comparisons.FuncBetween
        parts = [_compile_operand(parser, child) for child in children]
    elif kind == known.IN:
        op = dynamodb_comparisons.FuncIn
        parts = [_compile_operand(parser, child) for child in children]
    elif kind == known.COMPARISON:
        op = dynamodb_comparisons.COMPARATOR_CLASS[children[1].value]
        parts = [_compile_operand(parser, children[0]), _compile_operand(parser, children[2])]
    else:
        raise _NotCompiled(kind)
    return False, _builder(op, parts)


def _compile_operand(parser: Any, node: Any) -> tuple[bool, Any]:
    """(True, the operand) for an operand holding no value, (False, its build from values) otherwise."""
    if not _holds_value(node):
        return True, parser._make_operand(node)
    if node.kind == _VALUE:
        placeholder = node.text
        return False, lambda values: dynamodb_comparisons.AttributeValue(values[placeholder])
    if node.kind == parser.Kind.FUNCTION:  # size(:v)
        return False, _builder(
            dynamodb_comparisons.FUNC_CLASS[node.children[0].value],
            [_compile_operand(parser, child) for child in node.children[1:]],
        )
    raise _NotCompiled(node.kind)


def _builder(op: Any, parts: list[tuple[bool, Any]]) -> Any:
    def build(values: Any) -> Any:
        return op(*[made if constant else made(values) for constant, made in parts])

    return build


# -- fast path 34: two regular expressions per call ---------------------------------------------------------------
_sub_once = functools.lru_cache(maxsize=1024)(re.sub)
_REQUEST_ID_IN_XML = r"(?<=<RequestId>).*(?=<\/RequestId>)"  # moto.core.responses.BaseResponse._enrich_response


def _module_with(module: types.ModuleType, **changes: Any) -> types.ModuleType:
    """A copy of ``module`` with ``changes``, for one importer to see in its place."""
    changed = types.ModuleType(module.__name__, module.__doc__)
    changed.__dict__.update(module.__dict__)
    changed.__dict__.update(changes)
    return changed


def _sub_remembered(pattern: Any, repl: Any, string: Any, count: int = 0, flags: int = 0) -> Any:
    if type(pattern) is str and type(repl) is str and type(string) is str:
        return _sub_once(pattern, repl, string, count, flags)
    return re.sub(pattern, repl, string, count=count, flags=flags)


def _sub_request_id(pattern: Any, repl: Any, string: Any, count: int = 0, flags: int = 0) -> Any:
    if pattern == _REQUEST_ID_IN_XML and type(string) is str and "<RequestId>" not in string:
        return string  # a match needs "<RequestId>" right before it
    return re.sub(pattern, repl, string, count=count, flags=flags)


# -- fast path 57: the DynamoDB backend of a request, read from moto's dicts ----------------------------------------
def _dynamodb_backend(self: Any) -> Any:
    """``DynamoHandler.dynamodb_backend``: ``dynamodb_backends[self.current_account][self.region]``."""
    backends = dynamodb_responses.dynamodb_backends
    region = self.region
    account = dict.get(backends, self.current_account)
    registered: list[Any] = BackendDict._instances  # type: ignore[misc]
    if account is not None and region != "global":
        for known in registered:  # (a loop: a generator in any() costs a frame and its close per call)
            if known is backends:
                backend = dict.get(account, region)
                if backend is not None:
                    return backend
                break
    return _original_dynamodb_backend(self)


# -- fast path 58: DynamoType's cast value, hash and equality for scalar values -------------------------------------
_PLAIN_CAST = frozenset(("S", "B", "BOOL"))  # cast_value is the value itself (not N, a set, list, map or NULL)


def _cast_value(self: DynamoType) -> Any:
    if type(self) is DynamoType:
        kind = self.type
        if kind in _PLAIN_CAST:
            return self.value
        if kind == "N":
            return Decimal(self.value)
    return _original_cast_value(self)


def _hash(self: DynamoType) -> int:
    kind = self.type
    if kind in _PLAIN_CAST and type(self) is DynamoType:
        return hash((kind, self.value))
    return hash((kind, self.cast_value))


def _eq(self: DynamoType, other: Any) -> bool:
    kind = self.type
    if kind in _PLAIN_CAST and type(self) is DynamoType and type(other) is DynamoType:
        return kind == other.type and self.value == other.value  # other's cast value is its value when it is equal
    return _original_eq(self, other)  # type: ignore[no-any-return]


# -- fast path 64: DynamoType built from a one-key dict -----------------------------------------------------------
def _dynamo_type_init(self: DynamoType, type_as_dict: Any) -> None:
    if type(type_as_dict) is dict and len(type_as_dict) == 1 and type(self) is DynamoType:
        ((kind, value),) = type_as_dict.items()
        if kind != "L" and kind != "M":
            self.type = kind
            self.value = value
            return
    _original_dynamo_type_init(self, type_as_dict)


_original_dynamo_type_init = DynamoType.__init__
_original_cast_value = DynamoType.cast_value.fget  # type: ignore[attr-defined]
_original_eq = DynamoType.__eq__
_original_dynamodb_backend = dynamodb_responses.DynamoHandler.dynamodb_backend.fget  # type: ignore[attr-defined]
_original_find_clauses = ast_nodes.Node.find_clauses
_original_parse_condition = ConditionExpressionParser.parse
_original_request_structure = MotoJSONParser._parse_structure
_original_lex = ConditionExpressionParser._lex_condition_expression
_original_json_structure = BaseJSONParser._handle_structure  # type: ignore[attr-defined]
_original_validator_init = dynamodb_validators.Validator.__init__
_original_validate = dynamodb_validators.Validator.validate
_original_traverse = DepthFirstTraverser.traverse_node_recursively

#: fast paths 21 and 122: ``camelcase_to_underscores``, a pure function of its text, remembered per text
_camelcase_to_underscores = functools.lru_cache(maxsize=1024)(camelcase_to_underscores)

PATCHES: list[tuple[Any, str, Any]] = [
    (dynamodb_validators.Validator, "__init__", _validator_init),
    (dynamodb_validators.Validator, "validate", _validate),
    (DepthFirstTraverser, "traverse_node_recursively", _traverse_node_recursively),
    (dynamodb_models, "UpdateExpressionValidator", _update_validator),
    (dynamodb_models, "UpdateExpressionExecutor", _update_executor),
    (BaseJSONParser, "_handle_structure", _json_structure),
    (MotoRandom, "get_random_string", _random_string),
    (ConditionExpressionParser, "_lex_condition_expression", _lex_condition),
    (MotoJSONParser, "_parse_structure", _request_structure),
    (ast_nodes.Node, "find_clauses", _find_clauses),
    (ConditionExpressionParser, "parse", _parse_condition),
    (moto_responses, "camelcase_to_underscores", _camelcase_to_underscores),
    # fast path 122: fast path 21's remembered names in the other modules of moto the simulator calls that use it
    (sqs_models, "camelcase_to_underscores", _camelcase_to_underscores),
    (sns_models, "camelcase_to_underscores", _camelcase_to_underscores),
    (sns_responses, "camelcase_to_underscores", _camelcase_to_underscores),
    (dynamodb_models, "re", _module_with(re, sub=_sub_remembered)),
    (moto_responses, "re", _module_with(re, sub=_sub_request_id)),
    (moto_responses, "gen_amzn_requestid_long", _request_id),  # fast path 102
    (dynamodb_responses.DynamoHandler, "dynamodb_backend", property(_dynamodb_backend)),
    (DynamoType, "cast_value", property(_cast_value)),
    (DynamoType, "__hash__", _hash),
    (DynamoType, "__eq__", _eq),
    (DynamoType, "__init__", _dynamo_type_init),
    *key_conditions.PATCHES,  # fast path 93
]


def forget_run() -> None:
    """What a run's end forgets (fast path 121): the condition the response layer just parsed (per thread), nothing
    else. What fast paths 16a, 17, 20, 32, 62, 91 and 93 learnt is a function of what it is kept by alone (an expression
    text or the tree fast path 12 keeps for it, the names, the placeholders' values, the table's key schema), and
    moto's conditions, trees and plans are never changed once built: they are kept for the next run, each collection
    forgotten all at once past ``_CONDITIONS_KEPT`` entries (key conditions past their own bound)."""
    _last_condition.parsed = None
    for kept in (_passed, _plans, _lexed, _conditions):
        if len(kept) > _CONDITIONS_KEPT:
            kept.clear()
    if len(_skeletons) > _CONDITIONS_KEPT or len(_placeholders) > _CONDITIONS_KEPT:  # (together, as they are made)
        _skeletons.clear()
        _placeholders.clear()


def clear() -> None:
    """Forget everything learnt (tests)."""
    _passed.clear()
    _plans.clear()
    _lexed.clear()
    _placeholders.clear()
    _conditions.clear()
    _skeletons.clear()
    key_conditions.clear()
    _last_condition.parsed = None  # (kept trees and their clauses live as long as fast path 12 keeps the trees)

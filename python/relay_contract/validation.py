"""Validate frames and HTTP bodies against the shipped JSON Schema files.

Uses `jsonschema` (Debian: python3-jsonschema) on `generated/schema/bundle.json` (strict: what
producers send) and `generated/schema/bundle.tolerant.json` (tolerant: what receivers accept)
of the relay-contract package this module ships in. The rules live in those files only; this
module adds the frame dispatch on `type` and the one cross-field rule JSON Schema cannot state
(the prompt callback-token length), both exactly as the TypeScript `validateFrame` does.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol, cast

from .constants import CONNECTOR_FRAME_DEFINITIONS, DEFINITION_NAMES, DROPPABLE_LISTS, GATEWAY_FRAME_DEFINITIONS, MAX_PROMPT_TOKEN_BYTES

__all__ = ["FrameDirection", "Issue", "Received", "ValidationMode", "SCHEMA_DIR", "receive_frame", "validate_definition", "validate_frame"]

FrameDirection = Literal["gateway-to-connector", "connector-to-gateway"]
#: `strict`: exactly the contract (producers, contract tests). `tolerant`: what a receiver must accept.
ValidationMode = Literal["strict", "tolerant"]

#: Where the shipped schema files are: `<package root>/generated/schema`.
SCHEMA_DIR = Path(__file__).resolve().parent.parent.parent / "generated" / "schema"

_BUNDLES: Mapping[str, str] = {"strict": "bundle.json", "tolerant": "bundle.tolerant.json"}


@dataclass(frozen=True)
class Issue:
    """One reason a value does not satisfy the contract."""

    #: JSON Pointer (RFC 6901) into the validated value, `""` for the root.
    path: str
    #: The JSON Schema keyword that failed (`required`, `enum`, `additionalProperties`, …).
    keyword: str
    #: A readable sentence naming the path.
    message: str


class _SchemaError(Protocol):
    message: str
    validator: str
    absolute_path: Sequence[str | int]
    relative_schema_path: Sequence[str | int]


class _Validator(Protocol):
    def iter_errors(self, instance: object) -> Iterable[_SchemaError]: ...


class _ValidatorClass(Protocol):
    def __call__(self, schema: Mapping[str, Any]) -> _Validator: ...


def _pointer(parts: Iterable[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@cache
def _bundle(mode: str) -> Mapping[str, Any]:
    path = SCHEMA_DIR / _BUNDLES[mode]
    with path.open(encoding="utf-8") as file:
        return cast(Mapping[str, Any], json.load(file))


def _compile(mode: str, schema: Mapping[str, Any]) -> _Validator:
    # Looked up at run time: the types and token helpers work without jsonschema installed, and
    # jsonschema ships no type information for mypy.
    jsonschema = importlib.import_module("jsonschema")
    draft7 = cast(_ValidatorClass, jsonschema.Draft7Validator)
    bundle = _bundle(mode)
    return draft7({"$schema": bundle["$schema"], "definitions": bundle["definitions"], "allOf": [schema]})


@cache
def _validator(mode: str, definition: str) -> _Validator:
    return _compile(mode, {"$ref": f"#/definitions/{definition}"})


@cache
def _entry_validator(frame_type: str, index: int) -> _Validator:
    return _compile("tolerant", DROPPABLE_LISTS[frame_type][index]["schema"])


def _keyword(error: _SchemaError) -> str:
    # A bad property name is reported on the name itself; the contract names the keyword that
    # owns the rule, `propertyNames`, at the object's path (as ajv does).
    if "propertyNames" in error.relative_schema_path:
        return "propertyNames"
    return error.validator


def _issues(mode: str, definition: str, value: object) -> list[Issue]:
    issues = []
    for error in _validator(mode, definition).iter_errors(value):
        path = _pointer(error.absolute_path)
        issues.append(Issue(path, _keyword(error), f"{path or 'the value'}: {error.message}"))
    return sorted(issues, key=lambda issue: issue.path)


def validate_definition(name: str, value: object, *, mode: ValidationMode = "strict") -> list[Issue]:
    """Issues of `value` against the named definition (`HelloFrame`, `EnrollRequest`, …); empty means valid."""
    if name not in DEFINITION_NAMES:
        raise ValueError(f"{name!r} is not a definition of the contract")
    if mode not in _BUNDLES:
        raise ValueError(f"mode must be 'strict' or 'tolerant', not {mode!r}")
    return _issues(mode, name, value)


def _fail(path: str, keyword: str, message: str) -> list[Issue]:
    return [Issue(path, keyword, message)]


def _frame_definition(frame_type: str, direction: FrameDirection | None) -> str | None:
    if direction == "gateway-to-connector":
        return GATEWAY_FRAME_DEFINITIONS.get(frame_type)
    if direction == "connector-to-gateway":
        return CONNECTOR_FRAME_DEFINITIONS.get(frame_type)
    return GATEWAY_FRAME_DEFINITIONS.get(frame_type) or CONNECTOR_FRAME_DEFINITIONS.get(frame_type)


def _direction_of(frame_type: str) -> FrameDirection | None:
    if frame_type in GATEWAY_FRAME_DEFINITIONS:
        return "gateway-to-connector"
    if frame_type in CONNECTOR_FRAME_DEFINITIONS:
        return "connector-to-gateway"
    return None


def _prompt_token_issues(frame: Mapping[str, Any]) -> list[Issue]:
    """Each option's callback token `hp1:<prompt_id>:<id>` fits Telegram's callback_data cap."""
    action = frame.get("action")
    if frame.get("type") != "outbound" or not isinstance(action, dict) or action.get("op") != "prompt":
        return []
    issues = []
    for i, option in enumerate(action["options"]):
        size = len(f"hp1:{action['prompt_id']}:{option['id']}".encode("utf-8"))
        if size > MAX_PROMPT_TOKEN_BYTES:
            path = f"/action/options/{i}/id"
            message = f"{path} makes the callback token hp1:<prompt_id>:<id> {size} bytes long; at most {MAX_PROMPT_TOKEN_BYTES} are allowed"
            issues.append(Issue(path, "hp1TokenLength", message))
    return issues


def validate_frame(value: object, *, direction: FrameDirection | None = None, mode: ValidationMode = "strict") -> list[Issue]:
    """Issues of one decoded frame, dispatched on its `type`; empty means valid.

    `direction` accepts only frame types travelling that way. Receivers use `mode="tolerant"`,
    where a frame type the receiver does not act on (unknown, or travelling the other way) has no
    issues: it is ignored, and the lists a receiver filters accept any value; `receive_frame`
    also removes their invalid entries and says which.
    """
    if mode not in _BUNDLES:
        raise ValueError(f"mode must be 'strict' or 'tolerant', not {mode!r}")
    if direction is not None and direction not in ("gateway-to-connector", "connector-to-gateway"):
        raise ValueError(f"direction must be 'gateway-to-connector' or 'connector-to-gateway', not {direction!r}")
    if not isinstance(value, dict):
        return _fail("", "type", "a frame must be a JSON object")
    frame = cast(Mapping[str, Any], value)
    if "type" not in frame:
        return _fail("", "required", 'the frame is missing the required property "type"')
    frame_type = frame["type"]
    if not isinstance(frame_type, str):
        return _fail("/type", "type", "/type must be of type string")
    definition = _frame_definition(frame_type, direction)
    if definition is None:
        if mode == "tolerant":
            # A receiver ignores frame types it does not act on (unknown, or echoed back).
            return []
        known = _direction_of(frame_type)
        why = f"is a {known} frame type, not {direction}" if known else "is not a frame type of contract_version 1"
        return _fail("/type", "enum", f"/type {json.dumps(frame_type)} {why}")
    issues = _issues(mode, definition, frame)
    if issues or mode != "strict":
        return issues
    return _prompt_token_issues(frame)


@dataclass(frozen=True)
class Received:
    """What a receiver makes of one frame (`receive_frame`)."""

    #: False when the frame fails the receiver rules (`issues` say why); drop the frame then.
    ok: bool
    #: The frame to act on: the input with the invalid entries of filtered lists removed (the
    #: input itself is never changed).
    value: Any
    issues: list[Issue]
    #: One issue per entry (or non-list value) removed from a list the receiver filters.
    dropped: list[Issue]
    #: Set when the frame's type is not one this side acts on (unknown, or travelling the other way).
    ignored: str | None = None


def _drop_invalid_entries(frame_type: str, frame: dict[str, Any]) -> tuple[dict[str, Any], list[Issue]]:
    """`frame` without the invalid entries of its filtered lists; the objects on the way are copied."""
    value = frame
    dropped: list[Issue] = []
    for index, droppable in enumerate(DROPPABLE_LISTS.get(frame_type, [])):
        path: list[str] = droppable["path"]
        parents: list[dict[str, Any]] = [value]
        for key in path[:-1]:
            node = parents[-1].get(key)
            if not isinstance(node, dict):
                break
            parents.append(node)
        if len(parents) != len(path) or path[-1] not in parents[-1]:
            continue
        items = parents[-1][path[-1]]
        where = _pointer(path)
        kept: list[Any] | None = None
        if not isinstance(items, list):
            dropped.append(Issue(where, "type", f"{where} is not a list: dropped (treated as absent)"))
        else:
            validator = _entry_validator(frame_type, index)
            kept = []
            removed = False
            for i, item in enumerate(items):
                first = next(iter(validator.iter_errors(item)), None)
                if first is None:
                    kept.append(item)
                    continue
                removed = True
                at = f"{where}/{i}"
                dropped.append(Issue(at, _keyword(first), f"{at} dropped: {_pointer([*path, i, *first.absolute_path])}: {first.message}"))
            if not removed:
                continue
        copies = [dict(p) for p in parents]
        for i in range(len(copies) - 1):
            copies[i][path[i]] = copies[i + 1]
        if kept is None:
            del copies[-1][path[-1]]
        else:
            copies[-1][path[-1]] = kept
        value = copies[0]
    return value, dropped


def receive_frame(value: object, *, direction: FrameDirection | None = None) -> Received:
    """A receiver's view of one decoded frame, as the TypeScript receiver has it.

    A frame type this side does not act on is accepted and `ignored`; a frame failing the
    tolerant schema is not `ok`; otherwise the invalid entries of the lists a receiver filters
    are removed from `value` and reported in `dropped`, so one bad entry never sinks the frame.
    """
    issues = validate_frame(value, direction=direction, mode="tolerant")
    if issues:
        return Received(ok=False, value=value, issues=issues, dropped=[])
    frame = cast(dict[str, Any], value)
    frame_type = cast(str, frame["type"])
    if _frame_definition(frame_type, direction) is None:
        known = _direction_of(frame_type)
        ignored = f"ignored: {json.dumps(frame_type)} is a {known} frame type" if known else "ignored: unknown type"
        return Received(ok=True, value=value, issues=[], dropped=[], ignored=ignored)
    kept, dropped = _drop_invalid_entries(frame_type, frame)
    return Received(ok=True, value=kept, issues=[], dropped=dropped)

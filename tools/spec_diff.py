"""What changed in the API between two OpenAPI 3 documents, breaking changes first.

Why our own diff rather than a text diff: the vendor's documents are apifox exports, where key
order, quoting and extension noise (x-apifox-*) change between exports while the API does not,
and a line diff of a few hundred nested lines does not say "this field became required". What a
client of the gateway needs to know is per operation and per field:

- breaking: removed operations; removed (or renamed) fields and parameters; newly required
  request fields; type changes; response fields no longer guaranteed; enum values a client may
  no longer send, or may now receive;
- compatible: added operations, optional fields, response fields, relaxed requirements;
- notes: descriptions and summaries, which the vendor uses to state limits and allowed values
  (the wrapper's validation rules come from them), deprecation, servers.

Pure functions over parsed documents; no I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Kind(enum.Enum):
    """What changed; the declaration order is the printing order, so the breaking ones come first."""

    OPERATION_REMOVED = ("breaking", "removed operation")
    FIELD_REMOVED = ("breaking", "removed")
    FIELD_RENAMED = ("breaking", "renamed?")
    NEWLY_REQUIRED = ("breaking", "newly required")
    TYPE_CHANGED = ("breaking", "type changed")
    NO_LONGER_GUARANTEED = ("breaking", "no longer guaranteed")
    ENUM_BREAKING = ("breaking", "allowed values")
    OPERATION_ADDED = ("compatible", "added operation")
    FIELD_ADDED = ("compatible", "added")
    REQUIREMENT_RELAXED = ("compatible", "requirement relaxed")
    ENUM_COMPATIBLE = ("compatible", "allowed values")
    DESCRIPTION_CHANGED = ("note", "description")
    OTHER = ("note", "other")

    @property
    def severity(self) -> str:
        return self.value[0]

    @property
    def rank(self) -> int:
        return list(Kind).index(self)


@dataclass(frozen=True)
class Change:
    kind: Kind
    where: str  # "POST /kling/v1/videos/text2video request body"
    what: str  # "removed field camera_control.config.zoom (integer)"

    @property
    def breaking(self) -> bool:
        return self.kind.severity == "breaking"

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" if self.where else self.what


def diff_specs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new``: breaking first, then compatible, then notes; stable within each."""
    differ = _Differ(old, new)
    differ.compare()
    return sorted(differ.changes, key=lambda change: change.kind.rank)


def format_changes(changes: list[Change]) -> str:
    """The changes as a report for a terminal, one line each, grouped by severity."""
    if not changes:
        return "No change in operations or fields."
    titles = {"breaking": "Breaking changes", "compatible": "Compatible changes", "note": "Notes"}
    marks = {"breaking": "!", "compatible": "+", "note": "~"}
    lines: list[str] = []
    for severity, title in titles.items():
        group = [change for change in changes if change.kind.severity == severity]
        if group:
            lines.append(f"{title} ({len(group)}):")
            lines.extend(f"  {marks[severity]} {change}" for change in group)
    return "\n".join(lines)


def operations(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """``"POST /path"`` → the operation object, for every operation of the document."""
    found: dict[str, Mapping[str, Any]] = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, Mapping):
                found[f"{method.upper()} {path}"] = operation
    return found


class _Differ:
    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def add(self, kind: Kind, where: str, what: str) -> None:
        self.changes.append(Change(kind, where, what))

    # --- documents and operations ---

    def compare(self) -> None:
        old_ops, new_ops = operations(self.old), operations(self.new)
        for key in sorted(old_ops.keys() - new_ops.keys()):
            self.add(Kind.OPERATION_REMOVED, key, "operation removed")
        for key in sorted(new_ops.keys() - old_ops.keys()):
            self.add(Kind.OPERATION_ADDED, key, "operation added")
        for key in sorted(old_ops.keys() & new_ops.keys()):
            self.compare_operation(key, old_ops[key], new_ops[key])
        old_servers = [s.get("url") for s in self.old.get("servers") or [] if isinstance(s, Mapping)]
        new_servers = [s.get("url") for s in self.new.get("servers") or [] if isinstance(s, Mapping)]
        if old_servers != new_servers:
            self.add(Kind.OTHER, "", f"servers changed: {old_servers} → {new_servers}")

    def compare_operation(self, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        for key in ("summary", "description", "operationId"):
            if old.get(key) != new.get(key):
                self.add(Kind.DESCRIPTION_CHANGED, where, f"{key}: {_short(old.get(key))} → {_short(new.get(key))}")
        if bool(old.get("deprecated")) != bool(new.get("deprecated")):
            self.add(Kind.OTHER, where, "now deprecated" if new.get("deprecated") else "no longer deprecated")
        if old.get("tags") != new.get("tags"):
            self.add(Kind.OTHER, where, f"tags: {old.get('tags')} → {new.get('tags')}")
        self.compare_parameters(where, old.get("parameters") or [], new.get("parameters") or [])
        self.compare_request_body(where, old.get("requestBody"), new.get("requestBody"))
        self.compare_responses(where, old.get("responses") or {}, new.get("responses") or {})

    def compare_parameters(self, where: str, old: list[Any], new: list[Any]) -> None:
        old_params, new_params = self._parameters(old, self.old), self._parameters(new, self.new)
        for key in sorted(old_params.keys() - new_params.keys()):
            self.add(Kind.FIELD_REMOVED, where, f"removed {key[0]} parameter {key[1]}")
        for key in sorted(new_params.keys() - old_params.keys()):
            if new_params[key].get("required"):
                self.add(Kind.NEWLY_REQUIRED, where, f"new required {key[0]} parameter {key[1]}")
            else:
                self.add(Kind.FIELD_ADDED, where, f"new optional {key[0]} parameter {key[1]}")
        for key in sorted(old_params.keys() & new_params.keys()):
            before, after = old_params[key], new_params[key]
            label = f"{key[0]} parameter {key[1]}"
            if not before.get("required") and after.get("required"):
                self.add(Kind.NEWLY_REQUIRED, where, f"{label} is now required")
            elif before.get("required") and not after.get("required"):
                self.add(Kind.REQUIREMENT_RELAXED, where, f"{label} is now optional")
            if before.get("description") != after.get("description"):
                self.add(
                    Kind.DESCRIPTION_CHANGED,
                    where,
                    f"{label}: {_short(before.get('description'))} → {_short(after.get('description'))}",
                )
            self.compare_schema(
                f"{where} {label}", before.get("schema") or {}, after.get("schema") or {}, "", request=True
            )

    def _parameters(self, params: list[Any], document: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
        found = {}
        for param in params:
            resolved = _resolve(param, document)
            if isinstance(resolved, Mapping) and "name" in resolved:
                found[(str(resolved.get("in", "")), str(resolved["name"]))] = resolved
        return found

    def compare_request_body(self, where: str, old: Any, new: Any) -> None:
        old, new = _resolve(old, self.old), _resolve(new, self.new)
        label = f"{where} request body"
        if not old and not new:
            return
        if old and not new:
            self.add(Kind.FIELD_REMOVED, where, "request body removed")
            return
        if new and not old:
            required = new.get("required")
            self.add(Kind.NEWLY_REQUIRED if required else Kind.FIELD_ADDED, where, "request body added")
            return
        if not old.get("required") and new.get("required"):
            self.add(Kind.NEWLY_REQUIRED, label, "the body is now required")
        self.compare_content(label, old.get("content") or {}, new.get("content") or {}, request=True)

    def compare_responses(self, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        old_codes = {str(code): value for code, value in old.items()}
        new_codes = {str(code): value for code, value in new.items()}
        for code in sorted(old_codes.keys() - new_codes.keys()):
            self.add(Kind.FIELD_REMOVED, where, f"response {code} removed")
        for code in sorted(new_codes.keys() - old_codes.keys()):
            self.add(Kind.FIELD_ADDED, where, f"response {code} added")
        for code in sorted(old_codes.keys() & new_codes.keys()):
            before, after = _resolve(old_codes[code], self.old) or {}, _resolve(new_codes[code], self.new) or {}
            self.compare_content(
                f"{where} response {code}", before.get("content") or {}, after.get("content") or {}, request=False
            )

    def compare_content(self, where: str, old: Mapping[str, Any], new: Mapping[str, Any], *, request: bool) -> None:
        for media in sorted(old.keys() - new.keys()):
            self.add(Kind.FIELD_REMOVED, where, f"media type {media} removed")
        for media in sorted(new.keys() - old.keys()):
            self.add(Kind.FIELD_ADDED, where, f"media type {media} added")
        for media in sorted(old.keys() & new.keys()):
            before, after = old[media] or {}, new[media] or {}
            label = where if len(old) == 1 and len(new) == 1 else f"{where} ({media})"
            self.compare_schema(label, before.get("schema") or {}, after.get("schema") or {}, "", request=request)

    # --- schemas ---

    def compare_schema(
        self,
        where: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        path: str,
        *,
        request: bool,
        seen: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        refs = (str(old.get("$ref", "")), str(new.get("$ref", "")))
        if refs != ("", "") and refs in seen:
            return  # a recursive schema: this pair is already being compared further up
        seen = seen | {refs}
        old, new = _resolve(old, self.old) or {}, _resolve(new, self.new) or {}
        name = path or "value"
        old_type, new_type = type_label(old, self.old), type_label(new, self.new)
        if old_type != new_type:
            self.add(Kind.TYPE_CHANGED, where, f"{name}: {old_type} → {new_type}")
            return
        if bool(old.get("nullable")) != bool(new.get("nullable")):
            loosened = bool(new.get("nullable"))
            # A request field that may no longer be null breaks callers who send null; a response
            # field that may now be null breaks readers who assume a value.
            breaking = loosened != request
            self.add(
                Kind.TYPE_CHANGED if breaking else Kind.REQUIREMENT_RELAXED,
                where,
                f"{name}: {'now' if loosened else 'no longer'} nullable",
            )
        if old.get("description") != new.get("description") and path:
            self.add(
                Kind.DESCRIPTION_CHANGED,
                where,
                f"{path}: {_short(old.get('description'))} → {_short(new.get('description'))}",
            )
        self.compare_enum(where, name, old.get("enum"), new.get("enum"), request=request)
        if old_type == "object":
            self.compare_properties(where, old, new, path, request=request, seen=seen)
        elif old_type.startswith("array"):
            self.compare_schema(
                where, old.get("items") or {}, new.get("items") or {}, f"{path}[]", request=request, seen=seen
            )

    def compare_enum(self, where: str, name: str, old: Any, new: Any, *, request: bool) -> None:
        if old == new:
            return
        if old is None or new is None:
            # Gaining a closed list narrows what a request may send; losing it widens what a response may hold.
            breaking = (new is not None) if request else (old is not None)
            what = f"{name}: now limited to {new}" if new is not None else f"{name}: no longer limited to {old}"
            self.add(Kind.ENUM_BREAKING if breaking else Kind.ENUM_COMPATIBLE, where, what)
            return
        removed = [v for v in old if v not in new]
        added = [v for v in new if v not in old]
        if removed:
            kind = Kind.ENUM_BREAKING if request else Kind.ENUM_COMPATIBLE
            self.add(kind, where, f"{name}: values removed {removed}")
        if added:
            kind = Kind.ENUM_COMPATIBLE if request else Kind.ENUM_BREAKING
            self.add(kind, where, f"{name}: values added {added}")

    def compare_properties(
        self,
        where: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        path: str,
        *,
        request: bool,
        seen: frozenset[tuple[str, str]],
    ) -> None:
        old_props: Mapping[str, Any] = old.get("properties") or {}
        new_props: Mapping[str, Any] = new.get("properties") or {}
        old_required, new_required = set(old.get("required") or []), set(new.get("required") or [])
        removed = sorted(old_props.keys() - new_props.keys())
        added = sorted(new_props.keys() - old_props.keys())
        renamed = self._renames(removed, added, old_props, new_props)
        for before, after in renamed.items():
            label = type_label(new_props[after], self.new)
            self.add(
                Kind.FIELD_RENAMED,
                where,
                f"field {_join(path, before)} removed and {_join(path, after)} added, both {label}",
            )
        for key in removed:
            if key not in renamed:
                self.add(
                    Kind.FIELD_REMOVED,
                    where,
                    f"removed field {_join(path, key)} ({type_label(old_props[key], self.old)})",
                )
        for key in added:
            if key in renamed.values():
                continue
            label = f"{_join(path, key)} ({type_label(new_props[key], self.new)})"
            if request and key in new_required:
                self.add(Kind.NEWLY_REQUIRED, where, f"new required field {label}")
            else:
                self.add(Kind.FIELD_ADDED, where, f"new {'optional ' if request else ''}field {label}")
        for key in sorted(old_props.keys() & new_props.keys()):
            field = _join(path, key)
            was, now = key in old_required, key in new_required
            if request and not was and now:
                self.add(Kind.NEWLY_REQUIRED, where, f"field {field} is now required")
            elif request and was and not now:
                self.add(Kind.REQUIREMENT_RELAXED, where, f"field {field} is now optional")
            elif not request and was and not now:
                self.add(Kind.NO_LONGER_GUARANTEED, where, f"field {field} may now be absent from the response")
            elif not request and not was and now:
                self.add(Kind.REQUIREMENT_RELAXED, where, f"field {field} is now always in the response")
            self.compare_schema(where, old_props[key], new_props[key], field, request=request, seen=seen)

    def _renames(
        self, removed: list[str], added: list[str], old_props: Mapping[str, Any], new_props: Mapping[str, Any]
    ) -> dict[str, str]:
        """Removed → added field pairs that look like a rename: the only pair of their type in this object."""
        old_by_type: dict[str, list[str]] = {}
        new_by_type: dict[str, list[str]] = {}
        for key in removed:
            old_by_type.setdefault(type_label(old_props[key], self.old), []).append(key)
        for key in added:
            new_by_type.setdefault(type_label(new_props[key], self.new), []).append(key)
        return {
            keys[0]: new_by_type[label][0]
            for label, keys in old_by_type.items()
            if len(keys) == 1 and len(new_by_type.get(label, [])) == 1
        }


def type_label(schema: Any, document: Mapping[str, Any], depth: int = 0) -> str:
    """A short readable type: ``string``, ``string (date-time)``, ``array of integer``, ``object``, ``oneOf(...)``."""
    schema = _resolve(schema, document) or {}
    if not isinstance(schema, Mapping):
        return "any"
    for combinator in ("oneOf", "anyOf", "allOf"):
        if combinator in schema and depth < 3:
            parts = [type_label(part, document, depth + 1) for part in schema[combinator]]
            return f"{combinator}({' | '.join(parts)})"
    kind = schema.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1
        kind = " | ".join(str(k) for k in kind)
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "any"
    if kind == "array":
        return f"array of {type_label(schema.get('items') or {}, document, depth + 1)}" if depth < 5 else "array"
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return str(kind)


def _resolve(value: Any, document: Mapping[str, Any]) -> Any:
    """Follow a local ``$ref`` (``#/components/...``), as many times as it chains; anything else unchanged."""
    for _ in range(20):
        if not isinstance(value, Mapping) or not isinstance(value.get("$ref"), str):
            return value
        ref: str = value["$ref"]
        if not ref.startswith("#/"):
            return {}  # an external document is out of reach; compared as "any"
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, Mapping) else None
        value = target
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _short(text: Any, limit: int = 60) -> str:
    if text is None:
        return "(none)"
    flat = " ".join(str(text).split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")

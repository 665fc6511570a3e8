"""Apply an OpenAPI Overlay 1.0 document to an OpenAPI description.

Why by hand: no maintained Python package applies Overlay 1.0, but the hard part, RFC 9535
JSONPath, is done by ``jsonpath-rfc9535``. What remains is the two actions of the spec:

- ``remove: true`` deletes every node the target selects;
- ``update`` merges into every node the target selects: objects recursively (a property of the
  update replaces the same property of the target unless both are objects), arrays by appending.

A target that selects nothing is an error, never a silent skip: when the vendor renames
something the overlay relied on, regeneration must stop and say so.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonpath_rfc9535 as jsonpath


class OverlayError(Exception):
    """The overlay could not be applied; ``problems`` lists every action that failed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("overlay not applied:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class ActionReport:
    index: int
    target: str
    description: str
    matched: int


def apply_overlay(document: Mapping[str, Any], overlay: Mapping[str, Any]) -> tuple[dict[str, Any], list[ActionReport]]:
    """Return a new document with the overlay applied, and what each action matched.

    The input document is not modified. Raises ``OverlayError`` naming every action that
    matched nothing or could not be applied (all of them, not only the first).
    """
    _check_overlay_shape(overlay)
    result: dict[str, Any] = copy.deepcopy(dict(document))
    reports: list[ActionReport] = []
    problems: list[str] = []
    for index, action in enumerate(overlay["actions"]):
        target = action["target"]
        label = f"action {index + 1} ({target})"
        try:
            nodes = jsonpath.find(target, result)
        except Exception as exc:  # the library's own syntax errors name the position
            problems.append(f"{label}: invalid JSONPath: {exc}")
            continue
        if not nodes:
            problems.append(f"{label}: target matches nothing")
            reports.append(ActionReport(index, target, action.get("description", ""), 0))
            continue
        try:
            if action.get("remove") is True:
                _remove(result, [node.location for node in nodes])
            elif "update" in action:
                for node in nodes:
                    _update(node.value, action["update"], label)
        except OverlayError as exc:
            problems.extend(exc.problems)
        reports.append(ActionReport(index, target, action.get("description", ""), len(nodes)))
    if problems:
        raise OverlayError(problems)
    return result, reports


def _check_overlay_shape(overlay: Mapping[str, Any]) -> None:
    problems = []
    version = str(overlay.get("overlay", ""))
    if not version.startswith("1.0."):
        problems.append(f"overlay: expected an Overlay 1.0.x document, got {version!r}")
    actions = overlay.get("actions")
    if not isinstance(actions, list) or not actions:
        problems.append("actions: an overlay needs at least one action")
    else:
        for index, action in enumerate(actions):
            label = f"action {index + 1}"
            if not isinstance(action, Mapping) or not str(action.get("target", "")).startswith("$"):
                problems.append(f"{label}: needs a target, a JSONPath starting with '$'")
            elif "update" not in action and action.get("remove") is not True:
                problems.append(f"{label}: needs either update or remove: true")
    if problems:
        raise OverlayError(problems)


def _remove(document: dict[str, Any], locations: list[tuple[str | int, ...]]) -> None:
    # Deepest and highest index first, so removing one node never shifts another's location.
    for location in sorted(locations, key=_removal_order, reverse=True):
        if not location:
            raise OverlayError(["the root cannot be removed"])
        parent: Any = document
        for key in location[:-1]:
            parent = parent[key]
        del parent[location[-1]]


def _removal_order(location: tuple[str | int, ...]) -> tuple[int, tuple[str, ...]]:
    return len(location), tuple(f"{k:020d}" if isinstance(k, int) else k for k in location)


def _update(target: Any, update: Any, label: str) -> None:
    if isinstance(target, list):
        target.extend(copy.deepcopy(update) if isinstance(update, list) else [copy.deepcopy(update)])
    elif isinstance(target, dict) and isinstance(update, Mapping):
        _merge(target, update)
    else:
        raise OverlayError([f"{label}: cannot update a {type(target).__name__} with a {type(update).__name__}"])


def _merge(target: dict[str, Any], update: Mapping[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(target.get(key), dict) and isinstance(value, Mapping):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)

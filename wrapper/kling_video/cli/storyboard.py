"""``--storyboard FILE``: the shots of a multi-shot video, from YAML or JSON.

The file is a list of shots, each with a prompt and a duration in seconds::

    - prompt: wide shot of a harbour at dawn
      duration: 2
    - prompt: close-up of a gull taking off
      duration: 3

Only the file's shape is checked here (it parses, it is a list of mappings). Each shot's content
(keys, lengths, durations, the sum against ``--duration``) is checked by the wrapper with the
rest of the request, so a storyboard gets the same rules and messages as ``shots=`` in Python.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from kling_video.errors import Problem, ValidationError

__all__ = ["load_storyboard"]

_FIELD = "storyboard"


def load_storyboard(path: Path) -> list[dict[str, Any]]:
    """The shots in ``path``; raises ValidationError (field "storyboard") naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise _invalid("unreadable", f"cannot read {path}: {error}") from error
    data = _parse(path, text)
    if not isinstance(data, list) or not data:
        raise _invalid(
            "type",
            f"{path} must hold a non-empty list of shots, each with a prompt and a duration "
            f"(got {type(data).__name__ if data else 'nothing'})",
        )
    problems = [
        Problem(f"{_FIELD}[{n}]", "type", f"shot {n} must be a mapping with prompt and duration, not {item!r}")
        for n, item in enumerate(data)
        if not isinstance(item, dict)
    ]
    if problems:
        raise ValidationError(problems)
    return [dict(item) for item in data]


def _parse(path: Path, text: str) -> Any:
    """JSON for ``.json`` files, for its exact error positions; YAML (a superset) for the rest."""
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise _invalid("syntax", f"{path} is not valid JSON: {error}") from error
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        at = f" (line {where.line + 1}, column {where.column + 1})" if where is not None else ""
        reason = getattr(error, "problem", None) or "cannot parse"
        raise _invalid("syntax", f"{path} is not valid YAML{at}: {reason}") from error


def _invalid(rule: str, message: str) -> ValidationError:
    return ValidationError([Problem(_FIELD, rule, message)])

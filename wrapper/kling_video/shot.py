"""One shot of a custom multi-shot video: what ``shots=`` takes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kling_video.errors import Problem, ValidationError

__all__ = ["Shot"]

_KEYS = frozenset({"prompt", "duration"})
_IGNORED_KEYS = frozenset({"index"})  # the API's numbering: the wrapper numbers shots by position


@dataclass(frozen=True)
class Shot:
    """A prompt and its share of the video's duration, in seconds (an int, or a string like "2").

    Nothing is checked here: ``build_create_request`` checks every shot together with the rest of
    the request, so one call reports every problem at once.
    """

    prompt: str
    duration: int | str

    @classmethod
    def from_value(cls, obj: object) -> Shot:
        """Accept a Shot, or a dict shaped like the API's multi_prompt item (its index is ignored).

        Dicts are accepted so that a request copied from Kling's documentation or a JSON file works
        as it is. Raises ValidationError, with fields relative to the shot, for any other shape.
        """
        if isinstance(obj, Shot):
            return obj
        if not isinstance(obj, Mapping):
            raise ValidationError(
                [
                    Problem(
                        "", "type", f"a shot is a Shot or a dict with prompt and duration, not a {type(obj).__name__}"
                    )
                ]
            )
        problems = [Problem(key, "required", f"a shot needs a {key}") for key in sorted(_KEYS) if key not in obj]
        problems += [
            Problem(str(key), "unknown_field", f"a shot takes only prompt and duration (and index), not {key!r}")
            for key in obj
            if key not in _KEYS | _IGNORED_KEYS
        ]
        if problems:
            raise ValidationError(problems)
        return cls(obj["prompt"], obj["duration"])

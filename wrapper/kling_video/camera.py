"""Camera movement: what ``camera_control=`` takes.

``CameraControl.simple(zoom=5)`` reads better than the API's nested dict, and the dict is
accepted too, so a request copied from Kling's documentation works as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from kling_video._constants import CAMERA_AXES, CAMERA_TYPE_SIMPLE
from kling_video.errors import Problem, ValidationError

__all__ = ["CameraConfig", "CameraControl"]


@dataclass(frozen=True)
class CameraConfig:
    """The six movements of a ``simple`` camera, each in [-10, 10], exactly one of them non-zero.

    Nothing is checked here: ``build_create_request`` checks it with the rest of the request, so
    one call reports every problem at once.
    """

    horizontal: int = 0
    vertical: int = 0
    pan: int = 0
    tilt: int = 0
    roll: int = 0
    zoom: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {axis: getattr(self, axis) for axis in CAMERA_AXES}

    @classmethod
    def from_value(cls, obj: object) -> CameraConfig:
        """Accept a CameraConfig or a dict of axes; a missing axis is 0, as in the constructor.

        Raises ValidationError for any other shape. The config only ever sits in camera_control,
        so its problems are named from there ("config", "config.<key>"), ready to be reported.
        """
        if isinstance(obj, CameraConfig):
            return obj
        if not isinstance(obj, Mapping):
            raise ValidationError(
                [Problem("config", "type", f"a camera config is a CameraConfig or a dict, not a {type(obj).__name__}")]
            )
        unknown = [key for key in obj if key not in CAMERA_AXES]
        if unknown:
            raise ValidationError(
                [
                    Problem(f"config.{key}", "unknown_field", f"a camera config takes only {', '.join(CAMERA_AXES)}")
                    for key in unknown
                ]
            )
        return cls(**obj)


@dataclass(frozen=True)
class CameraControl:
    """A camera movement: ``simple`` with a config, or one of the preset types without one.

    Types: simple, down_back, forward_up, right_turn_forward, left_turn_forward.
    """

    type: str = CAMERA_TYPE_SIMPLE
    config: CameraConfig | None = None

    @classmethod
    def simple(
        cls,
        *,
        horizontal: int = 0,
        vertical: int = 0,
        pan: int = 0,
        tilt: int = 0,
        roll: int = 0,
        zoom: int = 0,
    ) -> CameraControl:
        """One movement, e.g. ``CameraControl.simple(zoom=5)``; give exactly one non-zero value."""
        config = CameraConfig(horizontal, vertical, pan, tilt, roll, zoom)
        return cls(CAMERA_TYPE_SIMPLE, config)

    @classmethod
    def down_back(cls) -> CameraControl:
        return cls("down_back")

    @classmethod
    def forward_up(cls) -> CameraControl:
        return cls("forward_up")

    @classmethod
    def right_turn_forward(cls) -> CameraControl:
        return cls("right_turn_forward")

    @classmethod
    def left_turn_forward(cls) -> CameraControl:
        return cls("left_turn_forward")

    def to_dict(self) -> dict[str, Any]:
        """The API's shape; a preset type carries no config at all, as Kling asks."""
        if self.config is None:
            return {"type": self.type}
        return {"type": self.type, "config": self.config.to_dict()}

    @classmethod
    def from_value(cls, obj: object) -> CameraControl:
        """Accept a CameraControl or the API-shaped dict ``{"type": ..., "config": {...}}``.

        A config given as a dict (in either) becomes a CameraConfig. Raises ValidationError, with
        fields relative to the camera control ("type", "config.zoom"), for any other shape.
        """
        if isinstance(obj, CameraControl):
            return replace(obj, config=_config_from(obj.config))
        if not isinstance(obj, Mapping):
            raise ValidationError(
                [
                    Problem(
                        "",
                        "type",
                        f"camera_control is a CameraControl or a dict with type and config, not a {type(obj).__name__}",
                    )
                ]
            )
        problems = [
            Problem(str(key), "unknown_field", "camera_control takes only type and config")
            for key in obj
            if key not in ("type", "config")
        ]
        if "type" not in obj:
            problems.append(Problem("type", "required", "camera_control needs a type"))
        try:
            config = _config_from(obj.get("config"))
        except ValidationError as error:
            problems += error.problems
        if problems:
            raise ValidationError(problems)
        return cls(obj["type"], config)


def _config_from(value: object) -> CameraConfig | None:
    return None if value is None else CameraConfig.from_value(value)

"""Option values that need more than click's built-in types: ``--camera``.

Only the shape of the text is checked here (what a typo breaks); what the API allows, such as
the camera types, the range of each value and "exactly one non-zero", stays in the wrapper's
validation, so that there is one set of rules and a new camera type needs no CLI change.
"""

from __future__ import annotations

import re
from typing import Any

import click

from kling_video._constants import CAMERA_AXES, CAMERA_TYPES
from kling_video.camera import CameraConfig, CameraControl

__all__ = ["CAMERA", "CameraParam", "parse_camera"]

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")


def parse_camera(text: str) -> CameraControl:
    """``TYPE`` or ``TYPE:AXIS=VALUE[,AXIS=VALUE...]``, e.g. ``down_back`` or ``simple:zoom=5``.

    Several axes are accepted so that the wrapper, not the parser, tells the user that only one
    may move. Raises ValueError with a message meant for the user.
    """
    kind, sep, rest = text.strip().partition(":")
    kind = kind.strip().lower()
    if not _NAME.fullmatch(kind):
        raise ValueError(f"{text!r} is not TYPE or TYPE:AXIS=VALUE (types: {', '.join(CAMERA_TYPES)})")
    if not sep:
        return CameraControl(kind)
    amounts: dict[str, int] = {}
    for item in rest.split(","):
        axis, eq, value = item.partition("=")
        axis, value = axis.strip().lower(), value.strip()
        if not eq or not axis or not value:
            raise ValueError(f"{item.strip()!r} is not AXIS=VALUE, e.g. zoom=5")
        if axis not in CAMERA_AXES:
            raise ValueError(f"unknown axis {axis!r}; one of {', '.join(CAMERA_AXES)}")
        if not _INTEGER.fullmatch(value):
            raise ValueError(f"{axis}={value!r}: the value must be a whole number from -10 to 10")
        if axis in amounts:
            raise ValueError(f"{axis} is given twice")
        amounts[axis] = int(value)
    return CameraControl(kind, CameraConfig(**amounts))


class CameraParam(click.ParamType[CameraControl, Any]):
    name = "TYPE[:AXIS=VALUE]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> CameraControl:
        if isinstance(value, CameraControl):
            return value
        try:
            return parse_camera(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


CAMERA = CameraParam()

"""The create call's keyword arguments, typed once for create and generate, sync and async."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from kling_video.camera import CameraControl
from kling_video.shot import Shot

__all__ = ["CreateParams"]


class CreateParams(TypedDict, total=False):
    """Named as the API names them (kling-api.md); ``shots`` and ``watermark`` are ours."""

    shots: Sequence[Shot | Mapping[str, Any]]
    model_name: str
    negative_prompt: str
    cfg_scale: float
    mode: str
    sound: str
    aspect_ratio: str
    duration: int | str
    camera_control: CameraControl | Mapping[str, Any]
    watermark: bool
    callback_url: str
    external_task_id: str
    multi_shot: bool
    shot_type: str
    extra_body: Mapping[str, Any]

"""kling-video: a typed, validated client for Kling text-to-video on the anyapi gateway.

    from kling_video import KlingVideo
    with KlingVideo() as client:                      # KLING_API_KEY from the environment
        result = client.text2video.generate(prompt="a fox in the snow", dest="videos/")

The CLI (``kling_video.cli``) and the simulator (``kling_video.testing``) are not imported here,
so importing the library stays light.
"""

from typing import TYPE_CHECKING, Any

from kling_video import errors
from kling_video._version import __version__
from kling_video.camera import CameraConfig, CameraControl
from kling_video.client import KlingVideo
from kling_video.generation import Generation
from kling_video.polling import PollSchedule
from kling_video.retry import RetryPolicy
from kling_video.shot import Shot
from kling_video.task import Task, TaskStatus, Video

if TYPE_CHECKING:
    from kling_video.async_client import AsyncKlingVideo


def __getattr__(name: str) -> Any:
    """``AsyncKlingVideo`` on first use: it brings asyncio, which sync users never need."""
    if name == "AsyncKlingVideo":
        from kling_video.async_client import AsyncKlingVideo

        return AsyncKlingVideo
    raise AttributeError(f"module 'kling_video' has no attribute {name!r}")


__all__ = [
    "AsyncKlingVideo",
    "CameraConfig",
    "CameraControl",
    "Generation",
    "KlingVideo",
    "PollSchedule",
    "RetryPolicy",
    "Shot",
    "Task",
    "TaskStatus",
    "Video",
    "__version__",
    "errors",
]

"""Contains all the data models used in inputs/outputs"""

from .camera_control_config import CameraControlConfig
from .camera_control_request import CameraControlRequest
from .error_envelope import ErrorEnvelope
from .multi_prompt_item import MultiPromptItem
from .task import Task
from .task_envelope import TaskEnvelope
from .task_info import TaskInfo
from .task_list_envelope import TaskListEnvelope
from .task_result import TaskResult
from .task_watermark_info import TaskWatermarkInfo
from .text2video_request import Text2VideoRequest
from .video import Video
from .watermark_info_request import WatermarkInfoRequest

__all__ = (
    "CameraControlConfig",
    "CameraControlRequest",
    "ErrorEnvelope",
    "MultiPromptItem",
    "Task",
    "TaskEnvelope",
    "TaskInfo",
    "TaskListEnvelope",
    "TaskResult",
    "TaskWatermarkInfo",
    "Text2VideoRequest",
    "Video",
    "WatermarkInfoRequest",
)

"""What ``generate`` returns: the finished task and where its videos now are."""

from __future__ import annotations

from pathlib import Path

import attrs

from kling_video.task import Task

__all__ = ["Generation"]


@attrs.frozen
class Generation:
    task: Task
    paths: tuple[Path, ...]

    @property
    def path(self) -> Path:
        """The first (usually the only) video."""
        return self.paths[0]

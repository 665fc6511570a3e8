"""kling-video: a typed, validated client for Kling text-to-video on the anyapi gateway."""

from kling_video._version import __version__

__all__ = ["__version__"]

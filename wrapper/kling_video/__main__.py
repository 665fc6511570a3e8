"""``python -m kling_video``: the same command line as ``kling-video``, for when scripts are not on PATH."""

from kling_video.cli import main

main()

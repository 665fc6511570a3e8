"""Logging: everything goes to the ``kling_video`` logger, and the key never does.

Set KLING_LOG=debug (or info) to see every request decision on stderr without configuring
logging yourself. The client never formats the key into a message; the filter below is the
second line of defence, masking anything shaped like a bearer token in any record that reaches
the handler it installs.
"""

from __future__ import annotations

import logging
import os
import re

from kling_video import _constants as C

__all__ = ["RedactingFilter", "configure_from_env", "logger"]

logger = logging.getLogger("kling_video")

_BEARER = re.compile(r"(Bearer\s+)[^\s'\"]+", re.IGNORECASE)


class RedactingFilter(logging.Filter):
    """Masks ``Bearer <token>`` in a record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _BEARER.sub(r"\1****", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


# On the logger itself, not only on the handler below: a user's own logging setup gets it too.
logger.addFilter(RedactingFilter())


def configure_from_env() -> None:
    """Attach a stderr handler once when KLING_LOG asks for it."""
    level = os.environ.get(C.LOG_ENV, "").strip().upper()
    if level not in ("DEBUG", "INFO") or any(getattr(h, "_kling", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    handler._kling = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)

"""The command line's exit codes, and which error earns which.

Scripts branch on the exit code, so each outcome a caller would handle differently has its
own: fix the input (2), fix the account or the key (3), change the prompt (4), wait longer
(5), check the network (6), check the disk or fetch the file again (7). The numbers are part of
the CLI's contract: they are documented in ``--help`` and the README, and never reused.
"""

from __future__ import annotations

import enum

import click

from kling_video import errors

__all__ = ["EPILOG", "ExitCode", "exit_code_for"]


class ExitCode(enum.IntEnum):
    OK = 0
    UNEXPECTED = 1  # a bug or a missing optional dependency; -v shows the traceback
    INVALID_INPUT = 2  # same as click's usage errors, so every "fix your command" is 2
    API_REFUSED = 3
    TASK_FAILED = 4
    WAIT_TIMEOUT = 5
    CONNECTION = 6
    DOWNLOAD = 7
    INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


# click rewraps paragraphs; \b keeps this one as written.
EPILOG = """\b
Exit codes:
  0    done
  1    unexpected error (run again with -v for the traceback)
  2    invalid input: a bad option or a request the API would refuse; nothing was sent
  3    the API refused the request (wrong key, no balance, content policy, ...)
  4    the task failed on the server
  5    the wait timed out; the task goes on: kling-video wait ID
  6    could not reach the API (connection refused, DNS, timeout)
  7    a download failed, the file could not be written, or it exists (--overwrite)
  130  interrupted (Ctrl-C); the task goes on: kling-video wait ID
"""

# Most specific first: APITimeoutError is an APIConnectionError, DestinationExistsError a
# DownloadError, and ValidationError and ConfigurationError are ValueErrors.
_BY_ERROR: tuple[tuple[type[BaseException], ExitCode], ...] = (
    (errors.ValidationError, ExitCode.INVALID_INPUT),
    (errors.ConfigurationError, ExitCode.INVALID_INPUT),
    (click.UsageError, ExitCode.INVALID_INPUT),
    (errors.APIError, ExitCode.API_REFUSED),
    (errors.TaskFailedError, ExitCode.TASK_FAILED),
    (errors.WaitTimeoutError, ExitCode.WAIT_TIMEOUT),
    (errors.APIConnectionError, ExitCode.CONNECTION),
    (errors.DownloadError, ExitCode.DOWNLOAD),
    # `kling-video list | head`: the reader left; not a disk problem, and nothing to report.
    (BrokenPipeError, ExitCode.UNEXPECTED),
    # The wrapper leaves OSErrors of the disk (full, read-only, a file where --out wants a
    # folder) as they are; in the CLI only saving a video writes anything.
    (OSError, ExitCode.DOWNLOAD),
    (KeyboardInterrupt, ExitCode.INTERRUPTED),
)


def exit_code_for(error: BaseException) -> ExitCode:
    for kind, code in _BY_ERROR:
        if isinstance(error, kind):
            return code
    return ExitCode.UNEXPECTED

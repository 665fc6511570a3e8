"""The ``kling-video`` command line (``python -m kling_video`` runs it too).

Kept out of ``kling_video/__init__.py`` so that ``import kling_video`` never pays for click and
rich. ``main`` is the console script's entry point; the commands live in ``app``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with its code (see ``exit_codes``); never ends in a traceback.

    The group already turns every error of a command into one line and an exit code; this is the
    last net, for what happens outside a command (an import failing, say), and for Ctrl-C
    before a command starts.
    """
    try:
        from kling_video.cli.app import PROG, cli

        cli.main(args=list(argv) if argv is not None else None, prog_name=PROG)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as error:
        verbose = "-v" in sys.argv[1:] or "--verbose" in sys.argv[1:]
        if verbose:
            import traceback

            traceback.print_exc()
        print(f"error: unexpected {type(error).__name__}: {error} (run with -v for the traceback)", file=sys.stderr)
        sys.exit(1)

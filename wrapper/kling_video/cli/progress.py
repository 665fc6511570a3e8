"""What the user sees while a task runs: a live status line, plain lines, or nothing.

A task takes minutes, and the wrapper reports only status changes (``on_update``), so a
display that redrew only then would look frozen. On a terminal a rich ``Live`` line redraws
itself several times a second (spinner, status, elapsed time, task id) between the changes.
When stderr is a file or a pipe, animation would only fill a log with escape codes, so each
status change becomes one plain line. With ``--json`` nothing decorative is written at all.

The display also remembers where the command got to (creating, waiting, downloading, which
task), because that is what an interrupted user needs to be told to resume.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from types import TracebackType

import click
from rich.console import Console, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from kling_video.task import Task, TaskStatus

__all__ = ["Phase", "Progress", "make_progress"]


class Phase(enum.Enum):
    CREATING = "creating"
    WAITING = "waiting"
    DOWNLOADING = "downloading"
    DONE = "done"


_STATUS_STYLE = {
    TaskStatus.SUBMITTED: "yellow",
    TaskStatus.PROCESSING: "cyan",
    TaskStatus.SUCCEED: "green",
    TaskStatus.FAILED: "red",
    TaskStatus.UNKNOWN: "magenta",
}


class Progress:
    """The silent display (``--json``); the others override the three drawing hooks."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._start = clock()
        self.phase = Phase.CREATING
        self.task: Task | None = None
        self.task_id: str | None = None

    # What the commands call

    def creating(self) -> None:
        self.phase = Phase.CREATING
        self._changed()

    def waiting_for(self, task_id: str) -> None:
        """Waiting on a task known only by id (``wait ID``): nothing fetched yet."""
        self.phase, self.task_id = Phase.WAITING, task_id
        self._changed()

    def update(self, task: Task) -> None:
        """The ``on_update`` callback: called once per status change, the first time too."""
        self.task, self.task_id = task, task.task_id
        self.phase = Phase.WAITING
        self._changed()

    def downloading(self) -> None:
        self.phase = Phase.DOWNLOADING
        self._changed()

    def finished(self, task: Task) -> None:
        self.task, self.task_id, self.phase = task, task.task_id, Phase.DONE
        self._finished()

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    def __enter__(self) -> Progress:
        self._open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close()

    # Drawing hooks

    def _open(self) -> None:
        pass

    def _changed(self) -> None:
        pass

    def _finished(self) -> None:
        pass

    def _close(self) -> None:
        pass

    # Shared wording

    def _status_words(self) -> str:
        if self.phase is Phase.CREATING:
            return "creating the task"
        if self.phase is Phase.DOWNLOADING:
            return "downloading"
        if self.task is None:
            return "waiting"
        return self.task.raw_status or self.task.status.value


def _clock_text(seconds: float) -> str:
    minutes, secs = divmod(int(max(seconds, 0)), 60)
    return f"{minutes}:{secs:02d}"


class PlainProgress(Progress):
    """One line per change, for logs and pipes; repeated states are not repeated."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock)
        self._last: str | None = None

    def _changed(self) -> None:
        if self.task is None:
            return  # "creating", "waiting": the first status line follows at once and says more
        words = self._status_words()
        line = f"{words} ({_clock_text(self.elapsed)})"
        if self.task_id is not None:
            line = f"task {self.task_id}: {line}"
        if words != self._last:
            self._last = words
            click.echo(line, err=True)

    def _finished(self) -> None:
        assert self.task is not None
        click.echo(f"task {self.task.task_id}: done in {_clock_text(self.elapsed)}", err=True)


class LiveProgress(Progress):
    """A spinner line redrawn in place on stderr, replaced at the end by a one-line summary."""

    def __init__(self, console: Console, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock)
        self._console = console
        # Braille dots and a check mark need UTF-8; an old Windows or POSIX-locale console gets ASCII.
        self._utf8 = console.encoding.lower().replace("-", "").startswith("utf8")
        self._spinner = Spinner("dots" if self._utf8 else "line", style="cyan")
        self._live = Live(
            console=console,
            get_renderable=self._render,
            refresh_per_second=10,
            transient=True,
            redirect_stdout=False,
        )

    def _render(self) -> RenderableType:
        """One line that never wraps: on a narrow terminal the task id is cut, not split."""
        frame = self._spinner.render(self._console.get_time())
        line = Text.assemble(frame if isinstance(frame, Text) else Text(), " ", no_wrap=True, overflow="ellipsis")
        style = "bold"
        if self.phase is Phase.WAITING and self.task is not None:
            style = f"bold {_STATUS_STYLE[self.task.status]}"
        line.append(f"{self._status_words():<11}", style=style)
        line.append(f" {_clock_text(self.elapsed):>5}", style="bold")
        if self.task_id is not None:
            line.append(f"  task {self.task_id}", style="dim")
        return line

    def _open(self) -> None:
        self._live.start()

    def _changed(self) -> None:
        self._live.refresh()

    def _finished(self) -> None:
        self._live.stop()
        assert self.task is not None
        summary = Text()
        summary.append("✓ " if self._utf8 else "ok ", style="bold green")
        summary.append(f"succeeded in {_clock_text(self.elapsed)}", style="bold")
        summary.append(f"  task {self.task.task_id}", style="dim")
        self._console.print(summary, soft_wrap=True)

    def _close(self) -> None:
        self._live.stop()


def make_progress(*, quiet: bool, plain: bool = False) -> Progress:
    """The display that suits stderr: live on a terminal, plain lines elsewhere, none if quiet."""
    if quiet:
        return Progress()
    console = Console(stderr=True, highlight=False)
    if plain or not console.is_terminal or console.is_dumb_terminal:
        return PlainProgress()
    return LiveProgress(console)

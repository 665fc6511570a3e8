"""The progress display: live on a terminal, plain lines elsewhere, nothing with --json."""

from __future__ import annotations

import io
from datetime import datetime, timezone

from kling_video import Task, TaskStatus
from kling_video.cli.app import _resume_hint
from kling_video.cli.progress import LiveProgress, Phase, PlainProgress, Progress, make_progress
from rich.console import Console


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def task(status: str, task_id: str = "831922345719271433") -> Task:
    return Task(
        task_id=task_id,
        status=TaskStatus.parse(status),
        raw_status=status,
        created_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )


def test_plain_progress_is_one_line_per_change(capsys):
    clock = FakeClock()
    progress = PlainProgress(clock)
    with progress:
        progress.creating()
        progress.update(task("submitted"))
        clock.now += 3
        progress.update(task("processing"))
        clock.now += 62
        progress.update(task("succeed"))
        progress.downloading()
        progress.finished(task("succeed"))
    assert capsys.readouterr().err.splitlines() == [
        "task 831922345719271433: submitted (0:00)",
        "task 831922345719271433: processing (0:03)",
        "task 831922345719271433: succeed (1:05)",
        "task 831922345719271433: downloading (1:05)",
        "task 831922345719271433: done in 1:05",
    ]


def test_the_silent_progress_writes_nothing(capsys):
    progress = make_progress(quiet=True)
    assert type(progress) is Progress
    with progress:
        progress.update(task("submitted"))
        progress.finished(task("succeed"))
    assert capsys.readouterr() == ("", "")


def test_not_a_terminal_means_plain_lines(capsys):
    assert isinstance(make_progress(quiet=False), PlainProgress)
    assert isinstance(make_progress(quiet=False, plain=True), PlainProgress)


class Screen(io.StringIO):
    """A terminal's worth of text, with the encoding the console checks for UTF-8."""

    def __init__(self, encoding: str) -> None:
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


def _live(clock: FakeClock, encoding: str = "utf-8") -> tuple[LiveProgress, Screen]:
    out = Screen(encoding)
    console = Console(file=out, force_terminal=True, width=100, color_system=None, legacy_windows=False)
    return LiveProgress(console, clock), out


def test_the_live_line_shows_status_elapsed_and_task_id():
    clock = FakeClock()
    progress, _ = _live(clock)
    progress.update(task("processing"))
    clock.now += 75
    console = Console(width=100, color_system=None, file=io.StringIO())
    with console.capture() as captured:
        console.print(progress._render())
    line = captured.get()
    assert "processing" in line
    assert "1:15" in line
    assert "task 831922345719271433" in line
    assert len(line.rstrip("\n")) <= 100


def test_the_live_display_ends_with_a_summary_line():
    clock = FakeClock()
    progress, out = _live(clock)
    with progress:
        progress.update(task("submitted"))
        clock.now += 5
        progress.finished(task("succeed"))
    text = out.getvalue()
    assert "✓ succeeded in 0:05" in text
    assert "task 831922345719271433" in text


def test_the_live_display_falls_back_to_ascii():
    clock = FakeClock()
    progress, out = _live(clock, encoding="ascii")
    with progress:
        progress.finished(task("succeed"))
    assert "ok succeeded in 0:00" in out.getvalue()


def test_resume_hints_fit_where_the_command_stopped():
    progress = Progress()
    from pathlib import Path

    assert "status --external kv-1" in _resume_hint(progress, "kv-1", Path("."))
    progress.update(task("processing", "42"))
    assert _resume_hint(progress, "kv-1", Path("out dir")) == (
        "task 42 goes on; resume with: kling-video wait 42 --out 'out dir'"
    )
    progress.downloading()
    assert progress.phase is Phase.DOWNLOADING
    assert "kling-video download 42 --out ." in _resume_hint(progress, "kv-1", Path("."))

"""The ``kling-video`` command group and its commands.

Every command is a thin layer over ``client.text2video``: the CLI adds option parsing, the
progress display and exit codes, and never a rule of its own about requests, so the CLI and the
library cannot disagree about what is valid. Errors are turned into one line and an exit code
in one place, ``KlingGroup.invoke``, so that no command can leak a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from kling_video import _constants as C
from kling_video import errors
from kling_video._logging import RedactingFilter
from kling_video._params import CreateParams
from kling_video._version import __version__
from kling_video.camera import CameraControl
from kling_video.cli.exit_codes import EPILOG, ExitCode, exit_code_for
from kling_video.cli.options import CAMERA
from kling_video.cli.progress import Phase, Progress, make_progress
from kling_video.cli.render import echo_json, task_json, task_lines, task_table
from kling_video.cli.storyboard import load_storyboard
from kling_video.client import KlingVideo
from kling_video.model_table import MODELS
from kling_video.task import Task
from kling_video.text2video import new_external_task_id

__all__ = ["cli"]

PROG = "kling-video"
SIMULATOR_EXTRA = "pip install 'kling-video[simulator]'"

# The demo's simulator: a 60 s task (12 s of it queued) at 12x speed takes 5 s of real time,
# long enough to watch the progress, short enough not to bore; polled twice a second.
DEMO_SPEED = 12.0
DEMO_QUEUE_SECONDS = 12.0
DEMO_RUN_SECONDS = 60.0
DEMO_POLL_INTERVAL = 0.5
DEMO_PROMPT = "a red fox trotting through fresh snow at dawn, soft golden light, cinematic wide shot"


# --- settings and logging ------------------------------------------------------------------------


@dataclass
class Settings:
    """The global options, handed to every command through ``ctx.obj``."""

    api_key: str | None = None
    base_url: str | None = None
    json: bool = False
    verbose: bool = False
    max_retries: int | None = None
    used_base_url: str | None = None

    def client(self, *, api_key: str | None = None, base_url: str | None = None) -> KlingVideo:
        """A client for the chosen gateway. A missing key is reported by the first call that needs
        one (after the request is validated, so a new user learns what is wrong with it first)."""
        client = KlingVideo(
            api_key=api_key or self.api_key,
            base_url=base_url or self.base_url,
            max_retries=self.max_retries,
        )
        self.used_base_url = client.base_url
        return client

    def progress(self) -> Progress:
        # -v writes log lines to stderr, which would tear a live line apart: plain lines then.
        return make_progress(quiet=self.json, plain=self.verbose)


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time, so test runners and rich's Live see it."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:
            self.handleError(record)


class _Brief(logging.Formatter):
    """``warning: ...``, in the lower case of the CLI's own ``error: ...`` lines."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


_LOGGERS = (C.LOGGER_NAME, "httpx")


def setup_logging(verbose: bool) -> None:
    """Warnings always (an unknown model, say), one line each; with -v every debug line too.

    httpx's INFO lines (one per request, with the URL and status) join in with -v: they show what
    went over the wire. The key never appears: it travels only in headers, which neither logs,
    and the RedactingFilter masks any bearer token all the same. Safe to call again (tests do).
    """
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
            logger.removeHandler(old)
    handler = _StderrHandler(logging.DEBUG if verbose else logging.WARNING)
    handler.addFilter(RedactingFilter())
    if verbose:
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s", "%H:%M:%S"))
    else:
        handler.setFormatter(_Brief())
    package = logging.getLogger(C.LOGGER_NAME)
    package.addHandler(handler)
    if verbose:
        package.setLevel(logging.DEBUG)
        http = logging.getLogger("httpx")
        http.addHandler(handler)
        http.setLevel(logging.INFO)


# --- errors ------------------------------------------------------------------------------------


def error_lines(error: BaseException, *, resume: str = "", where: str | None = None) -> list[str]:
    """What went wrong, one line per problem, in words a person can act on.

    ``resume`` is appended to the suggested ``wait`` command, for options worth repeating;
    ``where`` is the base URL, which a connection error should name (a typo in it is common).
    """
    if isinstance(error, errors.ValidationError):
        return [f"error: {problem}" for problem in error.problems]
    if isinstance(error, errors.MissingAPIKeyError):
        return [f"error: no API key: pass --api-key or set {C.API_KEY_ENV} (or try it without one: {PROG} demo)"]
    if isinstance(error, errors.WaitTimeoutError):
        return [f"error: {error}; the task goes on: {PROG} wait {error.task_id}{resume}"]
    if isinstance(error, errors.DestinationExistsError):
        return [f"error: will not overwrite {', '.join(map(str, error.paths))} (pass --overwrite)"]
    if isinstance(error, errors.AuthenticationError):
        return [f"error: the API refused the key: {error}; check --api-key or {C.API_KEY_ENV}"]
    if isinstance(error, errors.APIError):
        return [f"error: the API refused the request: {error}"]
    if isinstance(error, errors.APIConnectionError):
        return [f"error: could not reach {where or 'the API'}: {error}"]
    if isinstance(error, errors.DownloadError):
        return [f"error: download failed: {error}"]
    if isinstance(error, click.ClickException):
        return [f"error: {error.format_message()}"]
    if isinstance(error, errors.KlingError):
        return [f"error: {error}"]
    if isinstance(error, OSError):
        return [f"error: could not save the video: {error}"]
    return [f"error: unexpected {type(error).__name__}: {error} (run with -v for the traceback)"]


class KlingGroup(click.Group):
    """The group that turns every failure below it into one line on stderr and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.UsageError):
            raise  # click's own: it prints them, and its usage errors already exit 2
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except BrokenPipeError:
            # The reader of stdout went away (`| head`). Point stdout at /dev/null so that the
            # interpreter's final flush does not complain about the pipe too, and leave quietly.
            with contextlib.suppress(OSError, ValueError):  # a stdout without a descriptor: nothing to do
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(exit_code_for(BrokenPipeError()))
        except Exception as error:
            settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
            fail(error, settings)


def fail(error: BaseException, settings: Settings, *, resume: str = "") -> NoReturn:
    """Report and exit; commands call it directly only to add what the group cannot know (``resume``)."""
    if settings.verbose:
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    if settings.json:
        # A script asked for the task; a failed or unfinished one is still an answer about it.
        task = getattr(error, "task", None)
        if isinstance(task, Task):
            echo_json(task_json(task))
    for line in error_lines(error, resume=resume, where=settings.used_base_url):
        click.echo(line, err=True)
    raise click.exceptions.Exit(exit_code_for(error))


def interrupted(hint: str) -> NoReturn:
    click.echo(f"\ninterrupted: {hint}", err=True)
    raise click.exceptions.Exit(ExitCode.INTERRUPTED)


# --- the group -----------------------------------------------------------------------------------


@click.group(cls=KlingGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--api-key",
    envvar=C.API_KEY_ENV,
    show_envvar=True,
    metavar="KEY",
    help="The anyapi key (never printed).",
)
@click.option(
    "--base-url",
    envvar=C.BASE_URL_ENV,
    show_envvar=True,
    metavar="URL",
    help=f"The gateway. [default: {C.BASE_URL}]",
)
@click.option("--json", "json_output", is_flag=True, help="Print results as JSON on stdout, and no progress.")
@click.option("-v", "--verbose", is_flag=True, help="Log every request and decision to stderr; tracebacks on error.")
@click.option(
    "--max-retries",
    type=click.IntRange(min=0),
    metavar="N",
    help=f"Retries of a transient failure per request. [default: {C.MAX_RETRIES}]",
)
@click.version_option(__version__, "--version", prog_name=PROG)
@click.pass_context
def cli(
    ctx: click.Context,
    api_key: str | None,
    base_url: str | None,
    json_output: bool,
    verbose: bool,
    max_retries: int | None,
) -> None:
    """Kling text-to-video from the command line: a prompt in, an MP4 out.

    \b
      kling-video demo                          try it now: no key, a local simulator
      kling-video generate "a fox in the snow"  create, wait with progress, download
      kling-video generate "..." --no-wait      just create; then: kling-video wait ID

    The key comes from --api-key or KLING_API_KEY; results go to stdout, progress and errors to
    stderr.
    """
    setup_logging(verbose)
    ctx.obj = Settings(
        api_key=api_key or None,
        base_url=base_url or None,
        json=json_output,
        verbose=verbose,
        max_retries=max_retries,
    )


pass_settings = click.make_pass_decorator(Settings)


# --- generate ----------------------------------------------------------------------------------

_wait_options = [
    click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        metavar="SECONDS",
        help=f"Give up waiting after this long; the task goes on. [default: {C.WAIT_TIMEOUT:g}]",
    ),
    click.option(
        "--poll-interval",
        type=click.FloatRange(min=0, min_open=True),
        metavar="SECONDS",
        help="Ask every this many seconds. [default: a schedule fitted to Kling's timing]",
    ),
]


def wait_options(f: Any) -> Any:
    for option in reversed(_wait_options):
        f = option(f)
    return f


@cli.command(epilog=EPILOG)
@click.argument("prompt", required=False)
@click.option("--model", "model_name", metavar="NAME", help=f"[default: {C.DEFAULT_MODEL_NAME}; {', '.join(MODELS)}]")
@click.option("--mode", type=click.Choice(C.MODES), help=f"std is cheaper, pro better. [default: {C.DEFAULT_MODE}]")
@click.option(
    "--duration",
    type=int,
    metavar="SECONDS",
    help=f"Video length. [default: {C.DEFAULT_DURATION}; with --storyboard, the sum of the shots]",
)
@click.option("--aspect-ratio", type=click.Choice(C.ASPECT_RATIOS), help=f"[default: {C.DEFAULT_ASPECT_RATIO}]")
@click.option("--negative", "negative_prompt", metavar="TEXT", help="What the video should not show.")
@click.option("--cfg-scale", type=float, metavar="0..1", help="Prompt adherence (kling-v1 and kling-v1-6 only).")
@click.option("--sound", type=click.Choice(C.SOUND_VALUES), help="Generate sound (kling-v2-6 pro, kling-v3).")
@click.option(
    "--camera",
    "camera_control",
    type=CAMERA,
    help="Camera movement: simple:AXIS=VALUE (axes: "
    + ", ".join(C.CAMERA_AXES)
    + "; -10..10) or a preset: "
    + ", ".join(C.CAMERA_TYPES[1:])
    + ". E.g. simple:zoom=5.",
)
@click.option("--watermark/--no-watermark", default=None, help="Also make a watermarked copy.")
@click.option("--callback-url", metavar="URL", help="The server POSTs the task here on each status change.")
@click.option("--external-id", "external_task_id", metavar="ID", help="Your own unique id for the task.")
@click.option(
    "--storyboard",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A YAML or JSON list of shots (prompt, duration) for a multi-shot video; omit PROMPT.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for the video.",
)
@click.option("--no-wait", is_flag=True, help="Create the task, print its id and stop.")
@wait_options
@click.option("--overwrite", is_flag=True, help="Replace a video of the same name in --out.")
@pass_settings
def generate(
    settings: Settings,
    /,
    prompt: str | None,
    storyboard: Path | None,
    out: Path,
    no_wait: bool,
    timeout: float | None,
    poll_interval: float | None,
    overwrite: bool,
    **options: Any,
) -> None:
    """Make a video of PROMPT: create the task, wait with progress, save the MP4 in --out.

    Prints the saved path. Everything is checked before anything is sent, so a wrong option
    costs nothing.
    """
    if prompt is None and storyboard is None:
        raise click.UsageError("give a PROMPT, or --storyboard FILE for a multi-shot video")
    if prompt is not None and storyboard is not None:
        raise click.UsageError("give either a PROMPT or --storyboard, not both: each shot has its own prompt")
    fields = request_fields(options, storyboard)
    with settings.client() as client:
        run_generate(
            settings,
            client,
            prompt,
            fields,
            out=out,
            no_wait=no_wait,
            timeout=timeout,
            poll_interval=poll_interval,
            overwrite=overwrite,
        )


def request_fields(options: dict[str, Any], storyboard: Path | None) -> CreateParams:
    """The create call's keyword arguments, only those given: the wrapper fills the defaults."""
    fields: CreateParams = {}
    for name in (
        "model_name",
        "mode",
        "duration",
        "aspect_ratio",
        "negative_prompt",
        "cfg_scale",
        "sound",
        "watermark",
        "callback_url",
        "external_task_id",
    ):
        if options.get(name) is not None:
            fields[name] = options[name]
    camera = options.get("camera_control")
    if isinstance(camera, CameraControl):
        fields["camera_control"] = camera
    if storyboard is not None:
        fields["shots"] = load_storyboard(storyboard)
    return fields


def run_generate(
    settings: Settings,
    client: KlingVideo,
    prompt: str | None,
    fields: CreateParams,
    *,
    out: Path,
    no_wait: bool = False,
    timeout: float | None = None,
    poll_interval: float | None = None,
    overwrite: bool = False,
    resumable: bool = True,
) -> Task:
    """Create, wait, download: the one path behind ``generate`` and ``demo``.

    The external_task_id is chosen here when the user gave none (the wrapper would choose one
    just the same), so that a Ctrl-C during the create can still name the task to look for.
    ``resumable`` is False for the demo, whose simulator dies with it.
    """
    fields = {**fields, "external_task_id": fields.get("external_task_id") or new_external_task_id()}
    external_id = fields["external_task_id"]
    if no_wait:
        task = client.text2video.create(prompt, **fields)
        if settings.json:
            echo_json(task_json(task))
        else:
            click.echo(task.task_id)
            click.echo(f"created; wait for it with: {PROG} wait {task.task_id}{_out_hint(out)}", err=True)
        return task

    progress = settings.progress()
    try:
        with progress:
            progress.creating()

            def on_update(task: Task) -> None:
                progress.update(task)
                if task.succeeded:
                    progress.downloading()

            result = client.text2video.generate(
                prompt,
                dest=out,
                timeout=timeout,
                poll_interval=poll_interval,
                on_update=on_update,
                overwrite=overwrite,
                **fields,
            )
            progress.finished(result.task)
    except KeyboardInterrupt:
        if not resumable:
            interrupted("the demo stopped, and its simulator with it")
        interrupted(_resume_hint(progress, external_id, out))
    except errors.WaitTimeoutError as error:
        # The wrapper's message cannot know the CLI's words for resuming: say them here.
        fail(error, settings, resume=_out_hint(out))
    paths = [path.resolve() for path in result.paths]
    if settings.json:
        echo_json(task_json(result.task, paths))
    else:
        for path in paths:
            click.echo(str(path))
    return result.task


def _out_hint(out: Path) -> str:
    """``wait`` saves the video only when given --out, so a hint to resume always names it."""
    return f" --out {shlex.quote(str(out))}"


def _resume_hint(progress: Progress, external_id: str, out: Path) -> str:
    task_id = progress.task_id
    if progress.phase is Phase.CREATING or task_id is None:
        return f"the task may have been created; look for it with: {PROG} status --external {shlex.quote(external_id)}"
    if progress.phase is Phase.DOWNLOADING:
        return f"task {task_id} is done; download it with: {PROG} download {task_id}{_out_hint(out)}"
    return f"task {task_id} goes on; resume with: {PROG} wait {task_id}{_out_hint(out)}"


# --- status, wait, download, list ----------------------------------------------------------------


@cli.command(epilog=EPILOG)
@click.argument("task_id", metavar="ID")
@click.option("--external", is_flag=True, help="ID is your external task id (--external-id), not the task id.")
@pass_settings
def status(settings: Settings, task_id: str, external: bool) -> None:
    """Show a task: its status, its videos' URLs, why it failed."""
    with settings.client() as client:
        task = client.text2video.get(external_task_id=task_id) if external else client.text2video.get(task_id)
    _show(settings, task)


@cli.command(epilog=EPILOG)
@click.argument("task_id", metavar="ID")
@wait_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also save the videos in this folder once the task succeeds.",
)
@click.option("--overwrite", is_flag=True, help="Replace a video of the same name in --out.")
@pass_settings
def wait(
    settings: Settings,
    task_id: str,
    timeout: float | None,
    poll_interval: float | None,
    out: Path | None,
    overwrite: bool,
) -> None:
    """Wait for a task to end, with progress; exit 4 if it failed, 5 if time ran out."""
    progress = settings.progress()
    with settings.client() as client:
        try:
            with progress:
                progress.waiting_for(task_id)
                task = client.text2video.wait(
                    task_id, timeout=timeout, poll_interval=poll_interval, on_update=progress.update
                )
                paths: list[Path] = []
                if out is not None:
                    progress.downloading()
                    paths = client.text2video.download(task, out, overwrite=overwrite)
                progress.finished(task)
        except KeyboardInterrupt:
            again = f"{PROG} wait {task_id}{'' if out is None else _out_hint(out)}"
            interrupted(f"task {task_id} goes on; resume with: {again}")
    _show(settings, task, [p.resolve() for p in paths])


@cli.command(epilog=EPILOG)
@click.argument("task_id", metavar="ID")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for the videos.",
)
@click.option("--watermark", is_flag=True, help="Save the watermarked copies instead.")
@click.option("--overwrite", is_flag=True, help="Replace videos of the same name in --out.")
@pass_settings
def download(settings: Settings, task_id: str, out: Path, watermark: bool, overwrite: bool) -> None:
    """Save the videos of a finished task; prints their paths."""
    with settings.client() as client:
        task = client.text2video.get(task_id)
        paths = [p.resolve() for p in client.text2video.download(task, out, watermark=watermark, overwrite=overwrite)]
    if settings.json:
        echo_json(task_json(task, paths))
    else:
        for path in paths:
            click.echo(str(path))


@cli.command(name="list", epilog=EPILOG)
@click.option("--page", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--page-size", type=click.IntRange(1, 500), default=30, show_default=True)
@click.option("--all", "all_pages", is_flag=True, help="Every task, page after page (ignores --page).")
@pass_settings
def list_tasks(settings: Settings, page: int, page_size: int, all_pages: bool) -> None:
    """List your tasks, newest first."""
    with settings.client() as client:
        if all_pages:
            tasks = list(client.text2video.iter_all(page_size=page_size))
        else:
            tasks = client.text2video.list(page=page, page_size=page_size)
    if settings.json:
        echo_json([task_json(t) for t in tasks])
    elif tasks:
        for line in task_table(tasks):
            click.echo(line)
    else:
        click.echo("no tasks", err=True)


def _show(settings: Settings, task: Task, paths: Sequence[Path] = ()) -> None:
    if settings.json:
        echo_json(task_json(task, list(paths) if paths else None))
    else:
        for line in task_lines(task, paths):
            click.echo(line)


# --- the simulator and the demo --------------------------------------------------------------------


def _missing_simulator(error: ImportError) -> NoReturn:
    """One line saying how to get the simulator's extra dependencies; any other ImportError is a bug."""
    if (error.name or "").partition(".")[0] not in ("starlette", "uvicorn", "anyio", "h11"):
        raise error
    click.echo(f"error: the simulator needs extra packages ({error.name} is missing): {SIMULATOR_EXTRA}", err=True)
    raise click.exceptions.Exit(ExitCode.UNEXPECTED)


@cli.command(epilog=EPILOG)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8787, show_default=True, help="0: any free port.")
@click.option("--api-key", "sim_key", metavar="KEY", help="The key clients must send. [default: sk-simulator]")
@click.option("--speed", type=click.FloatRange(min=0), default=60.0, show_default=True, help="Simulated s per real s.")
@click.option("--queue-seconds", type=click.FloatRange(min=0), default=5.0, show_default=True, help="Time queued.")
@click.option("--run-seconds", type=click.FloatRange(min=0), default=60.0, show_default=True, help="Create to done.")
def simulator(
    host: str, port: int, sim_key: str | None, speed: float, queue_seconds: float, run_seconds: float
) -> None:
    """Run the local gateway simulator in the foreground, for pointing a client at it (Ctrl-C stops).

    Tasks succeed with a short sample MP4; a prompt containing "simulate-failure" fails.
    """
    try:
        from kling_video.testing.serve import serve
        from kling_video.testing.simulator import DEFAULT_API_KEY
    except ImportError as error:
        _missing_simulator(error)
    try:
        serve(
            host=host,
            port=port,
            api_key=sim_key or DEFAULT_API_KEY,
            speed=speed,
            queue_seconds=queue_seconds,
            run_seconds=run_seconds,
        )
    except OSError as error:  # the port is taken, or the address is not ours: an option to change
        raise click.UsageError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error


@cli.command(epilog=EPILOG)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for the video.",
)
@click.option("--prompt", default=DEMO_PROMPT, show_default=True, help="What to ask for.")
@pass_settings
def demo(settings: Settings, out: Path, prompt: str) -> None:
    """Try it without a key: generate a video against a local simulator of the gateway.

    Runs exactly what `generate` runs, against a simulator started in-process on a fast clock,
    so a task takes seconds instead of minutes. The video is a short sample clip.
    """
    try:
        from kling_video.testing import Simulator

        sim = Simulator(speed=DEMO_SPEED, queue_seconds=DEMO_QUEUE_SECONDS, run_seconds=DEMO_RUN_SECONDS)
    except ImportError as error:
        _missing_simulator(error)
    with sim:
        if not settings.json:
            click.echo(f"demo: a local simulator of the gateway runs at {sim.base_url}; no key, no cost", err=True)
        with settings.client(api_key=sim.api_key, base_url=sim.base_url) as client:
            run_generate(
                settings,
                client,
                prompt,
                {},
                out=out,
                poll_interval=DEMO_POLL_INTERVAL,
                resumable=False,
            )
        if not settings.json:  # said before the simulator's shutdown, which takes a moment
            click.echo(
                "demo: done; the video is the simulator's sample clip. For your own, with a real key:\n"
                f'  export {C.API_KEY_ENV}=...; {PROG} generate "your prompt"',
                err=True,
            )

"""The CLI as a user meets it: the console script, ``python -m``, the demo, Ctrl-C, a terminal."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kling_video import KlingVideo
from kling_video.testing import Simulator

from tests.cli.helpers import SAMPLE, console_script, runner_for, subprocess_env

pytestmark = pytest.mark.integration


def test_the_console_script_generates_against_a_running_simulator(sim, tmp_path):
    env = subprocess_env(KLING_API_KEY=sim.api_key, KLING_BASE_URL=sim.base_url)
    done = subprocess.run(
        [console_script(), "generate", "a fox in the snow", "--out", str(tmp_path), "--poll-interval", "0.05"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    saved = Path(done.stdout.strip())
    assert saved.parent == tmp_path.resolve()
    assert saved.read_bytes() == SAMPLE
    assert "Traceback" not in done.stderr


def test_the_console_script_exit_code_for_invalid_input(sim):
    env = subprocess_env(KLING_API_KEY=sim.api_key, KLING_BASE_URL=sim.base_url)
    done = subprocess.run(
        [console_script(), "generate", "a fox", "--duration", "7"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: duration: ")
    assert sim.requests == []


def test_python_dash_m_kling_video_help():
    done = subprocess.run(
        [sys.executable, "-m", "kling_video", "--help"],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: kling-video ")
    for command in ("generate", "status", "wait", "download", "list", "simulator", "demo"):
        assert f"  {command} " in done.stdout
    assert "Exit codes:" in done.stdout


def test_importing_the_library_does_not_import_the_cli():
    code = "import sys, kling_video; print(sorted(m for m in ('kling_video.cli', 'yaml') if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.slow
def test_demo_leaves_a_playable_mp4(tmp_path):
    run = runner_for(None, None)  # no key, no gateway: the demo needs neither
    started = time.monotonic()
    result = run("demo", "--out", str(tmp_path))
    took = time.monotonic() - started
    assert result.exit_code == 0, result.stderr
    saved = Path(result.stdout.strip())
    assert saved.parent == tmp_path.resolve()
    data = saved.read_bytes()
    assert data[4:8] == b"ftyp"  # an ISO base media file opens with its ftyp box
    assert data == SAMPLE
    assert 3 < took < 20  # slow enough to watch the progress, quick enough to enjoy
    assert "processing" in result.stderr
    assert "kling-video generate" in result.stderr  # and what to do next


def test_demo_json(tmp_path, monkeypatch):
    from kling_video.cli import app

    monkeypatch.setattr(app, "DEMO_SPEED", 600.0)  # the watching is tested above; here only the output
    result = runner_for(None, None)("--json", "demo", "--out", str(tmp_path), "--prompt", "a heron")
    assert result.exit_code == 0, result.stderr
    import json

    data = json.loads(result.stdout)
    assert data["status"] == "succeed"
    assert Path(data["paths"][0]).read_bytes()[4:8] == b"ftyp"
    assert result.stderr == ""


@pytest.mark.parametrize("command", [["demo"], ["simulator", "--port", "0"]])
def test_without_the_simulator_extra_one_line_says_how_to_install_it(monkeypatch, command):
    for name in list(sys.modules):
        if name.startswith(("kling_video.testing.", "uvicorn")):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn now fails, as when not installed
    result = runner_for(None, None)(*command)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: the simulator needs extra packages (uvicorn is missing): pip install 'kling-video[simulator]'\n"
    )


def _start(args: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [console_script(), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs
    )


def test_ctrl_c_while_waiting_says_how_to_resume_and_exits_130(make_sim, tmp_path):
    sim = make_sim(speed=1)  # the task runs for a real minute
    env = subprocess_env(KLING_API_KEY=sim.api_key, KLING_BASE_URL=sim.base_url)
    process = _start(["generate", "a fox", "--out", str(tmp_path), "--poll-interval", "0.1"], env)
    try:
        deadline = time.monotonic() + 30
        while not sim.tasks and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # into the wait
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    task_id = sim.tasks[0]["task_id"]
    assert process.returncode == 130
    assert f"interrupted: task {task_id} goes on; resume with: kling-video wait {task_id} --out {tmp_path}" in err
    assert "Traceback" not in err
    assert out == ""


def test_the_simulator_command_serves_until_ctrl_c(tmp_path):
    process = _start(["simulator", "--port", "0", "--speed", "600"], subprocess_env())
    try:
        first = process.stdout.readline() if process.stdout else ""
        assert first.startswith("Kling simulator listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1].strip()
        run = runner_for(url, "sk-simulator")
        created = run("generate", "a fox", "--out", str(tmp_path), "--poll-interval", "0.05")
        assert created.exit_code == 0, created.stderr
        assert Path(created.stdout.strip()).read_bytes() == SAMPLE
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0


def test_the_simulator_command_on_a_taken_port_is_a_usage_error():
    with Simulator() as taken:
        done = subprocess.run(
            [console_script(), "simulator", "--port", str(taken.port)],
            env=subprocess_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{taken.port}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_on_a_terminal_the_progress_is_a_live_line(make_sim, tmp_path):
    sim = make_sim(speed=60)  # a one-second task: a few frames of animation
    env = subprocess_env(KLING_API_KEY=sim.api_key, KLING_BASE_URL=sim.base_url, TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [console_script(), "generate", "a fox", "--out", str(tmp_path), "--poll-interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=follower,
        text=False,
    )
    os.close(follower)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other end closed: the process is gone
                break
            if not chunk:
                break
            chunks.append(chunk)
        out, _ = process.communicate(timeout=30)
    finally:
        process.kill()
        os.close(leader)
    screen = b"".join(chunks).decode("utf-8", "replace")
    task_id = sim.tasks[0]["task_id"]
    assert process.returncode == 0, screen
    assert "\x1b[" in screen  # drawn in place, not line after line
    assert f"task {task_id}" in screen
    assert "processing" in screen
    assert "succeeded in 0:0" in screen
    assert f"task {task_id}: submitted" not in screen  # the plain lines are for pipes
    assert Path(out.decode().strip()).read_bytes() == SAMPLE


def test_a_reader_that_leaves_early_is_not_an_error_to_report(sim):
    with KlingVideo(api_key=sim.api_key, base_url=sim.base_url) as client:
        client.text2video.create("a fox in the snow at dawn")
    env = subprocess_env(KLING_API_KEY=sim.api_key, KLING_BASE_URL=sim.base_url)
    reader, writer = os.pipe()
    os.close(reader)  # like `| head` that has already left: every write now fails with EPIPE
    try:
        done = subprocess.run(
            [console_script(), "--json", "list"],
            env=env,
            stdout=writer,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writer)
    assert done.returncode == 1
    assert done.stderr == b""

"""The simulator as a process-level thing: lifecycle, the command line, the pytest plugin."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import httpx
import pytest
from kling_video.testing import Simulator
from kling_video.testing.serve import serve

pytestmark = pytest.mark.integration

PATH = "/kling/v1/videos/text2video"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(base_url: str, key: str = "sk-simulator") -> int:
    return httpx.get(base_url + PATH, headers={"Authorization": f"Bearer {key}"}, timeout=2).status_code


def test_the_context_manager_serves_on_loopback_then_lets_go():
    with Simulator() as sim:
        assert sim.base_url == f"http://127.0.0.1:{sim.port}"
        assert sim.port > 0
        assert sim.api_key == "sk-simulator"
        assert answers(sim.base_url) == 200
    with pytest.raises(httpx.ConnectError):
        answers(sim.base_url)


def test_start_and_stop_by_hand():
    sim = Simulator(speed=0)
    with pytest.raises(RuntimeError, match="not started"):
        _ = sim.base_url
    assert sim.start() is sim
    try:
        assert answers(sim.base_url) == 200
        with pytest.raises(RuntimeError, match="already running"):
            sim.start()
    finally:
        sim.stop()
    sim.stop()  # twice is fine
    with pytest.raises(httpx.ConnectError):
        answers(sim.base_url)
    with pytest.raises(RuntimeError, match="cannot be started again"):
        sim.start()


def test_a_chosen_port_is_used():
    port = free_port()
    with Simulator(port=port) as sim:
        assert sim.base_url == f"http://127.0.0.1:{port}"
        assert answers(sim.base_url) == 200


def test_a_taken_port_fails_loudly():
    with Simulator() as first, pytest.raises(OSError):
        Simulator(port=first.port).start()


def test_two_simulators_are_independent():
    with Simulator(speed=0) as one, Simulator(speed=0, api_key="sk-two") as two:
        assert one.port != two.port
        httpx.post(
            one.base_url + PATH,
            headers={"Authorization": "Bearer sk-simulator"},
            json={"model_name": "kling-v1", "mode": "std", "duration": "5", "multi_shot": False, "prompt": "x"},
        )
        assert len(one.tasks) == 1
        assert two.tasks == []
        assert answers(two.base_url, "sk-two") == 200


def test_serve_prints_where_and_stops_when_told():
    out = io.StringIO()
    stop = threading.Event()
    port = free_port()
    thread = threading.Thread(
        target=serve, kwargs={"port": port, "api_key": "sk-served", "speed": 0, "out": out, "stop": stop}
    )
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while "KLING_API_KEY" not in out.getvalue():
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert f"KLING_BASE_URL=http://127.0.0.1:{port}" in out.getvalue()
        assert "KLING_API_KEY=sk-served" in out.getvalue()
        assert answers(f"http://127.0.0.1:{port}", "sk-served") == 200
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def test_python_dash_m_runs_it_in_the_foreground():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kling_video.testing", "--port", str(port), "--api-key", "sk-cli", "--speed", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(20, process.kill)  # a hung start must not hang the test run
    watchdog.start()
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        assert lines[1].strip() == f"KLING_BASE_URL=http://127.0.0.1:{port}"
        assert lines[2].strip() == "KLING_API_KEY=sk-cli"
        assert answers(f"http://127.0.0.1:{port}", "sk-cli") == 200
        assert answers(f"http://127.0.0.1:{port}", "sk-simulator") == 401
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()


def test_fault_and_the_plugin_load_without_the_server_stack():
    code = (
        "import sys\n"
        "import kling_video.testing.pytest_plugin\n"
        "from kling_video.testing import Fault\n"
        "Fault('drop')\n"
        "assert 'starlette' not in sys.modules and 'uvicorn' not in sys.modules, 'imported too early'\n"
        "from kling_video.testing import Simulator\n"
        "assert 'starlette' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_the_pytest_plugin_gives_a_started_simulator(tmp_path):
    (tmp_path / "test_uses_plugin.py").write_text(
        textwrap.dedent(
            """
            import httpx
            import pytest

            def test_default(kling_simulator):
                assert kling_simulator.speed == 600
                response = httpx.get(
                    kling_simulator.base_url + "/kling/v1/videos/text2video",
                    headers={"Authorization": f"Bearer {kling_simulator.api_key}"},
                )
                assert response.status_code == 200

            @pytest.mark.kling_simulator(speed=0, api_key="sk-marked")
            def test_marked(kling_simulator):
                assert kling_simulator.speed == 0
                assert kling_simulator.api_key == "sk-marked"
            """
        )
    )
    # Only this plugin, explicitly: the run is then the same whether or not an entry point
    # registers it too.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-p", "kling_video.testing.pytest_plugin",
            "-p", "no:cacheprovider", "--strict-markers", "-q", str(tmp_path),
        ],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout

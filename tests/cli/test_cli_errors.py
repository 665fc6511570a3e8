"""Each outcome has its exit code and one line on stderr, never a traceback, never the key."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from kling_video import errors
from kling_video.cli import app
from kling_video.cli.exit_codes import EPILOG, ExitCode, exit_code_for
from kling_video.testing import Fault

from tests.cli.helpers import POLL, creates, free_port, no_traceback, runner_for

pytestmark = pytest.mark.integration


def test_invalid_input_exits_2_naming_the_field_and_sends_nothing(run, sim):
    result = run("generate", "a fox", "--duration", "7")
    assert result.exit_code == ExitCode.INVALID_INPUT == 2
    assert result.stderr.startswith("error: duration: ")
    assert "kling-v2-5-turbo" in result.stderr
    assert "5 or 10" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ""
    assert sim.requests == []  # validated before anything left
    no_traceback(result)


def test_invalid_input_is_named_even_before_a_key_is_set(run, sim):
    """A new user without a key learns what is wrong with the request, not only that a key is missing."""
    result = run("generate", "a fox", "--duration", "7", env={"KLING_API_KEY": None})
    assert result.exit_code == 2
    assert result.stderr.startswith("error: duration: ")
    assert sim.requests == []


def test_several_problems_are_one_line_each(run, sim):
    result = run("generate", "a fox", "--duration", "7", "--cfg-scale", "0.5", "--sound", "on")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    assert [line.split(":")[1].strip() for line in lines] == ["duration", "cfg_scale", "sound"]
    assert sim.requests == []


def test_invalid_input_sends_nothing_with_no_wait_and_json_too(run, sim):
    result = run("--json", "generate", "x" * 2501, "--no-wait")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "error: prompt: " in result.stderr
    assert sim.requests == []


def test_click_usage_errors_are_2_too(run, sim):
    assert run("generate", "a fox", "--mode", "ultra").exit_code == 2
    assert run("generate", "a fox", "--duration", "five").exit_code == 2
    assert run("no-such-command").exit_code == 2
    assert sim.requests == []


def test_no_key_exits_2_and_says_how_to_set_one(sim):
    result = runner_for(sim.base_url, None)("list")
    assert result.exit_code == 2
    assert "error: no API key: pass --api-key or set KLING_API_KEY" in result.stderr
    assert "kling-video demo" in result.stderr
    assert sim.requests == []


def test_plain_http_to_a_remote_host_is_refused_before_sending(sim):
    result = runner_for("http://example.com", "sk-x")("list")
    assert result.exit_code == 2
    assert "plain http" in result.stderr


def test_a_wrong_key_exits_3(sim):
    result = runner_for(sim.base_url, "sk-wrong")("generate", "a fox")
    assert result.exit_code == ExitCode.API_REFUSED == 3
    assert "HTTP 401" in result.stderr
    assert "check --api-key or KLING_API_KEY" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert sim.tasks == []
    no_traceback(result)


def test_a_failed_task_exits_4_with_the_reason(run, sim, tmp_path):
    result = run("generate", "please simulate-failure now", "--out", str(tmp_path), "--poll-interval", POLL)
    assert result.exit_code == ExitCode.TASK_FAILED == 4
    task_id = sim.tasks[0]["task_id"]
    assert f"error: task {task_id} failed: " in result.stderr
    assert "content moderation" in result.stderr
    assert list(tmp_path.iterdir()) == []
    no_traceback(result)


def test_a_failed_task_with_json_still_prints_the_task(run, sim):
    result = run("--json", "generate", "simulate-failure", "--poll-interval", POLL)
    assert result.exit_code == 4
    data = json.loads(result.stdout)
    assert data["status"] == "failed"
    assert data["status_message"]
    assert result.stderr.startswith("error: task ")


def test_wait_on_a_failed_task_exits_4(run, sim):
    task_id = run("generate", "simulate-failure", "--no-wait").stdout.strip()
    result = run("wait", task_id, "--poll-interval", POLL)
    assert result.exit_code == 4


def test_a_wait_timeout_exits_5_and_says_how_to_resume(make_sim, tmp_path):
    sim = make_sim(speed=1)  # a 60 s task at real speed: far longer than the timeout
    run = runner_for(sim.base_url, sim.api_key)
    result = run("generate", "a fox", "--timeout", "0.3", "--poll-interval", "0.1", "--out", str(tmp_path))
    assert result.exit_code == ExitCode.WAIT_TIMEOUT == 5
    task_id = sim.tasks[0]["task_id"]
    assert "did not finish within 0.3 s" in result.stderr
    assert f"kling-video wait {task_id} --out {tmp_path}" in result.stderr
    assert result.stderr.count("error:") == 1
    no_traceback(result)
    waited = run("wait", task_id, "--timeout", "0.2", "--poll-interval", "0.1")
    assert waited.exit_code == 5


def test_connection_refused_exits_6(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    result = runner_for(url, "sk-x")("--max-retries", "0", "generate", "a fox", "--out", str(tmp_path))
    assert result.exit_code == ExitCode.CONNECTION == 6
    assert result.stderr.startswith(f"error: could not reach {url}: ")
    assert "Connection refused" in result.stderr or "ConnectError" in result.stderr
    no_traceback(result)


def test_a_broken_download_exits_7(run, sim, tmp_path):
    sim.inject(Fault("error", on="download", status=404, times=None))
    result = run("generate", "a fox", "--out", str(tmp_path), "--poll-interval", POLL)
    assert result.exit_code == ExitCode.DOWNLOAD == 7
    assert result.stderr.splitlines()[-1].startswith("error: download failed: HTTP 404")
    assert not any(tmp_path.iterdir())  # no partial file left behind
    no_traceback(result)


def test_an_unwritable_destination_exits_7(run, sim, tmp_path):
    (tmp_path / "taken").write_text("a file where the folder should be")
    result = run("generate", "a fox", "--out", str(tmp_path / "taken" / "videos"), "--poll-interval", POLL)
    assert result.exit_code == 7
    assert result.stderr.splitlines()[-1].startswith("error: could not save the video: ")
    no_traceback(result)


def test_an_unexpected_error_exits_1_without_a_traceback_unless_verbose(run, sim, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(app, "task_table", broken)
    run("generate", "a fox", "--no-wait")
    quiet = run("list")
    assert quiet.exit_code == ExitCode.UNEXPECTED == 1
    assert quiet.stderr == "error: unexpected RuntimeError: boom (run with -v for the traceback)\n"
    loud = run("-v", "list")
    assert loud.exit_code == 1
    assert "Traceback (most recent call last)" in loud.stderr
    assert loud.stderr.rstrip().endswith("error: unexpected RuntimeError: boom (run with -v for the traceback)")


def test_the_key_is_never_printed_even_verbose(make_sim, tmp_path):
    secret = "sk-live-0123456789abcdef-SECRET"
    sim = make_sim(api_key=secret)
    run = runner_for(sim.base_url, secret)
    outputs = []
    for args in (
        ("-v", "generate", "a fox", "--out", str(tmp_path), "--poll-interval", POLL),
        ("-v", "--json", "list"),
        ("-v", "generate", "simulate-failure", "--poll-interval", POLL),
        ("-v", "status", "404404"),
        ("-v", "--api-key", secret, "generate", "a fox", "--duration", "7"),
        ("--help",),
        ("generate", "--help"),
    ):
        result = run(*args)
        outputs.append(result.output + result.stderr)
    bad = runner_for(sim.base_url, secret + "-wrong")("-v", "list")
    outputs.append(bad.output + bad.stderr)
    assert "HTTP Request: POST" in outputs[0]  # -v did log the requests
    for text in outputs:
        assert secret not in text


def test_verbose_logs_go_through_the_redacting_filter(sim, capsys):
    app.setup_logging(verbose=True)
    try:
        logging.getLogger("kling_video").debug("sending Authorization: Bearer sk-abc123")
        assert "sk-abc123" not in capsys.readouterr().err
    finally:
        app.setup_logging(verbose=False)


def test_warnings_are_one_lowercase_line(run, sim):
    result = run("generate", "a fox", "--model", "kling-v99", "--no-wait")
    assert "warning: model_name 'kling-v99' is not in the model table" in result.stderr
    assert result.stderr.count("warning:") == 1
    assert result.exit_code == 3  # the simulator does not know it either


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.ValidationError([errors.Problem("duration", "range", "x")]), 2),
        (errors.ConfigurationError("no key"), 2),
        (errors.AuthenticationError("no", status_code=401, code=1001), 3),
        (errors.AccountError("arrears", status_code=429, code=1101), 3),
        (errors.RateLimitError("slow down", status_code=429, code=1302), 3),
        (errors.ServerError("down", status_code=503, code=5001), 3),
        (errors.APIConnectionError("refused"), 6),
        (errors.APITimeoutError("slow"), 6),
        (errors.DownloadError("cut"), 7),
        (errors.DestinationExistsError([Path("exists.mp4")]), 7),
        (PermissionError("read-only"), 7),
        (KeyboardInterrupt(), 130),
        (RuntimeError("bug"), 1),
    ],
)
def test_exit_code_for(error, code):
    assert exit_code_for(error) == code


def test_exit_codes_are_distinct_and_documented():
    values = [code.value for code in ExitCode]
    assert len(values) == len(set(values))
    for code in ExitCode:
        if code is not ExitCode.OK:
            assert f"\n  {code.value} " in EPILOG


def test_every_command_documents_the_exit_codes():
    from click.testing import CliRunner

    for command in ([], ["generate"], ["wait"]):
        result = CliRunner().invoke(app.cli, [*command, "--help"])
        assert result.exit_code == 0
        assert "Exit codes:" in result.stdout
        assert "130" in result.stdout


def test_creates_are_never_repeated_by_the_cli(run, sim):
    run("generate", "a fox", "--poll-interval", POLL)
    assert len(creates(sim)) == 1

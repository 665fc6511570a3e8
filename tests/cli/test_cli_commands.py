"""``status``, ``wait``, ``download``, ``list``: the commands that pick a task up again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import POLL, SAMPLE, no_traceback

pytestmark = pytest.mark.integration


def _create(run, *args: str) -> str:
    result = run("generate", "a fox", "--no-wait", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _finished(run, sim, *args: str) -> str:
    task_id = _create(run, *args)
    sim.advance(120)  # past the end of any task
    return task_id


def test_status_shows_the_task(run, sim):
    task_id = _finished(run, sim)
    result = run("status", task_id)
    assert result.exit_code == 0, result.stderr
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines() if not line.startswith("video"))
    assert lines["task"].strip() == task_id
    assert lines["status"].strip() == "succeed"
    assert "/media/" in result.stdout  # the video's URL


def test_status_json(run, sim):
    task_id = _create(run, "--external-id", "order-1")
    result = run("--json", "status", task_id)
    data = json.loads(result.stdout)
    assert data["task_id"] == task_id
    assert data["status"] in ("submitted", "processing", "succeed")
    assert data["external_task_id"] == "order-1"


def test_status_by_external_id(run, sim):
    task_id = _create(run, "--external-id", "order-2")
    result = run("--json", "status", "--external", "order-2")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["task_id"] == task_id
    assert sim.requests[-1].path.endswith("/order-2")


def test_status_of_an_unknown_task_is_an_api_refusal(run, sim):
    result = run("status", "123456")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: the API refused the request: HTTP 404")
    no_traceback(result)


def test_wait_follows_the_task_to_the_end(run, sim):
    task_id = _create(run)
    result = run("wait", task_id, "--poll-interval", POLL)
    assert result.exit_code == 0, result.stderr
    assert "status" in result.stdout
    assert "succeed" in result.stdout
    assert f"task {task_id}: succeed" in result.stderr


def test_wait_with_out_also_downloads(run, sim, tmp_path):
    task_id = _create(run)
    result = run("--json", "wait", task_id, "--poll-interval", POLL, "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "succeed"
    assert data["paths"] == [str((tmp_path / f"{task_id}.mp4").resolve())]
    assert (tmp_path / f"{task_id}.mp4").read_bytes() == SAMPLE


def test_download_saves_and_prints_the_paths(run, sim, tmp_path):
    task_id = _finished(run, sim)
    result = run("download", task_id, "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    saved = tmp_path / f"{task_id}.mp4"
    assert result.stdout == f"{saved.resolve()}\n"
    assert saved.read_bytes() == SAMPLE


def test_download_watermarked_copy(run, sim, tmp_path):
    task_id = _finished(run, sim, "--watermark")
    result = run("--json", "download", task_id, "--out", str(tmp_path), "--watermark")
    assert result.exit_code == 0, result.stderr
    [path] = json.loads(result.stdout)["paths"]
    assert Path(path).name == f"{task_id}_watermark.mp4"
    assert Path(path).stat().st_size > 0


def test_download_will_not_overwrite_without_the_flag(run, sim, tmp_path):
    task_id = _finished(run, sim)
    (tmp_path / f"{task_id}.mp4").write_bytes(b"mine")
    refused = run("download", task_id, "--out", str(tmp_path))
    assert refused.exit_code == 7
    assert "--overwrite" in refused.stderr
    assert "overwrite=True" not in refused.stderr  # the CLI's words, not the library's
    assert (tmp_path / f"{task_id}.mp4").read_bytes() == b"mine"
    replaced = run("download", task_id, "--out", str(tmp_path), "--overwrite")
    assert replaced.exit_code == 0, replaced.stderr
    assert (tmp_path / f"{task_id}.mp4").read_bytes() == SAMPLE


def test_download_of_an_unfinished_task_is_a_download_problem(make_sim, tmp_path):
    from tests.cli.helpers import runner_for

    sim = make_sim(speed=0)  # the clock stands still: the task stays submitted
    run = runner_for(sim.base_url, sim.api_key)
    task_id = _create(run)
    result = run("download", task_id, "--out", str(tmp_path))
    assert result.exit_code == 7
    assert "no videos to download" in result.stderr


def test_list_is_a_table_newest_first(run, sim):
    ids = [_create(run) for _ in range(3)]
    result = run("list")
    assert result.exit_code == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["TASK", "STATUS", "CREATED", "EXTERNAL", "ID"]
    assert [row.split()[0] for row in rows] == ids[::-1]


def test_list_json_pages_and_all(run, sim):
    ids = [_create(run) for _ in range(5)]
    page = json.loads(run("--json", "list", "--page", "2", "--page-size", "2").stdout)
    assert [t["task_id"] for t in page] == ids[::-1][2:4]
    everything = run("--json", "list", "--all", "--page-size", "2")
    assert everything.exit_code == 0, everything.stderr
    assert [t["task_id"] for t in json.loads(everything.stdout)] == ids[::-1]
    assert len([r for r in sim.requests if r.operation == "list"]) == 1 + 3  # pages of 2, 2, 1


def test_list_with_no_tasks(run, sim):
    result = run("list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no tasks" in result.stderr
    assert json.loads(run("--json", "list").stdout) == []


def test_list_page_out_of_range_is_a_usage_error(run, sim):
    result = run("list", "--page", "0")
    assert result.exit_code == 2
    assert sim.requests == []

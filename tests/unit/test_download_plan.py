"""download: where files go (names from the task, never the URL), and each resume decision."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from kling_video.download import DownloadTarget, _Cut, _Transfer, download_sync, plan_downloads
from kling_video.errors import DestinationExistsError, DownloadError
from kling_video.retry import RetryPolicy
from kling_video.task import Task, TaskStatus, Video

TASK_ID = "831922345719271433"


def video(n: int = 1, url: str | None = None, watermark_url: str | None = None) -> Video:
    return Video(id=f"v{n}", url=url or f"https://cdn.example/{n}.mp4", watermark_url=watermark_url)


def done(*videos: Video, task_id: str = TASK_ID, status: str = "succeed") -> Task:
    return Task(task_id=task_id, status=TaskStatus.parse(status), raw_status=status, videos=videos or (video(),))


# --- plan_downloads ------------------------------------------------------------------------------------


def test_one_video_is_named_after_the_task(tmp_path):
    targets = plan_downloads(done(), tmp_path, watermark=False, overwrite=False)
    assert targets == [DownloadTarget("https://cdn.example/1.mp4", tmp_path / f"{TASK_ID}.mp4")]


def test_the_partial_file_is_hidden_beside_the_target(tmp_path):
    (target,) = plan_downloads(done(), tmp_path, watermark=False, overwrite=False)
    assert target.partial.parent == tmp_path
    assert target.partial.name.startswith(f".{TASK_ID}.mp4.")
    assert target.partial.name.endswith(".part")
    assert target.partial != plan_downloads(done(), tmp_path, watermark=False, overwrite=False)[0].partial


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example/../../etc/passwd",
        "https://cdn.example/a/b/../../../../etc/passwd",
        "https://cdn.example/video.mp4?name=../../x.sh",
        "https://cdn.example/%2e%2e/%2e%2e/etc/passwd",
        "https://cdn.example/",
    ],
)
def test_names_never_come_from_the_url(tmp_path, url):
    (target,) = plan_downloads(done(video(url=url)), tmp_path, watermark=False, overwrite=False)
    assert target.path == tmp_path / f"{TASK_ID}.mp4"
    assert target.url == url


@pytest.mark.parametrize(
    ("task_id", "name"),
    [
        ("../../etc/passwd", "etc_passwd.mp4"),
        ("..", "task.mp4"),
        ("/abs/path", "abs_path.mp4"),
        ("task_abc-1.2", "task_abc-1.2.mp4"),
        ("a b\\c", "a_b_c.mp4"),
    ],
)
def test_an_odd_task_id_cannot_escape_the_destination(tmp_path, task_id, name):
    (target,) = plan_downloads(done(task_id=task_id), tmp_path, watermark=False, overwrite=False)
    assert target.path == tmp_path / name
    assert target.path.resolve().parent == tmp_path.resolve()


def test_several_videos_are_numbered(tmp_path):
    task = done(video(1), video(2), video(3))
    targets = plan_downloads(task, tmp_path, watermark=False, overwrite=False)
    assert [t.path.name for t in targets] == [f"{TASK_ID}_1.mp4", f"{TASK_ID}_2.mp4", f"{TASK_ID}_3.mp4"]
    assert [t.url for t in targets] == [f"https://cdn.example/{n}.mp4" for n in (1, 2, 3)]


def test_watermarked_copies(tmp_path):
    task = done(
        video(1, watermark_url="https://cdn.example/w1.mp4"), video(2, watermark_url="https://cdn.example/w2.mp4")
    )
    targets = plan_downloads(task, tmp_path, watermark=True, overwrite=False)
    assert [t.path.name for t in targets] == [f"{TASK_ID}_1_watermark.mp4", f"{TASK_ID}_2_watermark.mp4"]
    assert [t.url for t in targets] == ["https://cdn.example/w1.mp4", "https://cdn.example/w2.mp4"]


def test_single_watermarked_copy(tmp_path):
    (target,) = plan_downloads(
        done(video(watermark_url="https://cdn.example/w.mp4")), tmp_path, watermark=True, overwrite=False
    )
    assert target.path.name == f"{TASK_ID}_watermark.mp4"


def test_asking_for_a_watermark_that_was_not_made(tmp_path):
    with pytest.raises(DownloadError, match="watermark"):
        plan_downloads(done(), tmp_path, watermark=True, overwrite=False)


def test_an_existing_target_is_refused_before_anything(tmp_path):
    task = done(video(1), video(2))
    (tmp_path / f"{TASK_ID}_2.mp4").write_bytes(b"keep me")
    with pytest.raises(DestinationExistsError) as caught:
        plan_downloads(task, tmp_path, watermark=False, overwrite=False)
    assert isinstance(caught.value, FileExistsError)
    assert isinstance(caught.value, DownloadError)
    assert f"{TASK_ID}_2.mp4" in str(caught.value)
    assert (tmp_path / f"{TASK_ID}_2.mp4").read_bytes() == b"keep me"
    assert not (tmp_path / f"{TASK_ID}_1.mp4").exists()


def test_overwrite_allows_an_existing_target(tmp_path):
    (tmp_path / f"{TASK_ID}.mp4").write_bytes(b"old")
    (target,) = plan_downloads(done(), tmp_path, watermark=False, overwrite=True)
    assert target.path == tmp_path / f"{TASK_ID}.mp4"


def test_the_watermarked_copy_does_not_clash_with_the_plain_one(tmp_path):
    (tmp_path / f"{TASK_ID}.mp4").write_bytes(b"plain")
    task = done(video(watermark_url="https://cdn.example/w.mp4"))
    (target,) = plan_downloads(task, tmp_path, watermark=True, overwrite=False)
    assert target.path.name == f"{TASK_ID}_watermark.mp4"


def test_planning_writes_nothing(tmp_path):
    dest = tmp_path / "not" / "yet"
    plan_downloads(done(video(1), video(2)), dest, watermark=False, overwrite=False)
    assert not dest.exists()


@pytest.mark.parametrize("status", ["failed", "processing", "submitted", "mystery"])
def test_a_task_that_did_not_succeed_has_nothing_to_download(tmp_path, status):
    with pytest.raises(DownloadError, match=TASK_ID):
        plan_downloads(done(status=status), tmp_path, watermark=False, overwrite=False)


def test_a_succeeded_task_without_videos(tmp_path):
    task = Task(task_id=TASK_ID, status=TaskStatus.SUCCEED, raw_status="succeed")
    with pytest.raises(DownloadError, match="no videos"):
        plan_downloads(task, tmp_path, watermark=False, overwrite=False)


# --- _Transfer: one answer at a time ------------------------------------------------------------------------


def response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers={k.replace("_", "-"): v for k, v in headers.items()})


def resumed(written: bytes, total: int | None = None) -> _Transfer:
    out = io.BytesIO()
    out.write(written)
    return _Transfer(out, offset=len(written), total=total)


def test_first_request_has_no_range():
    assert "Range" not in _Transfer(io.BytesIO()).request_headers()


def test_a_resume_asks_for_the_rest():
    assert resumed(b"x" * 100).request_headers()["Range"] == "bytes=100-"


def test_200_reads_the_announced_length():
    transfer = _Transfer(io.BytesIO())
    assert transfer.accept(response(200, content_length="1000")) is True
    assert transfer.total == 1000


def test_206_at_the_right_place_continues():
    transfer = resumed(b"a" * 100)
    assert transfer.accept(response(206, content_range="bytes 100-999/1000")) is True
    assert transfer.offset == 100
    assert transfer.total == 1000
    assert transfer.out.getvalue() == b"a" * 100


def test_206_with_an_unknown_total_keeps_going():
    transfer = resumed(b"a" * 100, total=1000)
    assert transfer.accept(response(206, content_range="bytes 100-999/*")) is True
    assert transfer.total == 1000


@pytest.mark.parametrize("content_range", ["bytes 0-999/1000", "bytes 50-999/1000", "bytes 101-999/1000"])
def test_206_at_the_wrong_place_raises(content_range):
    transfer = resumed(b"a" * 100)
    with pytest.raises(DownloadError, match="wrong place"):
        transfer.accept(response(206, content_range=content_range))


@pytest.mark.parametrize("headers", [{}, {"content_range": "garbage"}, {"content_range": "items 100-200/300"}])
def test_206_without_a_readable_content_range_raises(headers):
    with pytest.raises(DownloadError):
        resumed(b"a" * 100).accept(response(206, **headers))


def test_200_after_a_range_request_truncates_and_restarts():
    transfer = resumed(b"stale bytes", total=500)
    assert transfer.accept(response(200, content_length="1000")) is True
    assert transfer.offset == 0
    assert transfer.out.getvalue() == b""
    assert transfer.total == 1000
    transfer.write(b"fresh")
    assert transfer.out.getvalue() == b"fresh"


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_a_server_failure_is_a_resumable_cut(status):
    transfer = resumed(b"a" * 10, total=100)
    with pytest.raises(_Cut):
        transfer.accept(response(status))
    assert transfer.offset == 10
    assert transfer.out.getvalue() == b"a" * 10


@pytest.mark.parametrize("status", [404, 403, 410, 401, 400])
def test_a_client_error_is_final(status):
    with pytest.raises(DownloadError) as caught:
        _Transfer(io.BytesIO()).accept(response(status))
    assert not isinstance(caught.value, _Cut)
    assert str(status) in str(caught.value)


def test_416_after_everything_arrived_means_done():
    assert resumed(b"a" * 100, total=100).accept(response(416)) is False


def test_416_without_everything_is_final():
    with pytest.raises(DownloadError):
        resumed(b"a" * 50, total=100).accept(response(416))


def test_finish_checks_the_length():
    short = resumed(b"a" * 50, total=100)
    with pytest.raises(_Cut):
        short.finish()
    long = resumed(b"a" * 150, total=100)
    with pytest.raises(DownloadError):
        long.finish()
    resumed(b"a" * 100, total=100).finish()
    resumed(b"a" * 7).finish()  # no announced length: nothing to check against


# --- download_sync, one decision each (httpx.MockTransport, no network, no sleeping) ---------------------------


def fetch(tmp_path: Path, handler, *, follow_redirects: bool = True, resumes: int = 3) -> tuple[Path, list[float]]:
    target = DownloadTarget("https://cdn.example/v.mp4", tmp_path / "out" / "t.mp4")
    slept: list[float] = []
    with httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=follow_redirects) as http:
        path = download_sync(
            http, target, timeout=httpx.Timeout(5.0), policy=RetryPolicy(), resumes=resumes, sleep=slept.append
        )
    return path, slept


def test_a_5xx_is_resumed_and_the_file_lands_complete(tmp_path):
    calls: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers.get("range"))
        if len(calls) == 1:
            return httpx.Response(503)
        return httpx.Response(200, content=b"0123456789")

    path, slept = fetch(tmp_path, handler)
    assert path.read_bytes() == b"0123456789"
    assert calls == [None, None]
    assert len(slept) == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["t.mp4"]


def test_a_404_leaves_nothing_behind(tmp_path):
    with pytest.raises(DownloadError):
        fetch(tmp_path, lambda request: httpx.Response(404))
    assert list((tmp_path / "out").iterdir()) == []


def test_endless_cuts_give_up_and_leave_nothing(tmp_path):
    with pytest.raises(DownloadError, match="attempts"):
        fetch(tmp_path, lambda request: httpx.Response(502), resumes=2)
    assert list((tmp_path / "out").iterdir()) == []


def test_a_redirect_is_followed_even_with_the_callers_own_client(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "cdn.example":
            return httpx.Response(302, headers={"Location": "https://edge.example/signed.mp4"})
        return httpx.Response(200, content=b"video")

    path, _ = fetch(tmp_path, handler, follow_redirects=False)
    assert path.read_bytes() == b"video"

"""Result files as a CDN serves them: no key, exact bytes, byte ranges, honest lengths.

The expected bytes come from the file in the source tree, read directly, so a simulator that
served the wrong bytes could not agree with itself by accident.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import kling_video.testing
import pytest
from kling_video.testing import Simulator
from kling_video.testing.downloads import generated_bytes

pytestmark = pytest.mark.integration

PATH = "/kling/v1/videos/text2video"
SAMPLE_FILE = Path(kling_video.testing.__file__).parent / "media" / "sample.mp4"
SAMPLE = SAMPLE_FILE.read_bytes()
TLS = ssl.create_default_context()  # shared: each new one costs 40 ms, and loopback is plain http
BODY = {"model_name": "kling-v1", "mode": "std", "duration": "5", "multi_shot": False, "prompt": "a fox"}


def finished_video(sim: Simulator, **fields: object) -> dict[str, str]:
    with httpx.Client(base_url=sim.base_url, headers={"Authorization": f"Bearer {sim.api_key}"}, verify=TLS) as api:
        task_id = api.post(PATH, json={**BODY, **fields}).json()["data"]["task_id"]
        sim.advance(3600)
        video: dict[str, str] = api.get(f"{PATH}/{task_id}").json()["data"]["task_result"]["videos"][0]
    return video


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    with Simulator(speed=0, seed=31) as sim:
        yield sim


@pytest.fixture(scope="module")
def video(simulator: Simulator) -> dict[str, str]:
    return finished_video(simulator, watermark_info={"enabled": True})


@pytest.fixture(scope="module")
def cdn() -> Iterator[httpx.Client]:
    """No Authorization header: result URLs are fetched without the key."""
    with httpx.Client(verify=TLS, timeout=5) as client:
        yield client


def test_the_sample_is_a_small_faststart_mp4():
    assert 1_000 < len(SAMPLE) < 100_000
    assert SAMPLE[4:8] == b"ftyp"
    assert SAMPLE.index(b"moov") < SAMPLE.index(b"mdat")  # playable while downloading
    assert b"avc1" in SAMPLE  # H.264


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed")
def test_the_sample_plays():
    probe = subprocess.run(
        [
            "ffprobe", "-v", "error", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,pix_fmt,width,height:format=duration",
            "-of", "default=noprint_wrappers=1", str(SAMPLE_FILE),
        ],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    facts = dict(line.split("=", 1) for line in probe.stdout.split())
    assert facts["codec_name"] == "h264"
    assert facts["pix_fmt"] == "yuv420p"
    assert (facts["width"], facts["height"]) == ("320", "180")
    assert 2.0 <= float(facts["duration"]) <= 3.5


def test_the_video_is_the_sample_byte_for_byte(cdn, video):
    response = cdn.get(video["url"])
    assert response.status_code == 200
    assert response.content == SAMPLE
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["content-length"] == str(len(SAMPLE))
    assert response.headers["accept-ranges"] == "bytes"
    assert "content-range" not in response.headers


def test_the_watermarked_copy_is_served_too(cdn, video):
    assert cdn.get(video["watermark_url"]).content == SAMPLE


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-99", 0, 100),
        ("bytes=100-", 100, len(SAMPLE)),
        ("bytes=-500", len(SAMPLE) - 500, len(SAMPLE)),
        (f"bytes={len(SAMPLE) - 10}-{len(SAMPLE) + 1000}", len(SAMPLE) - 10, len(SAMPLE)),
        (f"bytes=-{len(SAMPLE) + 5}", 0, len(SAMPLE)),
        (f"bytes={len(SAMPLE) - 1}-{len(SAMPLE) - 1}", len(SAMPLE) - 1, len(SAMPLE)),
    ],
)
def test_ranges_are_byte_exact(cdn, video, header, start, stop):
    response = cdn.get(video["url"], headers={"Range": header})
    assert response.status_code == 206
    assert response.content == SAMPLE[start:stop]
    assert response.headers["content-length"] == str(stop - start)
    assert response.headers["content-range"] == f"bytes {start}-{stop - 1}/{len(SAMPLE)}"


@pytest.mark.parametrize(
    "header", [f"bytes={len(SAMPLE)}-", f"bytes={len(SAMPLE) + 10}-{len(SAMPLE) + 20}", "bytes=-0"]
)
def test_an_unsatisfiable_range_is_416(cdn, video, header):
    response = cdn.get(video["url"], headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(SAMPLE)}"
    assert response.content == b""


@pytest.mark.parametrize("header", ["bytes=abc", "items=0-10", "bytes=0-10,20-30", "bytes=50-10"])
def test_a_range_that_is_not_one_byte_range_is_ignored(cdn, video, header):
    response = cdn.get(video["url"], headers={"Range": header})
    assert response.status_code == 200
    assert response.content == SAMPLE


def test_if_range_with_a_stale_etag_sends_the_whole_file(cdn, video):
    etag = cdn.get(video["url"]).headers["etag"]
    current = cdn.get(video["url"], headers={"Range": "bytes=0-9", "If-Range": etag})
    stale = cdn.get(video["url"], headers={"Range": "bytes=0-9", "If-Range": '"something-else"'})
    assert (current.status_code, current.content) == (206, SAMPLE[:10])
    assert (stale.status_code, stale.content) == (200, SAMPLE)


def test_head_tells_the_length_without_the_body(cdn, video):
    response = cdn.head(video["url"])
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(SAMPLE))
    assert response.content == b""


def test_unknown_or_unfinished_videos_are_404(simulator, cdn, video):
    base = video["url"].rsplit("/", 1)[0]
    assert cdn.get(f"{base}/not-the-video.mp4").status_code == 404
    assert cdn.get(f"{simulator.base_url}/media/123456789012345678/x.mp4").status_code == 404
    with httpx.Client(base_url=simulator.base_url, headers={"Authorization": f"Bearer {simulator.api_key}"}) as api:
        running = api.post(PATH, json=BODY).json()["data"]["task_id"]
    running_video = video["url"].replace(video["url"].split("/")[-2], running)
    assert cdn.get(running_video).status_code == 404


def test_no_watermarked_copy_unless_asked_for(simulator, cdn):
    plain = finished_video(simulator)
    assert "watermark_url" not in plain
    guessed = plain["url"].replace(".mp4", "-watermark.mp4")
    assert cdn.get(guessed).status_code == 404


def test_a_generated_payload_has_the_asked_size_and_is_reproducible(cdn):
    size = 3 * 65536 + 123
    with Simulator(speed=0, video_bytes=size) as sim:
        url = finished_video(sim)["url"]
        whole = cdn.get(url).content
        middle = cdn.get(url, headers={"Range": "bytes=65530-131080"})
    assert len(whole) == size
    assert whole == generated_bytes(0, size)
    assert middle.content == whole[65530:131081]
    assert middle.headers["content-range"] == f"bytes 65530-131080/{size}"
    # No two 64 KiB blocks alike: a resume from the wrong block would not go unnoticed.
    blocks = {whole[n : n + 65536] for n in range(0, 3 * 65536, 65536)}
    assert len(blocks) == 3


def test_a_large_payload_is_streamed(cdn):
    size = 64 * 1024 * 1024 + 1
    with Simulator(speed=0, video_bytes=size) as sim:
        url = finished_video(sim)["url"]
        with cdn.stream("GET", url) as response:
            assert response.headers["content-length"] == str(size)
            chunks = 0
            total = 0
            for chunk in response.iter_raw():
                total += len(chunk)
                chunks += 1
    assert total == size
    assert chunks > 16  # arrived in pieces, not as one buffered body


def test_a_client_that_hangs_up_stops_the_stream(cdn, caplog):
    with Simulator(speed=0, video_bytes=256 * 1024 * 1024) as sim:
        url = finished_video(sim)["url"]
        with cdn.stream("GET", url) as response:
            next(response.iter_raw())  # one piece, then hang up
        time.sleep(0.3)
        assert cdn.get(url, headers={"Range": "bytes=0-0"}).status_code == 206  # still serving
    # Writing on after the hang-up is what asyncio complains about.
    assert not [record for record in caplog.records if "socket.send" in record.getMessage()]

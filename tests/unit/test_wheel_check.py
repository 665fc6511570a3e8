"""The wheel check: exactly the two import packages, typed, with the sample video and the licence.

Synthetic wheels (zip files written here) stand in for hatch's output, so every rule is proved
to fail when its file is missing or extra, whatever the real build currently produces.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tools.wheel_check import REQUIRED_FILES, SAMPLE_VIDEO, check_wheel, main

MP4_HEAD = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00"
DIST_INFO = "kling_video-1.2.3.dist-info"
GOOD = [
    *REQUIRED_FILES,
    "kling_video_api/api/text2video/create_task.py",
    "kling_video/client.py",
    "kling_video/testing/__init__.py",
    f"{DIST_INFO}/METADATA",
    f"{DIST_INFO}/WHEEL",
    f"{DIST_INFO}/RECORD",
    f"{DIST_INFO}/licenses/LICENSE",
]


def make_wheel(tmp_path: Path, names: list[str], *, sample: bytes = MP4_HEAD + b"rest") -> Path:
    path = tmp_path / "kling_video-1.2.3-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name in names:
            wheel.writestr(name, sample if name == SAMPLE_VIDEO else b"x")
    return path


def test_a_wheel_with_exactly_what_it_should_hold_passes(tmp_path):
    assert check_wheel(make_wheel(tmp_path, GOOD)) == []


@pytest.mark.parametrize("missing", [*REQUIRED_FILES, f"{DIST_INFO}/licenses/LICENSE"])
def test_each_required_file_is_required(tmp_path, missing):
    problems = check_wheel(make_wheel(tmp_path, [n for n in GOOD if n != missing]))
    assert len(problems) == 1
    assert missing in problems[0]


def test_the_sample_video_is_required_even_when_the_rest_is_fine(tmp_path):
    problems = check_wheel(make_wheel(tmp_path, [n for n in GOOD if n != SAMPLE_VIDEO]))
    assert problems == [f"missing {SAMPLE_VIDEO}"]


def test_a_sample_video_that_is_not_an_mp4_is_caught(tmp_path):
    lfs_pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\n"
    problems = check_wheel(make_wheel(tmp_path, GOOD, sample=lfs_pointer))
    assert len(problems) == 1
    assert "not an MP4" in problems[0]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("tests/unit/test_overlay.py", "unexpected top-level entry tests/"),
        ("tools/generate.py", "unexpected top-level entry tools/"),
        ("wrapper/kling_video/__init__.py", "unexpected top-level entry wrapper/"),
        ("conftest.py", "unexpected top-level entry conftest.py"),
        ("kling_video-1.2.3.data/scripts/x", "unexpected top-level entry kling_video-1.2.3.data/"),
        ("kling_video/tests/test_x.py", "kling_video/tests/test_x.py comes from a folder named like"),
        ("kling_video/__pycache__/client.cpython-311.pyc", "compiled bytecode"),
    ],
)
def test_anything_beyond_the_two_packages_is_refused(tmp_path, extra, expected):
    problems = check_wheel(make_wheel(tmp_path, [*GOOD, extra]))
    assert len(problems) == 1
    assert expected in problems[0]


def test_a_whole_test_folder_is_reported_once_not_per_file(tmp_path):
    problems = check_wheel(make_wheel(tmp_path, [*GOOD, "tests/a.py", "tests/b.py", "tests/unit/c.py"]))
    assert problems == [
        "unexpected top-level entry tests/: the wheel may hold only kling_video_api/, kling_video/ and its .dist-info"
    ]


def test_a_wheel_without_one_of_the_packages_fails(tmp_path):
    problems = check_wheel(make_wheel(tmp_path, [n for n in GOOD if not n.startswith("kling_video_api/")]))
    assert "missing kling_video_api/__init__.py" in problems
    assert "missing kling_video_api/py.typed" in problems


def test_a_file_that_is_not_a_zip_is_reported_not_raised(tmp_path):
    path = tmp_path / "broken.whl"
    path.write_bytes(b"not a zip")
    [problem] = check_wheel(path)
    assert "cannot be read as a wheel" in problem


def test_main_exits_non_zero_and_lists_problems(tmp_path, capsys):
    good = make_wheel(tmp_path, GOOD)
    assert main([str(good)]) == 0
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    bad = make_wheel(bad_dir, [n for n in GOOD if n != "kling_video/py.typed"])
    assert main([str(bad)]) == 1
    assert "missing kling_video/py.typed" in capsys.readouterr().err
    assert main([]) == 2

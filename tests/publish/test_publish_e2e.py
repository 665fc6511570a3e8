"""Publish kling-video to a real private index and install it from there, as its users will.

A pypiserver on loopback stands in for the private index, with an htpasswd user and every
operation (list, download, upload) behind the password, as company indexes usually are. The
project is published from a clean git snapshot of this working tree by `python -m tools.publish
upload` with twine's standard environment, installed into a fresh virtual environment (PyPI as
an extra index for the dependencies), and run. Then the refusals are proved against the same
index: a wrong password, the same version twice, a dirty tree, a stale generated/.

Skipped unless KLING_PUBLISH_E2E=1: it builds twice, starts servers and installs from PyPI, so it
runs in its own session, `nox -s publish_e2e`, which sets the variable and installs what it needs.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import venv
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote

import pytest

from tools.publish import read_version

# ---------------------------------------------------------------------------------------------
# The commands a user runs after `pip install kling-video` from the private index.
# Each runs in the fresh virtual environment (its bin/ first on PATH), in an empty folder, with
# KLING_BASE_URL and KLING_API_KEY pointing at the simulator started from that same installation.
#
# LEAD: add ["kling-video", "demo"] here (and any other CLI command worth proving from a
# published wheel) now that the CLI exists.
# ---------------------------------------------------------------------------------------------
SMOKE_AGAINST_SIMULATOR = """
import os
from kling_video_api import AuthenticatedClient
from kling_video_api.api.text2video import create_task, list_tasks

client = AuthenticatedClient(base_url=os.environ["KLING_BASE_URL"], token=os.environ["KLING_API_KEY"])
response = list_tasks.sync_detailed(client=client)
assert response.status_code == 200, response
print("list_tasks against the simulator:", response.status_code, "; create_task:", create_task.__name__)
"""
INSTALLED_COMMANDS: list[list[str]] = [
    ["python", "-c", "import kling_video, kling_video_api; print(kling_video.__version__)"],
    ["python", "-m", "kling_video.testing", "--help"],
    ["python", "-c", SMOKE_AGAINST_SIMULATOR],
    # The installed CLI, against the installed simulator (KLING_BASE_URL/KLING_API_KEY are set), then alone.
    ["kling-video", "generate", "a fox in the snow", "--poll-interval", "0.2", "--out", "videos"],
    ["kling-video", "demo", "--out", "demo-output"],
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.publish,
    pytest.mark.skipif(
        os.environ.get("KLING_PUBLISH_E2E") != "1",
        reason="end-to-end publishing runs in `nox -s publish_e2e` (set KLING_PUBLISH_E2E=1)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD = "release-bot", "correct horse battery staple"
PYPI = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple")
# git for the throwaway snapshot repositories: an identity of their own, no signing, no hooks.
GIT = [
    "git",
    *("-c", "user.name=publish-e2e", "-c", "user.email=publish-e2e@localhost"),
    *("-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"),
]


def _version() -> str:
    return read_version(ROOT)


# --- a real index ---------------------------------------------------------------------------


@dataclass
class Index:
    url: str  # the upload URL, what TWINE_REPOSITORY_URL names
    packages: Path
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def simple_with_credentials(self) -> str:
        """What a user gives pip as --index-url."""
        userinfo = f"{quote(USER, safe='')}:{quote(PASSWORD, safe='')}@"
        return self.url.replace("http://", f"http://{userinfo}") + "simple/"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _htpasswd(path: Path) -> None:
    # passlib is what pypiserver checks the file with; apr1 is the `htpasswd` tool's default
    # scheme and needs no C extension. passlib 1.7.4 imports the `crypt` module, deprecated
    # since Python 3.11: the warning is passlib's, not ours.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from passlib.apache import HtpasswdFile

    htpasswd = HtpasswdFile(str(path), new=True, default_scheme="apr_md5_crypt")
    htpasswd.set_password(USER, PASSWORD)
    htpasswd.save()


def _start_index(folder: Path, *, protect: str, fallback: bool) -> Index:
    """pypiserver on a free loopback port; ``protect`` lists what needs the password."""
    packages = folder / "packages"
    packages.mkdir(parents=True)
    _htpasswd(folder / "htpasswd")
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "pypiserver",
        "run",
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
        "--passwords",
        str(folder / "htpasswd"),
        "--authenticate",
        protect,
        *([] if fallback else ["--disable-fallback"]),
        str(packages),
    ]
    log = (folder / "pypiserver.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.close()
            raise RuntimeError(f"pypiserver exited: {(folder / 'pypiserver.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{url}health", timeout=2):
                return Index(url, packages, process, log)
        except OSError:
            time.sleep(0.2)
    process.kill()
    log.close()
    raise RuntimeError(f"pypiserver did not answer within 30 s: {(folder / 'pypiserver.log').read_text()}")


@pytest.fixture(scope="module")
def private_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """Everything behind the password, fallback to PyPI off: a locked-down company index."""
    index = _start_index(tmp_path_factory.mktemp("private-index"), protect="update,download,list", fallback=False)
    yield index
    index.stop()


@pytest.fixture(scope="module")
def upload_only_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """pypiserver's defaults: only uploads need the password, missing projects redirect to PyPI."""
    index = _start_index(tmp_path_factory.mktemp("open-index"), protect="update", fallback=True)
    yield index
    index.stop()


# --- a clean checkout to publish from ---------------------------------------------------------


def _snapshot(destination: Path) -> Path:
    """This working tree as it would be committed (tracked and not-ignored files), as a clean repository.

    tools.publish refuses a dirty tree, and a developer's tree is rarely clean; a snapshot tests
    the same code on what CI's fresh clone would hold, without touching this repository.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    subprocess.run([*GIT, "init", "-q"], cwd=destination, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=destination, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "snapshot"], cwd=destination, check=True)
    return destination


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _snapshot(tmp_path_factory.mktemp("checkout"))


def publish(checkout: Path, index: Index, *, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    """`python -m tools.publish upload` in the checkout, configured only through twine's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINE_", "KLING_PUBLISH_SIMPLE"))}
    env.update(TWINE_REPOSITORY_URL=index.url, TWINE_USERNAME=USER, TWINE_PASSWORD=password)
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "tools.publish", "upload"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _output(completed: subprocess.CompletedProcess[str]) -> str:
    return completed.stdout + completed.stderr


@pytest.fixture(scope="module")
def published(checkout: Path, private_index: Index) -> Index:
    completed = publish(checkout, private_index)
    assert completed.returncode == 0, _output(completed)
    return private_index


# --- the happy path ---------------------------------------------------------------------------


def test_both_distributions_reach_the_index(published: Index):
    version = _version()
    assert sorted(p.name for p in published.packages.iterdir()) == [
        f"kling_video-{version}-py3-none-any.whl",
        f"kling_video-{version}.tar.gz",
    ]


def test_installed_from_the_index_it_imports_and_runs(published: Index, tmp_path: Path):
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(environment)
    python = environment / "bin" / "python"
    version = _version()
    report = tmp_path / "pip-report.json"
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    installed = subprocess.run(
        [
            *pip,
            "--index-url",
            published.simple_with_credentials(),
            "--extra-index-url",
            PYPI,
            "--report",
            str(report),
            f"kling-video[simulator]=={version}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    sources = {
        item["metadata"]["name"]: item["download_info"]["url"] for item in json.loads(report.read_text())["install"]
    }
    assert published.url.removeprefix("http://") in sources["kling-video"], "kling-video did not come from the index"

    workdir = tmp_path / "work"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "KLING_API_KEY")}
    env.update(PATH=f"{environment / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(environment))

    where = subprocess.run(
        ["python", "-c", "import kling_video, kling_video_api; print(kling_video.__file__, kling_video_api.__file__)"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(environment) for p in where), f"imported from outside the fresh venv: {where}"

    with _simulator(environment, workdir, env) as simulator_env:
        for command in INSTALLED_COMMANDS:
            ran = subprocess.run(
                command, cwd=workdir, env={**env, **simulator_env}, capture_output=True, text=True, timeout=300
            )
            assert ran.returncode == 0, f"{command} failed:\n{ran.stdout}\n{ran.stderr}"


@contextlib.contextmanager
def _simulator(environment: Path, workdir: Path, env: dict[str, str]) -> Iterator[dict[str, str]]:
    """The simulator of the installed package on a free port; yields its KLING_BASE_URL and KLING_API_KEY."""
    command = [str(environment / "bin" / "python"), "-m", "kling_video.testing", "--port", "0"]
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    found: dict[str, str] = {}
    seen: list[str] = []
    deadline = time.monotonic() + 30
    try:
        while len(found) < 2 and time.monotonic() < deadline and process.poll() is None:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            seen.append(line)
            key, _, value = line.strip().partition("=")
            if key in ("KLING_BASE_URL", "KLING_API_KEY"):
                found[key] = value
        assert len(found) == 2, f"the installed simulator did not start:\n{''.join(seen)}"
        yield found
    finally:
        process.terminate()
        process.wait(timeout=10)
        reader.join(timeout=5)  # the pipe ends with the process
        assert process.stdout is not None
        process.stdout.close()


# --- the refusals -----------------------------------------------------------------------------


def test_the_same_version_twice_is_refused_before_upload(checkout: Path, published: Index):
    before = sorted(p.name for p in published.packages.iterdir())
    completed = publish(checkout, published)
    assert completed.returncode == 1
    assert f"refusing to publish: kling-video {_version()} is already on the index" in completed.stderr
    assert "Uploading" not in _output(completed)  # twine never ran
    assert sorted(p.name for p in published.packages.iterdir()) == before


def test_a_wrong_password_on_a_locked_index_is_refused_before_upload(checkout: Path, private_index: Index):
    completed = publish(checkout, private_index, password="wrong")
    assert completed.returncode == 1
    assert (
        completed.stderr.strip()
        .splitlines()[-1]
        .startswith("refusing to publish: the index refused the credentials (HTTP 403")
    )
    assert "Uploading" not in _output(completed)


def test_a_wrong_password_at_upload_fails_with_a_clear_message(checkout: Path, upload_only_index: Index):
    """Reads are open here, so the check passes (through pypiserver's redirect to PyPI) and twine meets the 403."""
    completed = publish(checkout, upload_only_index, password="wrong")
    assert completed.returncode == 1
    assert "403 Forbidden" in _output(completed)  # twine's own report, passed through
    assert completed.stderr.strip().splitlines()[-1] == (
        f"upload failed: the index refused the credentials (HTTP 403 from {upload_only_index.url}): "
        "check TWINE_USERNAME and TWINE_PASSWORD (for a token, TWINE_USERNAME=__token__)"
    )
    assert list(upload_only_index.packages.iterdir()) == []


def test_a_dirty_tree_is_refused(tmp_path: Path, private_index: Index):
    checkout = _snapshot(tmp_path / "checkout")
    (checkout / "wrapper" / "kling_video" / "stray.py").write_text("x = 1\n")
    completed = publish(checkout, private_index)
    assert completed.returncode == 1
    assert completed.stderr.strip() == (
        "refusing to publish: the git tree has uncommitted changes (wrapper/kling_video/stray.py); "
        "commit or remove them, so the release is a commit"
    )


def test_a_stale_generated_layer_is_refused(tmp_path: Path, private_index: Index):
    checkout = _snapshot(tmp_path / "checkout")
    edited = checkout / "generated" / "kling_video_api" / "types.py"
    edited.write_text(edited.read_text() + "\n# a hand edit\n")
    subprocess.run([*GIT, "commit", "-qam", "hand edit"], cwd=checkout, check=True)
    completed = publish(checkout, private_index)
    assert completed.returncode == 1
    assert completed.stderr.strip().startswith("refusing to publish: generated/kling_video_api is stale")

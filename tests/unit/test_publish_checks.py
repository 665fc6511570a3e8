"""tools/publish.py's decisions, without a network: every refusal, and where the version check looks.

The real index (pypiserver), twine and a real upload are in tests/publish/test_publish_e2e.py.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from packaging.version import Version

from tools import publish
from tools.publish import (
    Credentials,
    PublishRefused,
    Response,
    check_clean_tree,
    check_version_is_new,
    credentials,
    dirty_paths,
    dist_problems,
    explain_upload_failure,
    files_on_page,
    generated_check_message,
    published_versions,
    read_version,
    redact,
    repository_url,
    simple_index_candidates,
    twine_environment,
    versions_in,
)

ENV = {"TWINE_REPOSITORY_URL": "https://pypi.example.com/", "TWINE_USERNAME": "ci", "TWINE_PASSWORD": "pw"}

# pypiserver 2.x's project page, as served.
PYPISERVER_PAGE = """<!DOCTYPE html>
<html lang="en">
    <head><title>Links for kling-video</title></head>
    <body>
        <h1>Links for kling-video</h1>
        <a href="/packages/kling_video-0.1.0-py3-none-any.whl#sha256=8857">kling_video-0.1.0-py3-none-any.whl</a><br>
            <a href="/packages/kling_video-0.1.0.tar.gz#sha256=940e">kling_video-0.1.0.tar.gz</a><br>
            <a href="../../packages/kling-video-0.2.0rc1.tar.gz">kling-video-0.2.0rc1.tar.gz</a><br>
    </body>
</html>
"""


# --- twine's environment ---


def test_the_upload_url_is_required_so_nothing_goes_to_pypi_by_default():
    with pytest.raises(PublishRefused, match="TWINE_REPOSITORY_URL is not set"):
        repository_url({})
    with pytest.raises(PublishRefused, match="http"):
        repository_url({"TWINE_REPOSITORY_URL": "file:///srv/index"})
    assert repository_url(ENV) == "https://pypi.example.com/"


def test_a_password_alone_is_a_token():
    assert credentials(ENV) == Credentials("ci", "pw")
    assert credentials({"TWINE_PASSWORD": "pypi-abc"}) == Credentials("__token__", "pypi-abc")
    assert credentials({"TWINE_USERNAME": "", "TWINE_PASSWORD": "t"}).username == "__token__"
    with pytest.raises(PublishRefused, match="TWINE_PASSWORD is not set"):
        credentials({"TWINE_USERNAME": "ci"})


def test_the_password_never_shows_in_a_repr():
    assert "pw" not in repr(credentials(ENV))


def test_twine_runs_with_the_token_username_and_never_prompts():
    env = twine_environment({"TWINE_PASSWORD": "tok", "PATH": "/bin"})
    assert env["TWINE_USERNAME"] == "__token__"
    assert env["TWINE_NON_INTERACTIVE"] == "1"
    assert env["PATH"] == "/bin"


def test_urls_in_messages_lose_their_credentials():
    assert redact("https://ci:secret@host.example/simple/") == "https://host.example/simple/"
    assert redact("https://host.example/") == "https://host.example/"


# --- where the simple pages are ---


@pytest.mark.parametrize(
    ("upload_url", "expected"),
    [
        # pypiserver: uploads to its root, pages under /simple/
        ("http://127.0.0.1:8080", ["http://127.0.0.1:8080/simple/", "http://127.0.0.1:8080/+simple/"]),
        ("http://127.0.0.1:8080/", ["http://127.0.0.1:8080/simple/", "http://127.0.0.1:8080/+simple/"]),
        # PyPI and TestPyPI
        ("https://upload.pypi.org/legacy/", ["https://pypi.org/simple/"]),
        ("https://test.pypi.org/legacy/", ["https://test.pypi.org/simple/"]),
        # a warehouse instance of one's own
        ("https://pypi.corp.example/legacy/", ["https://pypi.corp.example/simple/"]),
        # devpi: USER/INDEX/, pages under +simple/ (tried second, after the common layout)
        (
            "https://devpi.example/ci/prod/",
            ["https://devpi.example/ci/prod/simple/", "https://devpi.example/ci/prod/+simple/"],
        ),
        # Artifactory, Nexus, GitLab
        (
            "https://corp.jfrog.io/artifactory/api/pypi/pypi-local",
            [
                "https://corp.jfrog.io/artifactory/api/pypi/pypi-local/simple/",
                "https://corp.jfrog.io/artifactory/api/pypi/pypi-local/+simple/",
            ],
        ),
        (
            "https://nexus.example/repository/pypi-internal/",
            [
                "https://nexus.example/repository/pypi-internal/simple/",
                "https://nexus.example/repository/pypi-internal/+simple/",
            ],
        ),
        # an upload URL that is a simple URL already
        ("https://idx.example/root/dev/+simple/", ["https://idx.example/root/dev/+simple/"]),
        # credentials in the URL never reach the candidates (they are passed separately)
        ("https://u:p@idx.example/", ["https://idx.example/simple/", "https://idx.example/+simple/"]),
    ],
)
def test_simple_index_candidates_for_common_layouts(upload_url, expected):
    assert simple_index_candidates(upload_url) == expected


def test_the_override_wins_and_gets_its_slash():
    assert simple_index_candidates("https://a.example/", "https://b.example/pypi/simple") == [
        "https://b.example/pypi/simple/"
    ]


# --- reading a simple page ---


def test_files_on_a_pypiserver_page_and_their_versions():
    files = files_on_page(PYPISERVER_PAGE, "text/html; charset=utf-8")
    assert files == [
        "kling_video-0.1.0-py3-none-any.whl",
        "kling_video-0.1.0.tar.gz",
        "kling-video-0.2.0rc1.tar.gz",
    ]
    assert versions_in(files) == {Version("0.1.0"), Version("0.2.0rc1")}


def test_files_on_a_pep_691_json_page():
    body = (
        '{"meta": {"api-version": "1.1"}, "name": "kling-video", "files": [{"filename": "kling_video-1.0.0.tar.gz"}]}'
    )
    assert files_on_page(body, "application/vnd.pypi.simple.v1+json") == ["kling_video-1.0.0.tar.gz"]


def test_versions_ignore_other_projects_and_unreadable_names():
    names = [
        "kling_video_extra-9.0.tar.gz",
        "Kling.Video-2.0-py3-none-any.whl",
        "kling_video-notaversion.tar.gz",
        "README",
    ]
    assert versions_in(names) == {Version("2.0")}


def test_a_version_already_there_is_refused_even_when_spelt_differently():
    with pytest.raises(PublishRefused, match=r"kling-video 0\.1 is already on the index"):
        check_version_is_new("0.1", {Version("0.1.0")}, "https://idx.example/simple/")
    check_version_is_new("0.1.1", {Version("0.1.0")}, "https://idx.example/simple/")


# --- querying the index, with a fake one ---


class FakeIndex:
    """Answers by URL; records what was asked and with which credentials."""

    def __init__(self, answers: dict[str, Response]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, Credentials | None]] = []
        self.bodies: list[bool] = []

    def __call__(self, url: str, creds: Credentials | None, *, body: bool = True) -> Response:
        self.asked.append((url, creds))
        self.bodies.append(body)
        return self.answers.get(url, Response(404))


CREDS = Credentials("ci", "pw")


def test_the_versions_on_the_project_page_are_read_with_the_credentials():
    index = FakeIndex({"http://idx/simple/kling-video/": Response(200, "text/html", PYPISERVER_PAGE)})
    root, versions = published_versions(simple_index_candidates("http://idx/"), index, CREDS, "http://idx/")
    assert root == "http://idx/simple/"
    assert Version("0.1.0") in versions
    assert index.asked == [("http://idx/simple/kling-video/", CREDS)]


def test_a_first_release_is_a_404_on_an_index_that_exists():
    index = FakeIndex({"http://idx/simple/": Response(200)})
    assert published_versions(simple_index_candidates("http://idx/"), index, CREDS, "http://idx/") == (
        "http://idx/simple/",
        set(),
    )
    assert index.bodies == [True, False]  # the root lists every project: only its status is read


def test_pypiservers_fallback_redirect_to_pypi_means_not_on_this_index():
    index = FakeIndex(
        {
            "http://idx/simple/kling-video/": Response(303, location="https://pypi.org/simple/kling-video/"),
            "http://idx/simple/": Response(200),
        }
    )
    assert published_versions(["http://idx/simple/"], index, CREDS, "http://idx/") == ("http://idx/simple/", set())
    assert all("pypi.org" not in url for url, _ in index.asked)


def test_devpi_is_found_on_the_second_candidate():
    upload = "https://devpi.example/ci/prod/"
    index = FakeIndex(
        {"https://devpi.example/ci/prod/+simple/kling-video/": Response(200, "text/html", PYPISERVER_PAGE)}
    )
    root, versions = published_versions(simple_index_candidates(upload), index, CREDS, upload)
    assert root == "https://devpi.example/ci/prod/+simple/"
    assert versions


def test_no_index_at_any_candidate_is_refused_naming_the_override():
    with pytest.raises(PublishRefused, match="KLING_PUBLISH_SIMPLE_URL"):
        published_versions(simple_index_candidates("http://idx/"), FakeIndex({}), CREDS, "http://idx/")


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_a_clear_refusal(status):
    index = FakeIndex({"http://idx/simple/kling-video/": Response(status)})
    with pytest.raises(PublishRefused, match=rf"refused the credentials \(HTTP {status}.*TWINE_USERNAME"):
        published_versions(["http://idx/simple/"], index, CREDS, "http://idx/")


def test_a_server_error_is_not_taken_for_no_releases():
    index = FakeIndex({"http://idx/simple/kling-video/": Response(502)})
    with pytest.raises(PublishRefused, match="HTTP 502"):
        published_versions(["http://idx/simple/"], index, CREDS, "http://idx/")


def test_credentials_go_only_to_the_upload_host():
    index = FakeIndex({"https://mirror.example/simple/": Response(200)})
    published_versions(["https://mirror.example/simple/"], index, CREDS, "https://upload.example/")
    assert {creds for _, creds in index.asked} == {None}


# --- the working tree ---


def test_dirty_paths_from_git_status_porcelain():
    porcelain = ' M noxfile.py\n?? tools/new.py\nR  old.py -> new name.py\n D gone.py\n?? "caf\\303\\251.txt"\n'
    assert dirty_paths(porcelain) == ["noxfile.py", "tools/new.py", "new name.py", "gone.py", "caf\\303\\251.txt"]
    assert dirty_paths("") == []


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_an_untracked_file_makes_the_tree_dirty(tmp_path):
    _git("init", "-q", cwd=tmp_path)
    check_clean_tree(tmp_path)  # an empty repository is clean
    (tmp_path / "stray.py").write_text("x = 1\n")
    with pytest.raises(PublishRefused, match=r"uncommitted changes \(stray\.py\)"):
        check_clean_tree(tmp_path)


def test_many_dirty_paths_are_summarised_on_one_line(tmp_path):
    _git("init", "-q", cwd=tmp_path)
    for index in range(5):
        (tmp_path / f"f{index}.py").write_text("")
    with pytest.raises(PublishRefused) as caught:
        check_clean_tree(tmp_path)
    assert "f0.py, f1.py, f2.py and 2 more" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_folder_that_is_not_a_checkout_is_refused(tmp_path):
    with pytest.raises(PublishRefused, match="not a git checkout"):
        check_clean_tree(tmp_path)


def test_generated_check_messages():
    assert generated_check_message(0, "generated/kling_video_api matches its inputs.", "") is None
    stale = generated_check_message(1, "--- generated/x.py\n+++ regenerated/x.py\n@@\n", "Never edit")
    assert stale is not None
    assert "stale" in stale
    assert "nox -s generate" in stale
    failed = generated_check_message(1, "", "error: openapi.yaml has SHA-256 abc, but openapi.sha256 pins def.\nmore")
    assert (
        failed == "python -m tools.generate --check failed: openapi.yaml has SHA-256 abc, but openapi.sha256 pins def. "
        "(`nox -s check_generated` shows all)"
    )
    crashed = generated_check_message(
        1, "", "Traceback (most recent call last):\n  ...\nModuleNotFoundError: No module named 'x'\n"
    )
    assert crashed is not None
    assert "ModuleNotFoundError: No module named 'x'" in crashed


def test_the_version_is_read_from_the_one_place_it_is_written(tmp_path):
    version_file = tmp_path / publish.VERSION_FILE
    version_file.parent.mkdir(parents=True)
    version_file.write_text('"""doc"""\n\n__version__ = "2.3.4"\n')
    assert read_version(tmp_path) == "2.3.4"
    version_file.write_text("VERSION = '1'\n")
    with pytest.raises(PublishRefused, match="__version__"):
        read_version(tmp_path)


def test_the_real_version_file_is_readable():
    Version(read_version())


def test_dist_must_be_one_wheel_and_one_sdist_of_the_version():
    good = ["kling_video-1.0.0-py3-none-any.whl", "kling_video-1.0.0.tar.gz"]
    assert dist_problems(good, "1.0.0") == []
    assert dist_problems(good, "1.0.1") == ["dist/ files carry version(s) ['1.0.0'], _version.py says 1.0.1"]
    assert dist_problems([*good, "kling_video-0.9.0.tar.gz"], "1.0.0") != []
    assert dist_problems(good[:1], "1.0.0") != []


# --- twine's failures, explained ---

TWINE_403 = (
    "Uploading distributions to http://127.0.0.1:8080/\nUploading kling_video-0.1.0-py3-none-any.whl\n"
    "WARNING  Error during upload. Retry with the --verbose option for more details.\n"
    "ERROR    HTTPError: 403 Forbidden from http://127.0.0.1:8080/\n         Forbidden\n"
)


def test_a_wrong_password_at_upload_is_explained():
    message = explain_upload_failure(TWINE_403, "http://ci:pw@127.0.0.1:8080/")
    assert message.startswith("the index refused the credentials (HTTP 403 from http://127.0.0.1:8080/)")
    assert "pw" not in message.replace("password", "")


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("ERROR    HTTPError: 401 Unauthorized from https://idx/", "HTTP 401"),
        ("ERROR    HTTPError: 409 Conflict from https://idx/", "already has a file"),
        ("ERROR    HTTPError: 400 Bad Request from https://idx/\n File already exists.", "already has a file"),
        ("ERROR    HTTPError: 400 Bad Request from https://idx/", "HTTP 400"),
        ("ConnectionError: HTTPConnectionPool(host='idx'): Max retries exceeded", "cannot reach"),
        ("something else", "twine upload failed"),
    ],
)
def test_other_upload_failures_are_explained(output, expected):
    assert expected in explain_upload_failure(output, "https://idx/")


# --- the order of the refusals ---


@pytest.fixture
def steps(monkeypatch):
    """publish()'s I/O steps replaced by recorders, so the order and the stops can be seen."""
    calls: list[str] = []
    monkeypatch.setattr(publish, "check_clean_tree", lambda root: calls.append("tree"))
    monkeypatch.setattr(publish, "check_generated_current", lambda root: calls.append("generated"))
    monkeypatch.setattr(publish, "read_version", lambda root: "0.1.0")
    monkeypatch.setattr(publish, "build", lambda root: calls.append("build") or [Path("a.whl")])
    monkeypatch.setattr(publish, "upload", lambda files, env, url: calls.append("upload"))
    return calls


def test_publish_checks_then_builds_then_uploads(steps):
    index = FakeIndex({"https://pypi.example.com/simple/": Response(200)})
    publish.publish(ENV, fetch=index)
    assert steps == ["tree", "generated", "build", "upload"]


def test_a_version_on_the_index_stops_before_building_or_uploading(steps):
    page = Response(200, "text/html", PYPISERVER_PAGE)
    index = FakeIndex({"https://pypi.example.com/simple/kling-video/": page})
    with pytest.raises(PublishRefused, match="already on the index"):
        publish.publish(ENV, fetch=index)
    assert steps == ["tree", "generated"]


def test_a_dirty_tree_stops_before_the_index_is_asked(steps, monkeypatch):
    def dirty(root: Path) -> None:
        raise PublishRefused("the git tree has uncommitted changes (x.py)")

    monkeypatch.setattr(publish, "check_clean_tree", dirty)
    index = FakeIndex({})
    with pytest.raises(PublishRefused, match="uncommitted"):
        publish.publish(ENV, fetch=index)
    assert index.asked == []
    assert steps == []


def test_main_prints_one_line_and_fails(monkeypatch, capsys):
    monkeypatch.delenv("TWINE_REPOSITORY_URL", raising=False)
    assert publish.main(["upload"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("refusing to publish: TWINE_REPOSITORY_URL is not set")
    assert err.count("\n") == 1

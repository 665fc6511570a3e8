"""Build kling-video's distributions, and publish them to a package index, refusing what should not ship.

    python -m tools.publish build     clean dist/, build the sdist and the wheel, run
                                      `twine check --strict` and tools.wheel_check on them
    python -m tools.publish upload    refuse a dirty git tree, a stale generated/, or a version the
                                      index already has; then build as above and upload with twine

The index is named the way twine names it, so any private index works (pypiserver, devpi,
Artifactory, Nexus, GitLab, CodeArtifact, ...):

    TWINE_REPOSITORY_URL   the index's upload URL; required, so nothing goes to PyPI by accident
    TWINE_USERNAME         with TWINE_PASSWORD; or TWINE_PASSWORD alone for a token
    TWINE_PASSWORD         (the username then defaults to __token__)
    TWINE_CERT             a CA bundle for an index with a private certificate authority
    KLING_PUBLISH_SIMPLE_URL  where the index's PEP 503 simple pages are, when the rule in
                              simple_index_candidates() does not find them

Why refuse before uploading rather than let the index complain: an upload is not undoable on
most indexes (a file name, once used, is burnt), a release must be a commit that anyone can check
out and rebuild, and twine's own error for a duplicate (often a bare "400 Bad Request") comes
after the wheel has already gone over the wire.
"""

from __future__ import annotations

import argparse
import ast
import base64
import json
import os
import shutil
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from tools import wheel_check

ROOT = Path(__file__).resolve().parent.parent
VERSION_FILE = Path("wrapper", "kling_video", "_version.py")  # relative to the project root
PROJECT = "kling-video"
SIMPLE_URL_OVERRIDE = "KLING_PUBLISH_SIMPLE_URL"
TOKEN_USERNAME = "__token__"  # noqa: S105 (a user name: twine's and PyPI's convention for API tokens)

# PEP 691 JSON first (PyPI and newer indexes), PEP 503 HTML for everything else.
SIMPLE_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"


class PublishRefused(Exception):
    """Publishing stopped before anything was uploaded; the message is one line saying why and what to do."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Response:
    """What the version check needs from one HTTP answer."""

    status: int
    content_type: str = ""
    body: str = ""
    location: str = ""


class Fetch(Protocol):
    """GET ``url``, with basic auth when ``creds`` is given; ``body=False`` when only the status matters."""

    def __call__(self, url: str, creds: Credentials | None, *, body: bool = True) -> Response: ...


# --- where and who: twine's environment ---------------------------------------------------------


def repository_url(env: Mapping[str, str]) -> str:
    """The upload URL from TWINE_REPOSITORY_URL; refused when unset, so a release never lands on PyPI by default."""
    url = env.get("TWINE_REPOSITORY_URL", "").strip()
    if not url:
        raise PublishRefused(
            "TWINE_REPOSITORY_URL is not set: name the index's upload URL "
            "(e.g. https://pypi.example.com/ or https://host/artifactory/api/pypi/REPO)"
        )
    if urlsplit(url).scheme not in ("http", "https"):
        raise PublishRefused(f"TWINE_REPOSITORY_URL must be an http(s) URL, got {redact(url)!r}")
    return url


def credentials(env: Mapping[str, str]) -> Credentials:
    """twine's credentials from the environment; a password alone is a token (username __token__)."""
    password = env.get("TWINE_PASSWORD", "")
    if not password:
        raise PublishRefused(
            "TWINE_PASSWORD is not set: give TWINE_USERNAME and TWINE_PASSWORD, "
            "or TWINE_PASSWORD alone for an API token"
        )
    return Credentials(env.get("TWINE_USERNAME") or TOKEN_USERNAME, password)


def twine_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The environment twine runs with: the caller's, with the token username filled in, never prompting."""
    return {**env, "TWINE_USERNAME": credentials(env).username, "TWINE_NON_INTERACTIVE": "1"}


def redact(url: str) -> str:
    """The URL without any user:password part, for messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


# --- the index's simple pages -------------------------------------------------------------------


def simple_index_candidates(upload_url: str, override: str | None = None) -> list[str]:
    """The simple-index roots (what pip's --index-url takes) to try for an upload URL, likeliest first.

    The upload URL and the simple URL of an index differ by layout, not by a rule anyone
    publishes, so this covers the common ones and the override covers the rest:

    - PyPI and TestPyPI (upload.pypi.org/legacy/, test.pypi.org/legacy/) → pypi.org/simple/, ...
    - warehouse-like indexes whose upload URL ends in /legacy/ → the same path with /simple/
    - an upload URL that already is a simple URL (ends in /simple/ or devpi's /+simple/) → itself
    - anything else (pypiserver's root, Artifactory's /api/pypi/REPO, Nexus's /repository/REPO/,
      GitLab's .../packages/pypi, CodeArtifact, ...) → that URL + simple/, then devpi's
      USER/INDEX/ layout, where the pages live under +simple/.
    """
    if override:
        return [_with_slash(override.strip())]
    parts = urlsplit(upload_url)
    origin = f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"
    path = parts.path.rstrip("/")
    if parts.hostname == "upload.pypi.org":
        return ["https://pypi.org/simple/"]
    if parts.hostname == "test.pypi.org" and path in ("/legacy", ""):
        return ["https://test.pypi.org/simple/"]
    if path.endswith("/legacy"):
        return [f"{origin}{path[: -len('/legacy')]}/simple/"]
    if path.endswith(("/simple", "/+simple")):
        return [f"{origin}{path}/"]
    return [f"{origin}{path}/simple/", f"{origin}{path}/+simple/"]


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def send_credentials_to(simple_root: str, upload_url: str) -> bool:
    """Whether the upload credentials may go to the simple pages: only when both are on the same host."""
    return urlsplit(simple_root).hostname == urlsplit(upload_url).hostname


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.files: list[str] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            # PEP 503: the text is the file name; the href's last segment is the same name, and
            # is what survives an index that decorates the text.
            from_href = unquote(urlsplit(self._href).path.rsplit("/", 1)[-1])
            self.files.append(from_href or "".join(self._text).strip())
            self._href = None


def files_on_page(body: str, content_type: str) -> list[str]:
    """The file names a project's simple page lists, from PEP 691 JSON or PEP 503 HTML."""
    if "json" in content_type:
        return [str(entry.get("filename", "")) for entry in json.loads(body).get("files", [])]
    parser = _Links()
    parser.feed(body)
    return parser.files


def versions_in(filenames: Iterable[str], project: str = PROJECT) -> set[Version]:
    """The versions of ``project`` that the given distribution file names carry; other names are ignored."""
    wanted = canonicalize_name(project)
    versions: set[Version] = set()
    for filename in filenames:
        try:
            if filename.endswith(".whl"):
                name, version, _, _ = parse_wheel_filename(filename)
            else:
                name, version = parse_sdist_filename(filename)
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
            continue
        if name == wanted:
            versions.add(version)
    return versions


def published_versions(
    candidates: list[str], fetch: Fetch, creds: Credentials | None, upload_url: str, project: str = PROJECT
) -> tuple[str, set[Version]]:
    """Which simple root is the index's, and the project's versions there (empty for a first release).

    A 404 for the project page means "no releases" only if the index's root answers: otherwise
    the layout guess was wrong, and saying "not published" would let a duplicate through.
    A redirect to another host (pypiserver's fallback to PyPI) means the project is not here.
    """
    for root in candidates:
        auth = creds if send_credentials_to(root, upload_url) else None
        page_url = urljoin(root, f"{canonicalize_name(project)}/")
        page = fetch(page_url, auth)
        _refuse_on_auth_failure(page, page_url)
        if page.status == 200:
            return root, versions_in(files_on_page(page.body, page.content_type), project)
        if page.status in (404, 410) or _is_elsewhere(page, page_url):
            index = fetch(root, auth, body=False)  # an index's root lists every project: only its status counts
            _refuse_on_auth_failure(index, root)
            if index.status == 200:
                return root, set()
            continue
        raise PublishRefused(f"{redact(page_url)} answered HTTP {page.status}; cannot tell which versions exist")
    raise PublishRefused(
        f"found no PEP 503 simple index at {' or '.join(redact(c) for c in candidates)}; "
        f"set (or correct) {SIMPLE_URL_OVERRIDE}: the index's simple URL, the one pip's --index-url takes"
    )


def _is_elsewhere(response: Response, url: str) -> bool:
    return 300 <= response.status < 400 and urlsplit(urljoin(url, response.location)).hostname != urlsplit(url).hostname


def _refuse_on_auth_failure(response: Response, url: str) -> None:
    if response.status in (401, 403):
        raise PublishRefused(
            f"the index refused the credentials (HTTP {response.status} from {redact(url)}): "
            f"check TWINE_USERNAME and TWINE_PASSWORD (for a token, TWINE_USERNAME={TOKEN_USERNAME})"
        )


def http_fetch(cafile: str | None = None, timeout: float = 30.0) -> Fetch:
    """A Fetch over urllib that follows redirects only within one host, so credentials never leave it."""
    context = ssl.create_default_context(cafile=cafile) if cafile else ssl.create_default_context()
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=context))

    def fetch(url: str, creds: Credentials | None, *, body: bool = True) -> Response:
        for _ in range(5):
            if urlsplit(url).scheme not in ("http", "https"):
                raise PublishRefused(f"the simple index must be an http(s) URL, got {redact(url)!r}")
            request = urllib.request.Request(url, headers={"Accept": SIMPLE_ACCEPT})  # noqa: S310 (checked above)
            if creds is not None:
                request.add_unredirected_header("Authorization", _basic(creds))
            try:
                with opener.open(request, timeout=timeout) as answer:
                    charset = answer.headers.get_content_charset() or "utf-8"
                    text = answer.read().decode(charset, "replace") if body else ""
                    return Response(answer.status, answer.headers.get("Content-Type", ""), text)
            except urllib.error.HTTPError as error:
                response = Response(
                    error.code, error.headers.get("Content-Type", ""), "", error.headers.get("Location", "")
                )
                error.close()
            except (urllib.error.URLError, OSError) as error:
                reason = getattr(error, "reason", error)
                raise PublishRefused(f"cannot reach the index at {redact(url)}: {reason}") from error
            if 300 <= response.status < 400 and response.location and not _is_elsewhere(response, url):
                url = urljoin(url, response.location)
                continue
            return response
        raise PublishRefused(f"too many redirects from {redact(url)}")

    return fetch


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # surfaces the 3xx as an HTTPError, judged by http_fetch


def _basic(creds: Credentials) -> str:
    token = base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode("ascii")
    return f"Basic {token}"


# --- the working tree ---------------------------------------------------------------------------


def dirty_paths(porcelain: str) -> list[str]:
    """The paths `git status --porcelain` reports: changed, staged, deleted or untracked (ignored ones never appear)."""
    paths = []
    for line in porcelain.splitlines():
        if len(line) > 3:
            paths.append(line[3:].split(" -> ")[-1].strip('"'))
    return paths


def check_clean_tree(root: Path = ROOT) -> None:
    """Refuse unless the tree is exactly a commit: untracked files count, since hatch packs them too."""
    try:
        completed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise PublishRefused("git is not installed; a release must be built from a git checkout") from exc
    if completed.returncode != 0:
        raise PublishRefused(f"{root} is not a git checkout ({completed.stderr.strip()}); publish from a clone")
    paths = dirty_paths(completed.stdout)
    if paths:
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        raise PublishRefused(
            f"the git tree has uncommitted changes ({shown}); commit or remove them, so the release is a commit"
        )


def generated_check_message(returncode: int, stdout: str, stderr: str) -> str | None:
    """None when `python -m tools.generate --check` passed, else one line saying what is wrong."""
    if returncode == 0:
        return None
    if any(line.startswith(("--- ", "+++ ")) for line in stdout.splitlines()):
        return (
            "generated/kling_video_api is stale (python -m tools.generate --check differs); "
            "run `nox -s generate` and commit"
        )
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    reason = next((line for line in lines if line.startswith("error:")), lines[-1] if lines else f"exit {returncode}")
    reason = reason.removeprefix("error: ")
    return f"python -m tools.generate --check failed: {reason} (`nox -s check_generated` shows all)"


def check_generated_current(root: Path = ROOT) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "tools.generate", "--check"], cwd=root, capture_output=True, text=True, check=False
    )
    message = generated_check_message(completed.returncode, completed.stdout, completed.stderr)
    if message:
        raise PublishRefused(message)


def read_version(root: Path = ROOT) -> str:
    """``__version__`` from _version.py, the one place the version is written (hatch reads it too)."""
    path = root / VERSION_FILE
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise PublishRefused(f"{path} assigns no string to __version__")


def check_version_is_new(version: str, on_index: set[Version], simple_root: str) -> None:
    if Version(version) in on_index:
        raise PublishRefused(
            f"{PROJECT} {version} is already on the index ({redact(simple_root)}); "
            "bump __version__ in wrapper/kling_video/_version.py and commit"
        )


def dist_problems(filenames: Iterable[str], version: str) -> list[str]:
    """Why dist/ is not exactly one sdist and one wheel of ``version``; empty when it is."""
    names = sorted(filenames)
    wheels = [n for n in names if n.endswith(".whl")]
    sdists = [n for n in names if n.endswith(".tar.gz")]
    problems = []
    if len(wheels) != 1 or len(sdists) != 1 or len(names) != 2:
        problems.append(f"dist/ should hold one wheel and one .tar.gz sdist, holds {names or 'nothing'}")
    found = versions_in(names)
    if found != {Version(version)}:
        problems.append(f"dist/ files carry version(s) {sorted(map(str, found))}, _version.py says {version}")
    return problems


# --- building and uploading ---------------------------------------------------------------------


def build(root: Path = ROOT, dist: Path | None = None) -> list[Path]:
    """A fresh sdist and wheel in ``dist``, proved sound by twine check --strict and the wheel check."""
    dist = dist or root / "dist"
    if dist.exists():
        shutil.rmtree(dist)  # leftovers of another version must never be uploaded with this one
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(root)], "python -m build")
    files = sorted(dist.iterdir())
    problems = dist_problems([f.name for f in files], read_version(root))
    if problems:
        raise PublishRefused("; ".join(problems))
    _run([sys.executable, "-m", "twine", "check", "--strict", *map(str, files)], "twine check --strict")
    wheel = next(f for f in files if f.suffix == ".whl")
    problems = wheel_check.check_wheel(wheel)
    if problems:
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        raise PublishRefused(f"{wheel.name} does not hold what it should ({len(problems)} problem(s) above)")
    print(f"built and checked: {', '.join(f.name for f in files)}")
    return files


def _run(command: list[str], label: str) -> None:
    if subprocess.run(command, check=False).returncode != 0:
        raise PublishRefused(f"{label} failed (its output is above)")


def explain_upload_failure(output: str, upload_url: str) -> str:
    """One line on why twine's upload failed, for the failures whose own output does not say what to do."""
    where = redact(upload_url)
    if "401 " in output or "403 " in output:
        status = "401" if "401 " in output else "403"
        return (
            f"the index refused the credentials (HTTP {status} from {where}): "
            f"check TWINE_USERNAME and TWINE_PASSWORD (for a token, TWINE_USERNAME={TOKEN_USERNAME})"
        )
    if "409 " in output or "already exists" in output.lower():
        return f"the index at {where} already has a file of this version; bump the version"
    if "400 " in output:
        return (
            f"the index at {where} rejected the upload (HTTP 400): "
            "often a file that already exists, or metadata it refuses"
        )
    if "ConnectionError" in output or "Max retries exceeded" in output:
        return f"cannot reach the index at {where}"
    return "twine upload failed; its output is above"


def upload(files: list[Path], env: Mapping[str, str], upload_url: str) -> None:
    command = [sys.executable, "-m", "twine", "upload", "--disable-progress-bar", "--non-interactive", *map(str, files)]
    completed = subprocess.run(command, env=twine_environment(env), capture_output=True, text=True, check=False)
    sys.stdout.write(completed.stdout)
    sys.stderr.write(completed.stderr)
    if completed.returncode != 0:
        raise UploadFailed(explain_upload_failure(completed.stdout + completed.stderr, upload_url))


class UploadFailed(Exception):
    """twine ran and the index said no; the message is one line on why."""


def publish(env: Mapping[str, str], root: Path = ROOT, fetch: Fetch | None = None) -> list[Path]:
    """Every refusal first (cheapest first), then build, then upload. Returns the uploaded files."""
    upload_url = repository_url(env)
    creds = credentials(env)
    check_clean_tree(root)
    check_generated_current(root)
    version = read_version(root)
    candidates = simple_index_candidates(upload_url, env.get(SIMPLE_URL_OVERRIDE))
    simple_root, on_index = published_versions(
        candidates, fetch or http_fetch(env.get("TWINE_CERT")), creds, upload_url
    )
    check_version_is_new(version, on_index, simple_root)
    print(f"{PROJECT} {version} is not yet on {redact(simple_root)}; building")
    files = build(root)
    upload(files, env, upload_url)
    print(f"published {PROJECT} {version} to {redact(upload_url)}")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["build", "upload"], help="build only, or check + build + upload")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            build()
        else:
            publish(os.environ)
    except PublishRefused as exc:
        verb = "build failed" if args.command == "build" else "refusing to publish"
        print(f"{verb}: {exc}", file=sys.stderr)
        return 1
    except UploadFailed as exc:
        print(f"upload failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Turn the pinned spec and the overlay into generated/kling_video_api, or check that it matches.

    python -m tools.generate            rewrite generated/kling_video_api
    python -m tools.generate --check    regenerate into a temporary folder; fail with a diff
                                        when generated/ differs from what the inputs give

Both paths generate into a temporary folder first, so ruff (run by the generator's post hooks
with --isolated) formats identically wherever the repository lives, and a failed generation
never leaves generated/ half-written.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from tools.overlay import OverlayError, apply_overlay

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
SPEC_SHA256 = ROOT / "openapi.sha256"
OVERLAY = ROOT / "openapi.overlay.yaml"
CONFIG = ROOT / "generator-config.yml"
PACKAGE = "kling_video_api"
GENERATED = ROOT / "generated" / PACKAGE
REQUIREMENTS = ROOT / "tools" / "generate-requirements.txt"
# Every input of generation, digested into the package: an input changed without regenerating is
# caught even when the change would not alter a line of code (an overlay action's description).
INPUTS = (SPEC, OVERLAY, CONFIG, REQUIREMENTS)
INPUTS_MANIFEST = "inputs.sha256"


class GenerationError(Exception):
    """Generation stopped; the message says which input is at fault."""


def spec_digest(path: Path | None = None) -> str:
    return hashlib.sha256((path or SPEC).read_bytes()).hexdigest()


def check_pinned_spec() -> None:
    """Stop when openapi.yaml is not the document whose digest was recorded with it."""
    recorded = SPEC_SHA256.read_text(encoding="utf-8").split()[0]
    actual = spec_digest()
    if recorded != actual:
        raise GenerationError(
            f"{SPEC.name} has SHA-256 {actual}, but {SPEC_SHA256.name} pins {recorded}.\n"
            "The pinned spec is never edited by hand: undo the edit, or bring in a new vendor "
            "document with `nox -s update_spec -- PATH`, which records the new digest."
        )


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def effective_spec() -> dict[str, Any]:
    """The pinned spec with the overlay applied, validated as OpenAPI 3.0."""
    check_pinned_spec()
    spec, _ = apply_overlay(load_yaml(SPEC), load_yaml(OVERLAY))
    validate(spec)
    return spec


def generate_into(destination: Path) -> Path:
    """Generate the package into ``destination``/kling_video_api and return that path."""
    spec = effective_spec()
    with tempfile.TemporaryDirectory(prefix="kling-generate-") as work:
        spec_path = Path(work) / "openapi.effective.json"
        spec_path.write_text(json.dumps(spec, ensure_ascii=False, indent=2), encoding="utf-8")
        output = Path(work) / PACKAGE
        command = [
            _generator_executable(),
            "generate",
            "--path",
            str(spec_path),
            "--config",
            str(CONFIG),
            "--meta",
            "none",
            "--output-path",
            str(output),
            "--fail-on-warning",
        ]
        # The post hooks call `ruff` by name: find the pinned one beside this interpreter first.
        env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
        completed = subprocess.run(command, capture_output=True, text=True, cwd=work, check=False, env=env)
        if completed.returncode != 0:
            raise GenerationError(f"openapi-python-client failed:\n{completed.stdout}\n{completed.stderr}")
        (output / "py.typed").write_text("# Marker file for PEP 561\n", encoding="utf-8")
        (output / INPUTS_MANIFEST).write_text(inputs_manifest(), encoding="utf-8")
        target = destination / PACKAGE
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(output, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def inputs_manifest() -> str:
    """``sha256sum``-style lines for every input, as recorded beside the code they produced."""
    return "".join(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n" for path in INPUTS)


def _generator_executable() -> str:
    beside_python = Path(sys.executable).with_name("openapi-python-client")
    found = str(beside_python) if beside_python.exists() else shutil.which("openapi-python-client")
    if not found:
        raise GenerationError("openapi-python-client is not installed: pip install -r tools/generate-requirements.txt")
    return found


def _files(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def diff_against(expected_root: Path, actual_root: Path) -> list[str]:
    """Unified diff lines of every file that differs, is missing, or should not be there."""
    expected, actual = _files(expected_root), _files(actual_root)
    lines: list[str] = []
    for name in sorted(expected.keys() | actual.keys()):
        want, have = expected.get(name, ""), actual.get(name, "")
        if want != have:
            lines.extend(
                difflib.unified_diff(
                    have.splitlines(keepends=True),
                    want.splitlines(keepends=True),
                    fromfile=f"generated/{PACKAGE}/{name}" if name in actual else "/dev/null",
                    tofile=f"regenerated/{PACKAGE}/{name}" if name in expected else "/dev/null",
                )
            )
    return lines


def check() -> int:
    with tempfile.TemporaryDirectory(prefix="kling-check-") as fresh:
        regenerated = generate_into(Path(fresh))
        lines = diff_against(regenerated, GENERATED)
    if lines:
        sys.stdout.writelines(lines)
        print(
            f"\ngenerated/{PACKAGE} does not match what openapi.yaml + openapi.overlay.yaml + "
            f"generator-config.yml produce (or an input changed since; see {INPUTS_MANIFEST}).\n"
            "Never edit generated/ by hand: change the overlay or "
            "the config, then run `nox -s generate`.",
            file=sys.stderr,
        )
        return 1
    print(f"generated/{PACKAGE} matches its inputs.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of rewriting")
    args = parser.parse_args(argv)
    try:
        if args.check:
            return check()
        generate_into(GENERATED.parent)
        print(f"wrote generated/{PACKAGE}")
        return 0
    except (GenerationError, OverlayError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OpenAPIValidationError as exc:
        print(f"error: the effective spec (openapi.yaml + overlay) is not valid OpenAPI: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())

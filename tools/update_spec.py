"""Bring in a new vendor OpenAPI document: `nox -s update_spec -- PATH` (or python -m tools.update_spec PATH).

    1. read PATH: YAML or JSON, an OpenAPI 3 document; an apifox export whose indentation was
       lost in transit (as the first one reached us) is recognised and refused, since restoring
       the nesting needs a person's judgement wherever a key could belong to two levels;
    2. print what changed in the API against the pinned openapi.yaml, breaking changes first;
    3. write openapi.yaml in the pinned file's conventions (its header comment, the document's
       own key order, 2-space indents, block scalars for multi-line text, no line wrapping)
       and record its SHA-256 in openapi.sha256;
    4. apply openapi.overlay.yaml to it, listing every action whose target no longer matches;
    5. regenerate generated/kling_video_api;
    6. run the contract tests (pytest -m contract).

With --diff-only it stops after step 2 and writes nothing. Steps 3 to 6 leave the new spec in
place even when a later one fails: the next move (adjusting the overlay to the new document)
needs it there, and git shows and undoes every file this touched.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from tools import generate, spec_diff
from tools.overlay import OverlayError, apply_overlay


class SpecUpdateError(Exception):
    """The update stopped; the message says what is wrong with the input and what to do."""


def load_document(text: str, source: str) -> dict[str, Any]:
    """The OpenAPI document in ``text`` (YAML, or JSON, which YAML reads too), checked for the shape we rely on."""
    try:
        # JSON by its own parser: YAML reads most JSON, but not every escape JSON allows (such as \/).
        document = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise SpecUpdateError(f"{source} is not valid JSON: {exc}") from exc
    except yaml.YAMLError as exc:
        if looks_flattened(text):
            raise SpecUpdateError(_flattened_message(source)) from exc
        raise SpecUpdateError(f"{source} is neither YAML nor JSON: {exc}") from exc
    if not _has_openapi_shape(document):
        if looks_flattened(text):
            raise SpecUpdateError(_flattened_message(source))
        raise SpecUpdateError(
            f"{source} is not an OpenAPI 3 document (expected a mapping with 'openapi: 3.x' and 'paths')"
        )
    return dict(document)


def looks_flattened(text: str) -> bool:
    """Whether ``text`` is YAML whose indentation was stripped: nested keys, and not one indented line."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    keys = [line for line in lines if line.rstrip().endswith(":")]  # keys that open a nested block
    return len(keys) >= 2 and not any(line[:1] in (" ", "\t") for line in lines)


def _flattened_message(source: str) -> str:
    return (
        f"{source} looks like an apifox export whose indentation was lost (no line is indented). "
        "Restore its nesting first, every line kept and only indentation added, as openapi.yaml was made; "
        "then run this again on the restored file"
    )


def _has_openapi_shape(document: Any) -> bool:
    return (
        isinstance(document, Mapping)
        and str(document.get("openapi", "")).startswith("3.")
        and isinstance(document.get("paths"), Mapping)
        and all(isinstance(item, Mapping) for item in document["paths"].values())
    )


def header_comment(text: str) -> str:
    """The leading comment block of the pinned file: it says where the document came from and how to treat it."""
    lines = text.splitlines(keepends=True)
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    return "".join(header)


class _PinnedStyleDumper(yaml.SafeDumper):
    """YAML as the pinned file writes it: sequences indented under their key (``tags:`` then ``  - x``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # Multi-line text as a block scalar (|-), as in the pinned file; PyYAML falls back to a quoted
    # scalar by itself where a block cannot hold the text exactly (tabs, trailing spaces).
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_PinnedStyleDumper.add_representer(str, _represent_str)


def render_spec(document: Mapping[str, Any], header: str) -> str:
    """The text of openapi.yaml for ``document``: the header comment, then the document in the pinned conventions.

    The key order is the document's own, never sorted, so the git diff of an update shows what
    the vendor changed and little else.
    """
    body = yaml.dump(
        dict(document),
        Dumper=_PinnedStyleDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=float("inf"),
        indent=2,
    )
    return header + body


def digest_line(text: str) -> str:
    """openapi.sha256's content for ``text``: the `sha256sum` format, so `sha256sum -c openapi.sha256` checks it."""
    return f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}  {generate.SPEC.name}\n"


def update(path: Path, *, diff_only: bool = False) -> int:
    """The whole workflow; returns the process exit code."""
    try:
        new = load_document(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise SpecUpdateError(f"cannot read {path}: {exc}") from exc
    try:
        validate(new)
    except OpenAPIValidationError as exc:
        raise SpecUpdateError(f"{path} is not valid OpenAPI: {exc.message}") from exc
    current_text = generate.SPEC.read_text(encoding="utf-8")
    old = yaml.safe_load(current_text)

    print(f"What changed in the API ({generate.SPEC.name} → {path}):")
    print(spec_diff.format_changes(spec_diff.diff_specs(old, new)))
    if diff_only:
        return 0

    text = render_spec(new, header_comment(current_text))
    if yaml.safe_load(text) != new:  # never pin a document that does not read back as the vendor's
        raise SpecUpdateError("the rewritten openapi.yaml does not read back as the same document; nothing written")
    if text == current_text:
        print(f"\n{generate.SPEC.name} is unchanged.")
    generate.SPEC.write_text(text, encoding="utf-8")
    generate.SPEC_SHA256.write_text(digest_line(text), encoding="utf-8")
    print(f"\nwrote {generate.SPEC.name} and {generate.SPEC_SHA256.name}")

    try:
        _, reports = apply_overlay(new, generate.load_yaml(generate.OVERLAY))
    except OverlayError as exc:
        print(f"\n{generate.OVERLAY.name} no longer fits the new spec:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        print(
            "Adjust those actions to the new document (each says why it exists), then run "
            "`nox -s generate` and `nox -s tests -- -m contract`.",
            file=sys.stderr,
        )
        return 1
    print(f"{generate.OVERLAY.name}: all {len(reports)} actions still match")

    try:
        generate.generate_into(generate.GENERATED.parent)
    except (generate.GenerationError, OpenAPIValidationError) as exc:
        print(f"\nregeneration failed: {exc}", file=sys.stderr)
        return 1
    print(f"regenerated generated/{generate.PACKAGE}; running the contract tests")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "contract", "-q"], cwd=generate.ROOT, check=False
    ).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, help="the vendor's new OpenAPI document (YAML or JSON)")
    parser.add_argument("--diff-only", action="store_true", help="print what changed; write nothing")
    args = parser.parse_args(argv)
    try:
        return update(args.path, diff_only=args.diff_only)
    except SpecUpdateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The pinned spec is the vendor's document, restored; the effective spec is valid OpenAPI."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from tools import generate

pytestmark = pytest.mark.contract

VENDOR = generate.ROOT.parent / "shared" / "vendor" / "anyapi-kling-text2video.openapi.txt"


def test_pinned_spec_is_valid_openapi():
    validate(yaml.safe_load(generate.SPEC.read_text(encoding="utf-8")))


def test_pinned_spec_digest_matches_the_recorded_one():
    generate.check_pinned_spec()


def test_an_edited_spec_is_caught_before_generation(tmp_path, monkeypatch):
    edited = tmp_path / "openapi.yaml"
    edited.write_text(generate.SPEC.read_text(encoding="utf-8").replace("kling-v1", "kling-v9", 1))
    monkeypatch.setattr(generate, "SPEC", edited)
    with pytest.raises(generate.GenerationError, match="never edited by hand"):
        generate.check_pinned_spec()


@pytest.mark.skipif(not VENDOR.exists(), reason="the vendor's original lives in ../shared")
def test_pinned_spec_holds_the_vendor_text_line_for_line():
    """Only indentation was restored: stripped of it, the lines are the vendor's, in order."""
    vendor = [line.strip() for line in VENDOR.read_text(encoding="utf-8").splitlines()[3:]]
    pinned = [
        line.strip() for line in generate.SPEC.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    assert pinned == vendor


def test_effective_spec_is_valid_and_has_the_three_operations():
    spec = generate.effective_spec()
    operations = {op["operationId"] for path in spec["paths"].values() for op in path.values() if "operationId" in op}
    assert operations == {"create_task", "get_task", "list_tasks"}
    create = spec["paths"]["/kling/v1/videos/text2video"]["post"]
    assert create["parameters"] == []
    assert create["tags"] == ["text2video"]


def test_generated_modules_are_ascii_and_import():
    package = importlib.import_module("kling_video_api")
    names = [m.name for m in pkgutil.walk_packages(package.__path__, "kling_video_api.")]
    assert "kling_video_api.api.text2video.create_task" in names
    for name in names:
        assert name.isascii(), name
        importlib.import_module(name)
    from kling_video_api.models import Task, TaskEnvelope, Text2VideoRequest  # noqa: F401


def test_check_generated_reports_a_hand_edit(tmp_path):
    edited = tmp_path / "copy"
    import shutil

    shutil.copytree(generate.GENERATED, edited)
    target = edited / "models" / "task.py"
    target.write_text(target.read_text(encoding="utf-8") + "\n# hand edit\n", encoding="utf-8")
    (edited / "stray.py").write_text("x = 1\n", encoding="utf-8")
    diff = "".join(generate.diff_against(generate.GENERATED, edited))
    assert "+# hand edit" not in diff  # the diff shows what regeneration would do: drop it
    assert "-# hand edit" in diff
    assert "stray.py" in diff
    assert generate.diff_against(generate.GENERATED, Path(generate.GENERATED)) == []


def test_generated_records_the_digests_of_all_its_inputs():
    recorded = (generate.GENERATED / generate.INPUTS_MANIFEST).read_text(encoding="utf-8")
    assert recorded == generate.inputs_manifest()
    assert {line.split()[1] for line in recorded.splitlines()} == {
        "openapi.yaml",
        "openapi.overlay.yaml",
        "generator-config.yml",
        "generate-requirements.txt",
    }


def test_an_input_change_that_alters_no_code_still_makes_generated_stale(tmp_path, monkeypatch, capsys):
    overlay = tmp_path / "openapi.overlay.yaml"
    text = generate.OVERLAY.read_text(encoding="utf-8")
    overlay.write_text(text.replace("description: >-", "description: >-\n      Reworded.", 1), encoding="utf-8")
    monkeypatch.setattr(generate, "OVERLAY", overlay)
    monkeypatch.setattr(generate, "INPUTS", (generate.SPEC, overlay, generate.CONFIG, generate.REQUIREMENTS))
    assert generate.check() == 1
    assert "inputs.sha256" in capsys.readouterr().out

"""The spec update: what changed in the API (breaking first), and how a new document is read and pinned."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from tools import generate, spec_diff, update_spec
from tools.spec_diff import Kind, diff_specs, format_changes, type_label
from tools.update_spec import SpecUpdateError, digest_line, header_comment, load_document, looks_flattened, render_spec

CREATE = "POST /videos"


def spec(**request_properties: Any) -> dict[str, Any]:
    """A small document shaped like the vendor's: one create call, a body, an envelope answer."""
    return {
        "openapi": "3.0.1",
        "info": {"title": "", "version": "1"},
        "paths": {
            "/videos": {
                "post": {
                    "summary": "create",
                    "parameters": [{"name": "Authorization", "in": "header", "schema": {"type": "string"}}],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "prompt": {"type": "string", "description": "at most 2500 characters"},
                                        "duration": {"type": "string"},
                                        "camera": {
                                            "type": "object",
                                            "properties": {"zoom": {"type": "integer"}, "pan": {"type": "integer"}},
                                        },
                                        "shots": {
                                            "type": "array",
                                            "items": {"type": "object", "properties": {"index": {"type": "integer"}}},
                                        },
                                        **request_properties,
                                    },
                                    "required": ["duration"],
                                }
                            }
                        }
                    },
                    "responses": {
                        "200": {
                            "description": "",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Envelope"},
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Envelope": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "integer"},
                        "status": {"type": "string", "enum": ["submitted", "succeed"]},
                    },
                    "required": ["code"],
                }
            }
        },
    }


def body(document: dict[str, Any]) -> dict[str, Any]:
    return document["paths"]["/videos"]["post"]["requestBody"]["content"]["application/json"]["schema"]


def envelope(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]["Envelope"]


def whats(changes: list[spec_diff.Change]) -> list[tuple[Kind, str]]:
    return [(change.kind, change.what) for change in changes]


def test_the_same_document_has_no_changes():
    assert diff_specs(spec(), spec()) == []
    assert format_changes([]) == "No change in operations or fields."


def test_operations_removed_and_added():
    old, new = spec(), spec()
    new["paths"]["/videos/{id}"] = {"get": {"responses": {}}}
    del new["paths"]["/videos"]["post"]
    new["paths"]["/videos"]["put"] = old["paths"]["/videos"]["post"]
    assert whats(diff_specs(old, new)) == [
        (Kind.OPERATION_REMOVED, "operation removed"),
        (Kind.OPERATION_ADDED, "operation added"),
        (Kind.OPERATION_ADDED, "operation added"),
    ]
    assert [c.where for c in diff_specs(old, new)] == ["POST /videos", "GET /videos/{id}", "PUT /videos"]


def test_a_removed_nested_field_is_breaking_and_named_by_its_path():
    old, new = spec(), spec()
    del body(new)["properties"]["camera"]["properties"]["zoom"]
    body(new)["properties"]["camera"]["properties"]["tilt"] = {"type": "string"}
    [change] = diff_specs(old, new)[:1]
    assert change.kind is Kind.FIELD_REMOVED
    assert str(change) == "POST /videos request body: removed field camera.zoom (integer)"


def test_a_rename_is_suspected_when_one_field_of_a_type_goes_and_one_comes():
    old, new = spec(), spec()
    body(new)["properties"]["camera"]["properties"]["scale"] = body(new)["properties"]["camera"]["properties"].pop(
        "zoom"
    )
    assert whats(diff_specs(old, new)) == [
        (Kind.FIELD_RENAMED, "field camera.zoom removed and camera.scale added, both integer")
    ]


def test_new_required_request_fields_and_newly_required_ones_are_breaking():
    old, new = spec(), spec(mode={"type": "string"}, sound={"type": "string"})
    body(new)["required"] = ["duration", "mode", "prompt"]
    changes = diff_specs(old, new)
    assert whats(changes) == [
        (Kind.NEWLY_REQUIRED, "new required field mode (string)"),
        (Kind.NEWLY_REQUIRED, "field prompt is now required"),
        (Kind.FIELD_ADDED, "new optional field sound (string)"),
    ]
    assert [c.breaking for c in changes] == [True, True, False]


def test_type_changes_are_breaking_in_arrays_too():
    old, new = spec(), spec()
    body(new)["properties"]["duration"] = {"type": "integer"}
    body(new)["properties"]["shots"]["items"]["properties"]["index"] = {"type": "string"}
    assert whats(diff_specs(old, new)) == [
        (Kind.TYPE_CHANGED, "duration: string → integer"),
        (Kind.TYPE_CHANGED, "shots[].index: integer → string"),
    ]


def test_response_fields_follow_the_references_and_read_the_other_way_round():
    old, new = spec(), spec()
    envelope(new)["properties"]["request_id"] = {"type": "string"}
    envelope(new)["required"] = []  # code: a reader can no longer count on it
    envelope(new)["properties"]["status"]["enum"] = ["submitted", "succeed", "failed"]
    changes = diff_specs(old, new)
    assert whats(changes) == [
        (Kind.NO_LONGER_GUARANTEED, "field code may now be absent from the response"),
        (Kind.ENUM_BREAKING, "status: values added ['failed']"),
        (Kind.FIELD_ADDED, "new field request_id (string)"),
    ]
    assert changes[0].where == "POST /videos response 200"


def test_enum_values_a_request_may_no_longer_send_are_breaking():
    old = spec(mode={"type": "string", "enum": ["std", "pro"]})
    new = spec(mode={"type": "string", "enum": ["pro", "max"]})
    assert whats(diff_specs(old, new)) == [
        (Kind.ENUM_BREAKING, "mode: values removed ['std']"),
        (Kind.ENUM_COMPATIBLE, "mode: values added ['max']"),
    ]


def test_parameters_and_descriptions():
    old, new = spec(), spec()
    operation = new["paths"]["/videos"]["post"]
    operation["parameters"] = [{"name": "page", "in": "query", "required": True, "schema": {"type": "integer"}}]
    operation["summary"] = "create a task"
    body(new)["properties"]["prompt"]["description"] = "at most 3000 characters"
    assert whats(diff_specs(old, new)) == [
        (Kind.FIELD_REMOVED, "removed header parameter Authorization"),
        (Kind.NEWLY_REQUIRED, "new required query parameter page"),
        (Kind.DESCRIPTION_CHANGED, "summary: 'create' → 'create a task'"),
        (Kind.DESCRIPTION_CHANGED, "prompt: 'at most 2500 characters' → 'at most 3000 characters'"),
    ]


def test_every_breaking_change_is_listed_before_any_other():
    old, new = spec(), spec(extra={"type": "string"})
    body(new)["properties"]["prompt"]["description"] = "changed"
    body(new)["properties"]["duration"] = {"type": "integer"}
    del new["paths"]["/videos"]["post"]["parameters"]
    new["paths"]["/other"] = {"get": {"responses": {}}}
    kinds = [c.kind for c in diff_specs(old, new)]
    assert kinds == sorted(kinds, key=lambda k: k.rank)
    severities = [k.severity for k in kinds]
    assert severities == sorted(severities, key=["breaking", "compatible", "note"].index)
    report = format_changes(diff_specs(old, new))
    assert report.index("Breaking changes (2):") < report.index("Compatible changes (2):") < report.index("Notes (1):")


def test_a_recursive_schema_terminates():
    old, new = spec(), spec()
    for document in (old, new):
        envelope(document)["properties"]["parent"] = {"$ref": "#/components/schemas/Envelope"}
    envelope(new)["properties"]["extra"] = {"type": "boolean"}
    assert whats(diff_specs(old, new)) == [(Kind.FIELD_ADDED, "new field extra (boolean)")]


def test_type_labels():
    document: dict[str, Any] = {"components": {"schemas": {"S": {"type": "string", "format": "date-time"}}}}
    assert type_label({"$ref": "#/components/schemas/S"}, document) == "string (date-time)"
    assert type_label({"type": "array", "items": {"type": "integer"}}, document) == "array of integer"
    assert type_label({"properties": {}}, document) == "object"
    assert type_label({"oneOf": [{"type": "string"}, {"type": "integer"}]}, document) == "oneOf(string | integer)"
    assert type_label({}, document) == "any"


def test_the_pinned_spec_against_its_effective_form_reports_the_overlay():
    """On the real documents: what the overlay adds reads as added operations and response fields."""
    from tools.overlay import apply_overlay

    pinned = generate.load_yaml(generate.SPEC)
    effective, _ = apply_overlay(pinned, generate.load_yaml(generate.OVERLAY))
    changes = diff_specs(pinned, effective)
    added = {c.where for c in changes if c.kind is Kind.OPERATION_ADDED}
    assert added == {"GET /kling/v1/videos/text2video", "GET /kling/v1/videos/text2video/{task_id}"}
    assert any(c.kind is Kind.FIELD_REMOVED and "Authorization" in c.what for c in changes)


# --- reading and pinning a new document ---

PINNED_TEXT = generate.SPEC.read_text(encoding="utf-8")


def test_rendering_the_pinned_document_gives_the_pinned_file_byte_for_byte():
    """So an update writes the vendor's changes and nothing else, and the digest of an unchanged spec stays."""
    document = load_document(PINNED_TEXT, "openapi.yaml")
    assert render_spec(document, header_comment(PINNED_TEXT)) == PINNED_TEXT
    assert digest_line(PINNED_TEXT) == generate.SPEC_SHA256.read_text(encoding="utf-8")


def test_json_and_yaml_of_the_same_document_render_alike():
    document = yaml.safe_load(PINNED_TEXT)
    as_json = json.dumps(document, ensure_ascii=False, indent=2).replace("/", "\\/")
    assert render_spec(load_document(as_json, "x.json"), "") == render_spec(document, "")


def test_the_header_comment_is_the_leading_comment_block_only():
    assert header_comment("# one\n# two\nopenapi: 3.0.1\n# later\n") == "# one\n# two\n"
    assert header_comment("openapi: 3.0.1\n") == ""


def test_multi_line_text_stays_a_block_and_text_with_tabs_stays_quoted():
    text = render_spec({"openapi": "3.0.1", "a": "line one\nline two", "b": "x\n\ty", "c": "16:9", "d": "off"}, "")
    assert "a: |-\n  line one\n  line two\n" in text
    assert 'b: "x\\n\\ty"' in text
    assert "c: '16:9'" in text
    assert "d: 'off'" in text


def test_an_export_that_lost_its_indentation_is_recognised_and_refused():
    flattened = (
        "文生视频\nOpenAPI Specification\nyaml\nopenapi: 3.0.1\ninfo:\ntitle: ''\npaths:\n/a:\npost:\nsummary: x\n"
    )
    assert looks_flattened(flattened)
    assert not looks_flattened(PINNED_TEXT)
    with pytest.raises(SpecUpdateError, match="indentation was lost"):
        load_document(flattened, "vendor.txt")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("openapi: 3.0.1\ninfo: {title: t, version: '1'}\n", "not an OpenAPI 3 document"),
        ("swagger: '2.0'\npaths: {}\n", "not an OpenAPI 3 document"),
        ("{not json", "not valid JSON"),
        ("a: [unclosed\n", "neither YAML nor JSON"),
    ],
)
def test_documents_that_are_not_openapi_3_are_refused(text, message):
    with pytest.raises(SpecUpdateError, match=message):
        load_document(text, "x")


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """tools.generate's paths pointed at copies, so the workflow can write without touching the repository."""
    for name in ("SPEC", "SPEC_SHA256", "OVERLAY"):
        original = getattr(generate, name)
        copy_path = tmp_path / original.name
        copy_path.write_bytes(original.read_bytes())
        monkeypatch.setattr(generate, name, copy_path)

    def no_generation(destination):
        raise AssertionError("generation must not run in this test")

    monkeypatch.setattr(generate, "generate_into", no_generation)
    return tmp_path


def test_diff_only_writes_nothing(sandbox, capsys):
    new = yaml.safe_load(PINNED_TEXT)
    new["paths"]["/kling/v1/videos/text2video"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "required"
    ].append("prompt")
    source = sandbox / "new.yaml"
    source.write_text(yaml.safe_dump(new, allow_unicode=True), encoding="utf-8")
    assert update_spec.main([str(source), "--diff-only"]) == 0
    out = capsys.readouterr().out
    assert "Breaking changes (1):" in out
    assert "field prompt is now required" in out
    assert generate.SPEC.read_text(encoding="utf-8") == PINNED_TEXT


def test_an_overlay_that_no_longer_matches_is_reported_after_the_spec_is_written(sandbox, capsys):
    new = copy.deepcopy(yaml.safe_load(PINNED_TEXT))
    new["paths"]["/kling/v2/videos/text2video"] = new["paths"].pop("/kling/v1/videos/text2video")
    source = sandbox / "new.json"
    source.write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")
    assert update_spec.main([str(source)]) == 1
    captured = capsys.readouterr()
    assert "POST /kling/v1/videos/text2video: operation removed" in captured.out
    assert "no longer fits the new spec" in captured.err
    assert "target matches nothing" in captured.err
    written = generate.SPEC.read_text(encoding="utf-8")
    assert written.startswith(header_comment(PINNED_TEXT))
    assert "/kling/v2/videos/text2video:" in written
    assert generate.SPEC_SHA256.read_text(encoding="utf-8") == digest_line(written)
    generate.check_pinned_spec()  # the new digest is the one recorded


def test_invalid_openapi_is_refused_before_anything_is_written(sandbox, capsys):
    source = sandbox / "bad.yaml"
    source.write_text("openapi: 3.0.1\ninfo: {title: t}\npaths: {}\n", encoding="utf-8")
    assert update_spec.main([str(source)]) == 1
    assert "is not valid OpenAPI" in capsys.readouterr().err
    assert generate.SPEC.read_text(encoding="utf-8") == PINNED_TEXT

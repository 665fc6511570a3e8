"""The overlay applier: Overlay 1.0 semantics, and loud failure when a target matches nothing."""

from __future__ import annotations

import pytest

from tools.overlay import OverlayError, apply_overlay


def overlay(*actions: dict) -> dict:
    return {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": list(actions)}


DOC = {
    "info": {"title": "", "version": "1"},
    "paths": {
        "/a": {
            "post": {
                "tags": ["中文"],
                "parameters": [
                    {"name": "Content-Type", "in": "header"},
                    {"name": "q", "in": "query"},
                    {"name": "Authorization", "in": "header"},
                ],
            }
        }
    },
}


def test_update_merges_objects_recursively_and_replaces_scalars():
    result, reports = apply_overlay(DOC, overlay({"target": "$.info", "update": {"title": "T", "x-new": {"a": 1}}}))
    assert result["info"] == {"title": "T", "version": "1", "x-new": {"a": 1}}
    assert reports[0].matched == 1


def test_update_on_an_array_appends():
    result, _ = apply_overlay(DOC, overlay({"target": "$.paths['/a'].post.tags", "update": "text2video"}))
    assert result["paths"]["/a"]["post"]["tags"] == ["中文", "text2video"]


def test_remove_with_a_filter_removes_every_match_without_shifting_the_others():
    result, reports = apply_overlay(
        DOC,
        overlay({"target": "$.paths['/a'].post.parameters[?@.in == 'header']", "remove": True}),
    )
    assert result["paths"]["/a"]["post"]["parameters"] == [{"name": "q", "in": "query"}]
    assert reports[0].matched == 2


def test_the_input_document_is_left_untouched():
    before = repr(DOC)
    apply_overlay(DOC, overlay({"target": "$.paths['/a'].post.tags", "remove": True}))
    assert repr(DOC) == before


def test_every_unmatched_target_is_reported_not_skipped():
    with pytest.raises(OverlayError) as caught:
        apply_overlay(
            DOC,
            overlay(
                {"target": "$.paths['/gone'].post", "update": {"x": 1}},
                {"target": "$.info", "update": {"title": "ok"}},
                {"target": "$.components.schemas", "remove": True},
            ),
        )
    assert len(caught.value.problems) == 2
    assert "/gone" in caught.value.problems[0]
    assert "components" in caught.value.problems[1]


def test_updating_a_scalar_is_an_error():
    with pytest.raises(OverlayError, match="cannot update a str"):
        apply_overlay(DOC, overlay({"target": "$.info.title", "update": {"a": 1}}))


@pytest.mark.parametrize(
    "bad",
    [
        {"overlay": "2.0.0", "info": {}, "actions": [{"target": "$", "update": {}}]},
        {"overlay": "1.0.0", "info": {}, "actions": []},
        {"overlay": "1.0.0", "info": {}, "actions": [{"target": "info", "update": {}}]},
        {"overlay": "1.0.0", "info": {}, "actions": [{"target": "$.info"}]},
    ],
)
def test_malformed_overlays_are_refused(bad):
    with pytest.raises(OverlayError):
        apply_overlay(DOC, bad)


def test_invalid_jsonpath_is_reported():
    with pytest.raises(OverlayError, match="invalid JSONPath"):
        apply_overlay(DOC, overlay({"target": "$.paths[?", "remove": True}))

"""The model table says exactly what kling-api.md's Models table says, and the lookups use it."""

from __future__ import annotations

import dataclasses

import pytest
from kling_video import _constants as C
from kling_video import model_table
from kling_video.model_table import (
    ALWAYS,
    DEFAULT_MULTI_SHOT_MODEL_NAME,
    MODELS,
    Limits,
    ModelCapabilities,
    capabilities,
    default_multi_shot_model,
    only,
)

FIVE_OR_TEN = frozenset({5, 10})

# kling-api.md, Models, row by row: (modes, durations, cfg_scale, camera_control, sound, multi_shot)
DOC_TABLE = {
    "kling-v1": ({"std", "pro"}, FIVE_OR_TEN, ALWAYS, only(modes=["std"], durations=[5]), None, None),
    "kling-v1-6": ({"std", "pro"}, FIVE_OR_TEN, ALWAYS, None, None, None),
    "kling-v2-master": ({"std", "pro"}, FIVE_OR_TEN, None, None, None, None),
    "kling-v2-1-master": ({"std", "pro"}, FIVE_OR_TEN, None, None, None, None),
    "kling-v2-5-turbo": ({"std", "pro"}, FIVE_OR_TEN, None, None, None, None),
    "kling-v2-6": ({"std", "pro"}, FIVE_OR_TEN, None, None, only(modes=["pro"]), None),
    "kling-v3": ({"std", "pro"}, frozenset(range(3, 16)), ALWAYS, None, ALWAYS, ALWAYS),
}


def test_the_table_holds_exactly_the_documented_models_oldest_first():
    assert list(MODELS) == list(DOC_TABLE)


@pytest.mark.parametrize("name", list(DOC_TABLE))
def test_each_row_matches_the_document(name):
    modes, durations, cfg_scale, camera_control, sound, multi_shot = DOC_TABLE[name]
    assert capabilities(name) == ModelCapabilities(
        name,
        modes=frozenset(modes),
        durations=durations,
        cfg_scale=cfg_scale,
        camera_control=camera_control,
        sound=sound,
        multi_shot=multi_shot,
    )


@pytest.mark.parametrize("name", ["kling-v9", "", "KLING-V1", "kling-v1 "])
def test_an_unknown_model_has_no_capabilities(name):
    assert capabilities(name) is None


def test_the_table_is_read_only():
    with pytest.raises(TypeError):
        MODELS["kling-v9"] = MODELS["kling-v3"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        MODELS["kling-v1"].multi_shot = ALWAYS


def test_the_multi_shot_default_is_derived_from_the_table():
    assert default_multi_shot_model() == DEFAULT_MULTI_SHOT_MODEL_NAME == "kling-v3"
    assert MODELS[DEFAULT_MULTI_SHOT_MODEL_NAME].multi_shot is not None


def test_the_multi_shot_default_is_the_first_capable_model_so_a_newer_one_does_not_change_it(monkeypatch):
    newer = dataclasses.replace(MODELS["kling-v3"], name="kling-v4")
    monkeypatch.setattr(model_table, "MODELS", {**MODELS, "kling-v4": newer})
    assert default_multi_shot_model() == "kling-v3"
    monkeypatch.setattr(model_table, "MODELS", {"kling-v4": newer, **MODELS})
    assert default_multi_shot_model() == "kling-v4"


def test_a_table_without_a_multi_shot_model_says_so(monkeypatch):
    monkeypatch.setattr(model_table, "MODELS", {"kling-v1": MODELS["kling-v1"]})
    with pytest.raises(LookupError, match="multi_shot"):
        default_multi_shot_model()


def test_the_default_model_is_in_the_table_and_takes_the_default_request():
    model = MODELS[C.DEFAULT_MODEL_NAME]
    assert C.DEFAULT_MODE in model.modes
    assert C.DEFAULT_DURATION in model.durations


@pytest.mark.parametrize(
    ("limits", "mode", "duration", "allowed"),
    [
        (ALWAYS, "pro", 10, True),
        (only(modes=["std"], durations=[5]), "std", 5, True),
        (only(modes=["std"], durations=[5]), "pro", 5, False),
        (only(modes=["std"], durations=[5]), "std", 10, False),
        (only(modes=["pro"]), "pro", 10, True),
        (only(modes=["pro"]), "std", 10, False),
        # an invalid mode or duration is reported by its own rule, not again by every feature
        (only(modes=["std"], durations=[5]), None, None, True),
    ],
)
def test_limits_allow_only_their_modes_and_durations(limits, mode, duration, allowed):
    assert limits.allows(mode, duration) is allowed


@pytest.mark.parametrize(
    ("limits", "words"),
    [
        (ALWAYS, ""),
        (only(modes=["pro"]), " with mode 'pro'"),
        (only(modes=["std"], durations=[5]), " with mode 'std' and duration 5 s"),
        (only(durations=[10, 5]), " with duration 5 s or 10 s"),
    ],
)
def test_limits_describe_themselves_for_error_messages(limits, words):
    assert limits.describe() == words


def test_only_builds_frozen_sets():
    assert only(modes=("std",)) == Limits(modes=frozenset({"std"}))
    assert only() == ALWAYS

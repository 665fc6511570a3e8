"""What each Kling model takes, as data in one place (kling-api.md, Models).

Kling ships models often and the facts about them are partly uncertain, so the validator never
names a model: it asks this table. To add a model, add one ``ModelCapabilities`` row to
``_TABLE``; to correct a fact, change one field. A model missing from the table is still let
through by the validator, with the universal rules only and a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "ALWAYS",
    "DEFAULT_MULTI_SHOT_MODEL_NAME",
    "MODELS",
    "Limits",
    "ModelCapabilities",
    "capabilities",
    "default_multi_shot_model",
    "only",
]


@dataclass(frozen=True)
class Limits:
    """Where an optional feature works within a model: which modes and durations allow it.

    ``None`` for either means "wherever the model itself works". Features are gated this way
    because Kling's restrictions are conditional (camera control on kling-v1 only in std 5 s,
    sound on kling-v2-6 only in pro), not plain yes/no.
    """

    modes: frozenset[str] | None = None
    durations: frozenset[int] | None = None

    def allows(self, mode: str | None, duration: int | None) -> bool:
        """A value that is itself invalid (None here) never blocks: its own rule reports it, once."""
        mode_ok = self.modes is None or mode is None or mode in self.modes
        duration_ok = self.durations is None or duration is None or duration in self.durations
        return mode_ok and duration_ok

    def describe(self) -> str:
        """The condition in words, for error messages ("" when there is none)."""
        parts = []
        if self.modes is not None:
            parts.append("mode " + " or ".join(repr(m) for m in sorted(self.modes)))
        if self.durations is not None:
            parts.append("duration " + " or ".join(f"{d} s" for d in sorted(self.durations)))
        return " with " + " and ".join(parts) if parts else ""


ALWAYS = Limits()
"""The feature works in every mode and duration the model takes."""


def only(*, modes: Iterable[str] | None = None, durations: Iterable[int] | None = None) -> Limits:
    """Spell a conditional feature briefly in the table: ``only(modes=["pro"])``."""
    return Limits(
        modes=None if modes is None else frozenset(modes),
        durations=None if durations is None else frozenset(durations),
    )


@dataclass(frozen=True)
class ModelCapabilities:
    """One row of the model table. A feature left at ``None`` is one the model does not take."""

    name: str
    modes: frozenset[str]
    durations: frozenset[int]  # seconds
    cfg_scale: Limits | None = None
    camera_control: Limits | None = None
    sound: Limits | None = None  # None: sound "on" is refused ("off" is always fine)
    multi_shot: Limits | None = None


_STD_PRO = frozenset({"std", "pro"})
_FIVE_OR_TEN = frozenset({5, 10})

# Oldest first. The order matters in one place: the first multi-shot model is the default for
# `shots=`, so adding a newer multi-shot model never silently changes what (and what price)
# existing callers get.
_TABLE: tuple[ModelCapabilities, ...] = (
    ModelCapabilities(
        "kling-v1",
        modes=_STD_PRO,
        durations=_FIVE_OR_TEN,
        cfg_scale=ALWAYS,
        camera_control=only(modes=["std"], durations=[5]),
    ),
    ModelCapabilities("kling-v1-6", modes=_STD_PRO, durations=_FIVE_OR_TEN, cfg_scale=ALWAYS),
    ModelCapabilities("kling-v2-master", modes=_STD_PRO, durations=_FIVE_OR_TEN),
    ModelCapabilities("kling-v2-1-master", modes=_STD_PRO, durations=_FIVE_OR_TEN),
    ModelCapabilities("kling-v2-5-turbo", modes=_STD_PRO, durations=_FIVE_OR_TEN),
    ModelCapabilities("kling-v2-6", modes=_STD_PRO, durations=_FIVE_OR_TEN, sound=only(modes=["pro"])),
    ModelCapabilities(
        "kling-v3",
        modes=_STD_PRO,
        durations=frozenset(range(3, 16)),
        cfg_scale=ALWAYS,  # unknown whether kling-v3 honours it: allowed until known otherwise
        sound=ALWAYS,
        multi_shot=ALWAYS,
    ),
)

MODELS: Mapping[str, ModelCapabilities] = MappingProxyType({m.name: m for m in _TABLE})
"""Every known model by name, read-only, in table order (oldest first)."""


def capabilities(model_name: str) -> ModelCapabilities | None:
    """None for a model the table does not know: the caller decides how lenient to be."""
    return MODELS.get(model_name)


def default_multi_shot_model() -> str:
    """The model `shots=` uses when none is given: the first one in the table that does multi-shot."""
    for model in MODELS.values():
        if model.multi_shot is not None:
            return model.name
    raise LookupError("the model table has no model that supports multi_shot")


DEFAULT_MULTI_SHOT_MODEL_NAME = default_multi_shot_model()

"""Turning a chapter's papermill parameters into settings: shared by every profile family.

Papermill's ``-p`` passes text (``"[3]"``, ``"0,1"``), and a chapter passes
``None`` for "keep the profile's value"; each family of settings resolves
its overrides the same way.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def profile_of(profiles: Mapping[str, T], profile: str) -> T:
    """``profiles[profile]``, or an error naming the choices."""
    if profile not in profiles:
        raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(profiles)}")
    return profiles[profile]


def chosen_overrides(settings_type: type, overrides: Mapping[str, Any], what: str) -> dict[str, Any]:
    """The non-``None`` overrides, each a field of ``settings_type`` (``what`` names the family in errors)."""
    chosen = {key: value for key, value in overrides.items() if value is not None}
    unknown = set(chosen) - {item.name for item in fields(settings_type)}
    if unknown:
        raise ValueError(f"unknown {what}setting(s) {sorted(unknown)}")
    return chosen


def check_positive_integers(settings: object, names: Iterable[str]) -> None:
    """Every named field must be a positive integer (a bool is not one); the error names the field."""
    for name in names:
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def as_tuple(name: str, value: Any) -> tuple:
    """Accept lists, tuples and the text papermill's ``-p`` passes (``"[3]"``, ``"0,1"``)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = [part.strip() for part in text.strip("[]()").split(",") if part.strip()]
    if isinstance(value, (str, int)):
        value = [value]
    items = tuple(value)
    if name in ("seeds", "calibration_seeds"):
        try:
            items = tuple(int(item) for item in items)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be integers, got {value!r}") from None
    if name.endswith("grid"):
        try:
            items = tuple(float(item) for item in items)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numbers, got {value!r}") from None
        if name == "kl_sparsity_grid" and not items:
            return items
    if not items:
        raise ValueError(f"{name} must not be empty")
    return items

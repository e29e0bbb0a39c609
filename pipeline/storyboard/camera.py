"""Luma camera concepts, and the friendly names people write for them."""

from __future__ import annotations

import difflib
import re

# The concept keys Luma's API accepts for Ray 2 (see LUMA_API.md).
CONCEPTS: tuple[str, ...] = (
    "truck_left", "truck_right", "pan_left", "pan_right", "tilt_up", "tilt_down",
    "pedestal_up", "pedestal_down", "crane_up", "crane_down", "push_in", "pull_out",
    "zoom_in", "zoom_out", "orbit_left", "orbit_right", "roll_left", "roll_right",
    "dolly_zoom", "handheld", "static", "aerial", "aerial_drone", "bolt_cam",
    "tiny_planet", "elevator_doors", "selfie", "pov", "over_the_shoulder",
    "low_angle", "high_angle", "overhead", "ground_level", "eye_level",
)

# Names filmmakers use -> the concept Luma knows. Keys are normalised (see _normal).
ALIASES: dict[str, str] = {
    "dolly_in": "push_in", "dolly_forward": "push_in", "push": "push_in", "move_in": "push_in",
    "dolly_out": "pull_out", "dolly_back": "pull_out", "pull_back": "pull_out", "pull": "pull_out",
    "move_out": "pull_out",
    "zoom": "zoom_in",
    "orbit": "orbit_left", "arc": "orbit_left", "arc_left": "orbit_left", "arc_right": "orbit_right",
    "pan": "pan_right", "tilt": "tilt_up", "truck": "truck_right", "track_left": "truck_left",
    "track_right": "truck_right", "crab_left": "truck_left", "crab_right": "truck_right",
    "crane": "crane_up", "jib_up": "crane_up", "jib_down": "crane_down", "boom_up": "crane_up",
    "boom_down": "crane_down", "pedestal": "pedestal_up",
    "roll": "roll_left", "dutch_roll": "roll_left",
    "vertigo": "dolly_zoom", "zolly": "dolly_zoom", "hitchcock_zoom": "dolly_zoom",
    "hand_held": "handheld", "shaky": "handheld",
    "locked_off": "static", "still": "static", "fixed": "static", "tripod": "static",
    "drone": "aerial_drone", "drone_shot": "aerial_drone", "aerial_shot": "aerial",
    "bird's_eye": "overhead", "birds_eye": "overhead", "top_down": "overhead",
    "first_person": "pov", "point_of_view": "pov", "ots": "over_the_shoulder",
    "worm's_eye": "low_angle", "worms_eye": "low_angle",
}


def _normal(name: str) -> str:
    text = re.sub(r"^camera\s+", "", name.strip().lower())  # "camera orbit left" phrases
    return re.sub(r"[\s\-]+", "_", text)


def resolve(name: str) -> str | None:
    """The concept key for `name` (a key, an alias or a phrase), or None when unknown."""
    key = _normal(name)
    if key in CONCEPTS:
        return key
    return ALIASES.get(key)


# Words a filmmaker uses that name a family of moves, not one: the hint lists the concepts (a close spelling,
# such as "zolly" for "dolly", would point at the wrong move).
WORDS: dict[str, str] = {
    "dolly": "`push_in` (dolly in) or `pull_out` (dolly out)",
    "dolly_shot": "`push_in` (dolly in) or `pull_out` (dolly out)",
    "zoom_shot": "`zoom_in` or `zoom_out`",
    "ken_burns": "`push_in` with `pan_left` or `pan_right`, e.g. camera: [push_in, pan_right]",
    "tracking": "`truck_left` or `truck_right` (or `push_in` to follow from behind)",
    "tracking_shot": "`truck_left` or `truck_right` (or `push_in` to follow from behind)",
    "track": "`truck_left` or `truck_right`",
    "steadicam": "`push_in` or `truck_left`/`truck_right`, with `handheld` for a looser feel",
}


def suggest(name: str) -> str | None:
    """A 'did you mean' hint: the moves a filmmaker's word stands for, else the closest key or alias."""
    if _normal(name) in WORDS:
        return WORDS[_normal(name)]
    found = difflib.get_close_matches(_normal(name), [*CONCEPTS, *ALIASES], n=1, cutoff=0.6)
    return f"`{found[0]}`" if found else None

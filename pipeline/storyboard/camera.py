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

# What each concept does to the picture, in one line (`pipeline cameras`).
DESCRIPTIONS: dict[str, str] = {
    "truck_left": "the camera slides sideways to the left, parallel to the subject",
    "truck_right": "the camera slides sideways to the right, parallel to the subject",
    "pan_left": "the camera turns on its axis to look left",
    "pan_right": "the camera turns on its axis to look right",
    "tilt_up": "the camera pivots to look up",
    "tilt_down": "the camera pivots to look down",
    "pedestal_up": "the camera rises straight up, level",
    "pedestal_down": "the camera sinks straight down, level",
    "crane_up": "the camera lifts up and back on a crane, revealing the scene",
    "crane_down": "the camera descends on a crane toward the subject",
    "push_in": "the camera moves forward toward the subject (a dolly in)",
    "pull_out": "the camera moves back away from the subject (a dolly out)",
    "zoom_in": "the lens zooms in: the frame tightens without the camera moving",
    "zoom_out": "the lens zooms out: the frame widens without the camera moving",
    "orbit_left": "the camera circles the subject to the left",
    "orbit_right": "the camera circles the subject to the right",
    "roll_left": "the picture rotates counter-clockwise about the lens axis",
    "roll_right": "the picture rotates clockwise about the lens axis",
    "dolly_zoom": "push in while zooming out (or the reverse): the background warps, the subject holds (vertigo)",
    "handheld": "a loose, slightly shaky hand-held feel",
    "static": "a locked-off camera that does not move",
    "aerial": "a high view from the air",
    "aerial_drone": "a drone flying over or toward the scene",
    "bolt_cam": "a fast robotic-arm sweep around the action",
    "tiny_planet": "a spherical, little-planet view of the scene",
    "elevator_doors": "the view opens like elevator doors parting",
    "selfie": "the subject holds the camera, facing it",
    "pov": "the subject's own point of view (first person)",
    "over_the_shoulder": "framed from behind one subject's shoulder",
    "low_angle": "looking up at the subject from below",
    "high_angle": "looking down on the subject from above",
    "overhead": "straight down from above (a bird's-eye view)",
    "ground_level": "the lens near the ground",
    "eye_level": "level with the subject's eyes",
}

# Names filmmakers use -> the concept Luma knows. Keys are normalised (see normal).
ALIASES: dict[str, str] = {
    "dolly_in": "push_in", "dolly_forward": "push_in", "push": "push_in", "move_in": "push_in",
    "dolly_out": "pull_out", "dolly_back": "pull_out", "pull_back": "pull_out", "pull": "pull_out",
    "move_out": "pull_out",
    "zoom": "zoom_in", "zoom_forward": "zoom_in", "zoom_back": "zoom_out", "zoom_outward": "zoom_out",
    "dolly_zoom_in": "dolly_zoom", "dolly_zoom_out": "dolly_zoom", "contra_zoom": "dolly_zoom",
    "orbit": "orbit_left", "arc": "orbit_left", "arc_left": "orbit_left", "arc_right": "orbit_right",
    "pan": "pan_right", "tilt": "tilt_up", "truck": "truck_right", "track_left": "truck_left",
    "track_right": "truck_right", "crab_left": "truck_left", "crab_right": "truck_right",
    "crane": "crane_up", "jib_up": "crane_up", "jib_down": "crane_down", "boom_up": "crane_up",
    "boom_down": "crane_down", "pedestal": "pedestal_up",
    "roll": "roll_left", "dutch_roll": "roll_left",
    "vertigo": "dolly_zoom", "zolly": "dolly_zoom", "hitchcock_zoom": "dolly_zoom",
    "hand_held": "handheld", "shaky": "handheld", "shaky_cam": "handheld", "shakycam": "handheld",
    "handheld_camera": "handheld",
    "locked_off": "static", "still": "static", "fixed": "static", "tripod": "static",
    "drone": "aerial_drone", "drone_shot": "aerial_drone", "aerial_shot": "aerial", "fly_over": "aerial_drone",
    "flyover": "aerial_drone", "helicopter_shot": "aerial", "establishing_aerial": "aerial",
    "look_up": "tilt_up", "look_down": "tilt_down",
    "rise": "pedestal_up", "descend": "pedestal_down", "reveal": "crane_up",
    "bird's_eye": "overhead", "birds_eye": "overhead", "top_down": "overhead",
    "first_person": "pov", "point_of_view": "pov", "ots": "over_the_shoulder", "over_shoulder": "over_the_shoulder",
    "dutch": "roll_left", "dutch_angle": "roll_left", "canted": "roll_left",
    "top_shot": "overhead", "god's_eye": "overhead", "gods_eye": "overhead", "little_planet": "tiny_planet",
    "robotic_arm": "bolt_cam", "bolt": "bolt_cam", "eye_line": "eye_level", "low": "low_angle", "high": "high_angle",
    "worm's_eye": "low_angle", "worms_eye": "low_angle",
}


def normal(name: str) -> str:
    """A name as the tables key it: lower case, words joined by '_', a leading "camera" dropped."""
    text = re.sub(r"^camera\s+", "", name.strip().lower())  # "camera orbit left" phrases
    return re.sub(r"[\s\-]+", "_", text)


def resolve(name: str) -> str | None:
    """The concept key for `name` (a key, an alias or a phrase), or None when unknown."""
    key = normal(name)
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
    "steadicam_shot": "`push_in` or `truck_left`/`truck_right`, with `handheld` for a looser feel",
    "gimbal": "`push_in` or `truck_left`/`truck_right` (a smooth follow)",
    "follow": "`push_in` (following from behind) or `truck_left`/`truck_right` (alongside)",
    "follow_shot": "`push_in` (following from behind) or `truck_left`/`truck_right` (alongside)",
    "crash_zoom": "`zoom_in` (Luma has no speed: say \"sudden\" or \"snap\" in the prompt)",
    "snap_zoom": "`zoom_in` (Luma has no speed: say \"sudden\" or \"snap\" in the prompt)",
    "whip_pan": "`pan_left` or `pan_right` (Luma has no speed: say \"whip pan\" in the prompt)",
    "swish_pan": "`pan_left` or `pan_right` (Luma has no speed: say \"whip pan\" in the prompt)",
    "slider": "`truck_left` or `truck_right`",
    "jib": "`crane_up` or `crane_down`",
    "boom": "`crane_up` or `crane_down`",
    "arc_shot": "`orbit_left` or `orbit_right`",
    "360": "`orbit_left` or `orbit_right`",
    "rotate": "`orbit_left`/`orbit_right` (around the subject) or `roll_left`/`roll_right` (the picture)",
    "spin": "`orbit_left`/`orbit_right` (around the subject) or `roll_left`/`roll_right` (the picture)",
    "establishing": "`aerial`, `aerial_drone` or `crane_up`",
    "establishing_shot": "`aerial`, `aerial_drone` or `crane_up`",
    "close_up": "a framing, not a move: say \"close-up\" in the prompt (with `push_in` to move closer)",
    "wide": "a framing, not a move: say \"wide shot\" in the prompt (with `pull_out` to widen)",
    "wide_shot": "a framing, not a move: say \"wide shot\" in the prompt (with `pull_out` to widen)",
    "slow_motion": "not a camera move: say \"slow motion\" in the prompt",
    "timelapse": "not a camera move: say \"time-lapse\" in the prompt",
}


def aliases_of(concept: str) -> list[str]:
    """The friendly names read as `concept`, written as people type them ("dolly in")."""
    return [alias.replace("_", " ") for alias, key in ALIASES.items() if key == concept]


def listing() -> list[dict]:
    """Every concept key with what it does and the names read as it (`pipeline cameras`)."""
    return [{"key": key, "description": DESCRIPTIONS[key], "aliases": aliases_of(key)} for key in CONCEPTS]


def families() -> dict[str, str]:
    """The filmmakers' words that stand for several moves, with what to write instead (as people type them)."""
    return {word.replace("_", " "): hint for word, hint in WORDS.items()}


def suggest(name: str) -> str | None:
    """A 'did you mean' hint: the moves a filmmaker's word stands for, else the closest key or alias."""
    if normal(name) in WORDS:
        return WORDS[normal(name)]
    found = difflib.get_close_matches(normal(name), [*CONCEPTS, *ALIASES], n=1, cutoff=0.6)
    return f"`{found[0]}`" if found else None

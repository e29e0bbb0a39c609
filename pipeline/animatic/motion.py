"""Luma camera concepts as 2-D moves of a flat picture.

A Pose says where the picture sits on screen (y points down): scaled by `zoom` about the frame centre,
turned by `angle` degrees (positive turns it clockwise on screen), then shifted by (dx, dy) as fractions
of the frame's width and height. `inner` is the dolly zoom's extra zoom of the centre against the edges.

Each move is a function of `s`, the eased progress through the shot, and is the identity at s == 0: a
shot's move is applied to the view it starts from (see framing), so an extension picks up exactly where
its parent's view ended, and a move is shortened (framing.fit_move) if it would leave its picture. A layer
that must land on its picture at the end of the shot (an end keyframe) is posed at s - 1, which runs from
-1 to 0: it moves with the same velocity as the start picture and arrives untouched on the last frame.

Directions follow what the camera does, so the picture moves the other way: pan/truck left moves the
picture right; tilt/pedestal/crane up moves it down; orbit left moves it right (the camera circles left
around the subject) with a slight push. roll_left rolls the camera counter-clockwise, so the picture turns
clockwise on screen (angle > 0), zoomed just enough that no corner of the frame leaves the picture.
Angle concepts (low_angle, overhead, pov, ...) describe where the camera is, not how it moves: they hold.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..storyboard.camera import CONCEPTS, resolve


@dataclass(frozen=True)
class Pose:
    zoom: float = 1.0
    angle: float = 0.0
    dx: float = 0.0
    dy: float = 0.0
    inner: float = 1.0

    def __mul__(self, other: Pose) -> Pose:
        """Both moves at once: zooms multiply, angles and shifts add (small moves commute well enough)."""
        return Pose(self.zoom * other.zoom, self.angle + other.angle, self.dx + other.dx,
                    self.dy + other.dy, self.inner * other.inner)

    @property
    def is_identity(self) -> bool:
        return self == IDENTITY

    def to_source(self, x: float, y: float, width: float, height: float) -> tuple[float, float]:
        """The picture point shown at screen point (x, y) of a width x height frame."""
        cx, cy = width / 2, height / 2
        u, v = x - cx - self.dx * width, y - cy - self.dy * height
        cos, sin = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        return cx + (cos * u + sin * v) / self.zoom, cy + (cos * v - sin * u) / self.zoom


IDENTITY = Pose()
Move = Callable[[float, float, float], Pose]  # (s, seconds into the shot, width / height) -> Pose

PUSH, PAN, TILT, ROLL_DEGREES = 1.3, 0.15, 0.15, 6.0


def _zoom(factor: float) -> Move:
    return lambda s, _t, _a: Pose(zoom=factor ** s)


def _shift(dx: float, dy: float, zoom: float = 1.0) -> Move:
    return lambda s, _t, _a: Pose(zoom=zoom ** s, dx=dx * s, dy=dy * s)


def _roll(degrees: float) -> Move:
    def move(s: float, _t: float, aspect: float) -> Pose:
        turn = math.radians(abs(degrees * s))
        cover = math.cos(turn) + max(aspect, 1 / aspect) * math.sin(turn)
        return Pose(zoom=cover, angle=degrees * s)
    return move


def _dolly_zoom(s: float, _t: float, _a: float) -> Pose:
    # The frame widens while the centre grows: the subject holds its size as the background stretches.
    return Pose(zoom=0.85 ** s, inner=1.45 ** s)


def _handheld(s: float, t: float, _a: float) -> Pose:
    # A few incommensurate sines: smooth, never repeating within a shot, and the same on every render.
    grip = min(1.0, 4 * abs(s))
    dx = 0.008 * math.sin(2 * math.pi * 0.53 * t) + 0.004 * math.sin(2 * math.pi * 1.37 * t + 1.1)
    dy = 0.007 * math.sin(2 * math.pi * 0.71 * t + 0.4) + 0.003 * math.sin(2 * math.pi * 1.83 * t)
    return Pose(zoom=1.0 + 0.03 * grip, dx=grip * dx, dy=grip * dy)


def _hold(_s: float, _t: float, _a: float) -> Pose:
    return IDENTITY


MOVES: dict[str, Move] = {
    "push_in": _zoom(PUSH), "zoom_in": _zoom(PUSH * 1.05),
    "pull_out": _zoom(1 / PUSH), "zoom_out": _zoom(1 / (PUSH * 1.05)),
    "pan_left": _shift(PAN, 0), "truck_left": _shift(PAN, 0),
    "pan_right": _shift(-PAN, 0), "truck_right": _shift(-PAN, 0),
    "tilt_up": _shift(0, TILT), "pedestal_up": _shift(0, TILT), "crane_up": _shift(0, TILT, 0.95),
    "tilt_down": _shift(0, -TILT), "pedestal_down": _shift(0, -TILT), "crane_down": _shift(0, -TILT, 1.05),
    "orbit_left": _shift(0.12, 0, 1.06), "orbit_right": _shift(-0.12, 0, 1.06),
    "roll_left": _roll(ROLL_DEGREES), "roll_right": _roll(-ROLL_DEGREES),
    "dolly_zoom": _dolly_zoom, "handheld": _handheld,
    "aerial": _shift(0.05, -0.03, 0.85), "aerial_drone": _shift(-0.04, 0.06, 0.85),
}
MOVES |= {name: _hold for name in CONCEPTS if name not in MOVES}
TRAVEL = _zoom(1.08)  # the gentle move toward an end keyframe when the shot names no camera move


def ease(u: float) -> float:
    """Smoothstep: starts and stops at rest, so moves ease in and out and chained shots join smoothly."""
    u = min(1.0, max(0.0, u))
    return u * u * (3 - 2 * u)


@dataclass(frozen=True)
class Camera:
    """The combined move of a shot's concepts (see the module docstring for directions)."""

    moves: tuple[Move, ...]
    aspect: float

    @classmethod
    def of(cls, concepts: tuple[str, ...], aspect: float, *, travel: bool = False) -> Camera:
        """Concepts are keys or aliases (unknown ones raise KeyError); `travel` adds a gentle push if
        there are none at all (a shot that names static holds still)."""
        moves = tuple(MOVES[resolve(name) or name] for name in concepts)
        return cls(moves or ((TRAVEL,) if travel else ()), aspect)

    def pose(self, s: float, seconds: float) -> Pose:
        pose = IDENTITY
        for move in self.moves:
            pose = pose * move(s, seconds, self.aspect)
        return pose if s != 0 else IDENTITY  # exactly identity, not merely within rounding

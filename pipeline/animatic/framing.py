"""Where the frame looks in its source picture: views, and moves fitted so they never leave the picture.

A View is the frame's window on a source picture, in the picture's pixels (the picture scaled to cover
the frame, so the identity view is the centred cover crop): the picture point shown at the frame's
centre (x, y, from the picture's centre), `k` picture pixels per frame pixel (k < 1 is closer), the
window turned by `angle` degrees, and the dolly zoom's `inner` extra zoom of the centre.

A camera move (a Pose per frame, see motion) is applied to a shot's first view. A chain carries its view
from shot to shot in the same picture, so an extension continues the move inside the picture its chain
started on instead of filming its parent's last frame again. Nothing is ever shown that the picture
does not have: a shot that starts a chain is framed closer when its move needs room (fit_start); a move
that would still run past the picture's edge is shortened, keeping its easing (fit_move); and every view
is finally kept inside (clamp), zooming in just enough and stopping at the edges.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .motion import Pose

MAX_START_ZOOM = 1.5  # the closest a chain's first frame is framed to give its move room


@dataclass(frozen=True)
class View:
    x: float = 0.0
    y: float = 0.0
    k: float = 1.0
    angle: float = 0.0
    inner: float = 1.0

    def moved(self, pose: Pose, size: tuple[int, int]) -> View:
        """This view with `pose` applied (the pose's shifts are fractions of the frame, on screen)."""
        if pose.is_identity:
            return self
        k, angle = self.k / pose.zoom, self.angle + pose.angle
        ox, oy = _turn(pose.dx * size[0], pose.dy * size[1], angle)
        return View(self.x - k * ox, self.y - k * oy, k, angle, self.inner * pose.inner)

    def to_source(self, fx: float, fy: float, size: tuple[int, int]) -> tuple[float, float]:
        """The picture point (from its centre) shown at frame pixel (fx, fy)."""
        u, v = _turn(fx - size[0] / 2, fy - size[1] / 2, self.angle)
        return self.x + self.k * u, self.y + self.k * v

    def half_extent(self, size: tuple[int, int]) -> tuple[float, float]:
        """Half the width and height of the picture area the frame covers at this view."""
        c, s = abs(math.cos(math.radians(self.angle))), abs(math.sin(math.radians(self.angle)))
        w, h = size[0] / 2, size[1] / 2
        return self.k * (c * w + s * h), self.k * (s * w + c * h)

    def to_json(self) -> list[float]:
        return [self.x, self.y, self.k, self.angle, self.inner]

    @classmethod
    def from_json(cls, values: list) -> View:
        return cls(*(float(v) for v in values))


IDENTITY_VIEW = View()


def _turn(u: float, v: float, angle: float) -> tuple[float, float]:
    """(u, v) turned as Pose.to_source turns screen offsets into picture offsets."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return c * u + s * v, c * v - s * u


def inside(view: View, size: tuple[int, int], room: tuple[int, int]) -> bool:
    """Does the frame at `view` show only the picture (`room` is the picture's size)?"""
    ex, ey = view.half_extent(size)
    return abs(view.x) + ex <= room[0] / 2 + 1e-6 and abs(view.y) + ey <= room[1] / 2 + 1e-6


def clamp(view: View, size: tuple[int, int], room: tuple[int, int]) -> View:
    """The nearest view that shows only the picture: closer if the window is too big, then slid inside."""
    ex, ey = view.half_extent(size)
    shrink = min(1.0, room[0] / 2 / ex, room[1] / 2 / ey)
    k, ex, ey = view.k * shrink, ex * shrink, ey * shrink
    x = min(max(view.x, ex - room[0] / 2), room[0] / 2 - ex)
    y = min(max(view.y, ey - room[1] / 2), room[1] / 2 - ey)
    moved = View(x, y, k, view.angle, view.inner)
    return view if moved == view else moved


Poses = Callable[[float], list[Pose]]  # how far into its move (0..1) -> the pose of every frame


def fit_start(poses: list[Pose], size: tuple[int, int], room: tuple[int, int]) -> View:
    """The first view for a chain's first shot: the cover crop when the move stays in the picture, else
    framed closer (up to MAX_START_ZOOM) and off centre by just what the whole move needs."""
    points = [View().moved(p, size).to_source(fx, fy, size) for p in poses
              for fx, fy in ((0, 0), (size[0], 0), (0, size[1]), size)]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    zoom = min(MAX_START_ZOOM, max(1.0, (max(xs) - min(xs)) / room[0], (max(ys) - min(ys)) / room[1]))
    k = 1 / zoom

    def offset(low: float, high: float, side: float) -> float:  # nearest the centre that keeps it inside
        a, b = -side / 2 - k * low, side / 2 - k * high
        return min(max(0.0, a), b) if a <= b else (a + b) / 2

    return View(offset(min(xs), max(xs), room[0]), offset(min(ys), max(ys), room[1]), k)


def fit_move(start: View, poses: Poses, size: tuple[int, int], room: tuple[int, int]) -> list[View]:
    """The views of a move from `start`, shortened (same easing, less travel) until it stays in the
    picture, then clamped frame by frame for whatever still would not (a shake at the very edge)."""
    def views(amount: float) -> list[View]:
        return [start.moved(p, size) for p in poses(amount)]

    made = views(1.0)
    if not all(inside(v, size, room) for v in made):
        low, high = 0.0, 1.0
        for _ in range(12):
            mid = (low + high) / 2
            low, high = (mid, high) if all(inside(v, size, room) for v in views(mid)) else (low, mid)
        made = views(low)
    return [clamp(v, size, room) for v in made]

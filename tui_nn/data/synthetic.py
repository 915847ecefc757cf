"""Two-dimensional generators and logic truth tables.

The classification and regression generators reproduce the meaning of TensorFlow
Playground's ``src/dataset.ts`` (same shapes, radii, padding, noise scaling and
labelling rules) in vectorised NumPy; ``moons`` and ``spiral3`` are our additions
in the same style.

Label convention: TF Playground labels classes -1 and +1 and draws +1 blue and
-1 orange. We use class indices, index 1 being TF's +1 and index 0 TF's -1, so
``BINARY_CLASS_NAMES[i]`` is the colour TF would draw class ``i``.

Every generator takes the total number of points ``n``, ``noise`` in 0..0.5 and a
NumPy Generator, and returns ``(points, labels)``: points is (n, 2) float64 inside
[-PLANE_EXTENT, PLANE_EXTENT]^2; labels are int64 class indices, or float64
targets for the regression generators. Where TF draws "numSamples / 2" points per
class (which overshoots for odd counts), we give the first class the extra point
so the total is exactly ``n``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..i18n import N_, _

PLANE_EXTENT = 6.0
# The built-in sets name their classes by the colour they are drawn in: kept in
# English in the data (files, JSON) and shown in the learner's language.
BINARY_CLASS_NAMES: tuple[str, ...] = (N_("orange"), N_("blue"))
SPIRAL3_CLASS_NAMES: tuple[str, ...] = (N_("orange"), N_("blue"), N_("green"))
_COLOUR_NAMES = frozenset(SPIRAL3_CLASS_NAMES)

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def shown_class_name(name: str) -> str:
    """A class's name as the screen shows it: a colour of the built-in sets in the
    learner's language; a CSV's own labels as they are."""
    return _(name) if name in _COLOUR_NAMES else name


def _halves(n: int) -> tuple[int, int]:
    """Split n into (first, second) with the first taking any odd point."""
    return n - n // 2, n // 2


def _polar(r: np.ndarray, angle: np.ndarray) -> np.ndarray:
    # TF measures angles from the y axis (x = r sin t, y = r cos t); keep that so
    # spirals wind the same way as in the browser.
    return np.column_stack((r * np.sin(angle), r * np.cos(angle)))


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Disc of radius 2.5 (class 1) inside a ring of radius 3.5..5 (class 0).

    Radii are uniform (not area-uniform), so the disc is denser near the centre,
    as in TF. The label comes from the *noisy* point (offset uniform in
    [-5, 5] * noise per axis) while the stored point is the clean one, so noise
    shows up as wrongly coloured points rather than as scatter.
    """
    radius = 5.0
    n_in, n_out = _halves(n)
    r = np.concatenate((rng.uniform(0.0, radius * 0.5, n_in), rng.uniform(radius * 0.7, radius, n_out)))
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    points = _polar(r, angle)
    jitter = rng.uniform(-radius, radius, (n, 2)) * noise
    labels = (np.hypot(*(points + jitter).T) < radius * 0.5).astype(np.int64)
    return points, labels


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points in [-5, 5]^2 pushed 0.3 away from both axes; class 1 where x*y >= 0.

    The 0.3 padding leaves an empty cross along the axes so that, without noise,
    the quadrants are cleanly separated. As with circle, the label is taken from
    the point plus uniform [-5, 5] * noise jitter, but the clean point is kept.
    """
    padding = 0.3
    points = rng.uniform(-5.0, 5.0, (n, 2))
    points += np.where(points > 0, padding, -padding)
    jitter = rng.uniform(-5.0, 5.0, (n, 2)) * noise
    noisy = points + jitter
    labels = (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)
    return points, labels


def gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clusters: class 1 around (2, 2), class 0 around (-2, -2).

    The per-axis variance grows linearly with noise, from 0.5 at noise 0 to 4 at
    noise 0.5, so noise here means overlap, not label flips. As in TF, the odd
    point falls outside the +-6 plane (drawn at its edge); redrawing those would
    shrink the variance (3.54 instead of 4.02 at noise 0.5).
    """
    variance = 0.5 + (4.0 - 0.5) * (noise / 0.5)
    std = np.sqrt(variance)
    n_pos, n_neg = _halves(n)
    centres = np.repeat(np.array([[2.0, 2.0], [-2.0, -2.0]]), (n_pos, n_neg), axis=0)
    labels = np.repeat(np.array([1, 0], dtype=np.int64), (n_pos, n_neg))
    points = rng.normal(centres, std)
    return points, labels


def _spiral_arms(n: int, noise: float, rng: np.random.Generator, arms: int) -> tuple[np.ndarray, np.ndarray]:
    # Each arm winds 1.75 turns out to radius 5; arm k is rotated by 2*pi*k/arms.
    # TF's arm spacing uses n / arms as a float, so i / per_arm stays below 1.
    per_arm = n / arms
    counts = [len(c) for c in np.array_split(np.arange(n), arms)]
    i = np.concatenate([np.arange(c) for c in counts]).astype(np.float64)
    arm = np.repeat(np.arange(arms), counts)
    r = i / per_arm * 5.0
    t = 1.75 * i / per_arm * 2.0 * np.pi + arm * (2.0 * np.pi / arms)
    points = _polar(r, t) + rng.uniform(-1.0, 1.0, (n, 2)) * noise
    return points, arm


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals of radius 5, offset by pi; class 1 is TF's first (positive) arm.

    Noise moves each point by uniform [-1, 1] * noise per axis (at most 0.5),
    much gentler than the other generators, as in TF.
    """
    points, arm = _spiral_arms(n, noise, rng, 2)
    # Arm 0 (angle offset 0) is TF's positive class, which is our index 1.
    return points, (1 - arm).astype(np.int64)


def spiral3(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Three interleaved spirals (offsets 0, 2pi/3, 4pi/3), class index = arm; noise as in spiral."""
    points, arm = _spiral_arms(n, noise, rng, 3)
    return points, arm.astype(np.int64)


def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the classic "moons"), scaled to span about [-4.5, 4.5].

    Class 0 is the upper arc, class 1 the lower one hooked into it. Noise moves
    each point by uniform [-3, 3] * noise per axis, so at noise 0.5 the arcs (1.5
    apart at their tips) start to overlap, and no point can leave the plane.
    """
    scale = 3.0
    n_top, n_bottom = _halves(n)
    t = rng.uniform(0.0, np.pi, n)
    top = np.column_stack((np.cos(t[:n_top]), np.sin(t[:n_top])))
    bottom = np.column_stack((1.0 - np.cos(t[n_top:]), 0.5 - np.sin(t[n_top:])))
    # The unit moons span x in [-1, 2], y in [-0.5, 1]; centre them on the origin.
    points = (np.vstack((top, bottom)) - (0.5, 0.25)) * scale
    points += rng.uniform(-1.0, 1.0, (n, 2)) * noise * scale
    labels = np.repeat(np.array([0, 1], dtype=np.int64), (n_top, n_bottom))
    return points, labels


def _uniform_plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Regression data: clean points uniform over the plane; the target is read at a
    # point jittered by uniform [-6, 6] * noise per axis.
    points = rng.uniform(-PLANE_EXTENT, PLANE_EXTENT, (n, 2))
    jitter = rng.uniform(-PLANE_EXTENT, PLANE_EXTENT, (n, 2)) * noise
    return points, points + jitter


def plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Regression target (x + y) / 10 of the noisy point.

    TF maps x + y from [-10, 10] onto [-1, 1] without clamping, so corners reach
    +-1.2 (more with noise); we keep that.
    """
    points, noisy = _uniform_plane(n, noise, rng)
    return points, (noisy[:, 0] + noisy[:, 1]) / 10.0


_GAUSSIANS = np.array(
    [
        # centre x, centre y, sign
        [-4.0, 2.5, 1.0],
        [0.0, 2.5, -1.0],
        [4.0, 2.5, 1.0],
        [-4.0, -2.5, -1.0],
        [0.0, -2.5, 1.0],
        [4.0, -2.5, -1.0],
    ]
)


def multi_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Regression over six signed bumps in a 3 x 2 checkerboard at x in {-4, 0, 4}, y = +-2.5.

    Each bump contributes sign * max(0, 1 - d / 2) at distance d from its centre;
    the target is the contribution largest in absolute value (the first bump wins
    a tie, as in TF), so it lies in [-1, 1] and is 0 away from every bump.
    """
    points, noisy = _uniform_plane(n, noise, rng)
    return points, multi_gauss_target(noisy)


def multi_gauss_target(points: np.ndarray) -> np.ndarray:
    """The multi-gauss regression target at each of the (n, 2) points."""
    d = np.hypot(points[:, None, 0] - _GAUSSIANS[:, 0], points[:, None, 1] - _GAUSSIANS[:, 1])
    contrib = _GAUSSIANS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    # argmax takes the first of equal maxima, matching TF's strict "greater than" scan.
    strongest = np.argmax(np.abs(contrib), axis=1)
    # + 0.0 turns a -0.0 (a zero contribution with a negative sign) into 0.0.
    target: np.ndarray = contrib[np.arange(len(points)), strongest] + 0.0
    return target


# Truth tables: the four corners of the unit square in binary counting order.
TRUTH_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TRUTH_CLASS_NAMES: tuple[str, ...] = ("0", "1")
# Half-width of the plane for truth tables: the inputs are 0/1, so a +-6 view would
# squash them into the middle; +-1.5 keeps the corners and the hand-set XOR
# network's boundaries (x1 + x2 = 0.43 and 1.6) in view.
TRUTH_EXTENT = 1.5

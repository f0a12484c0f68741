"""Tiny synthetic video clips for sequence-of-frames models (``TimeDistributed`` layers).

Each clip shows a bright square moving in a straight line across a noisy background. Its
label is the direction of motion, which no single frame reveals: a model must compare frames.
"""
from __future__ import annotations

import numpy as np

from ._validate import count

__all__ = ["DIRECTIONS", "moving_dot_clips"]

#: Class names, in label order, and the (row, column) step of each per frame.
DIRECTIONS: dict[str, tuple[int, int]] = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0)}


def moving_dot_clips(
    n_clips: int, n_frames: int = 8, size: int = 16, dot: int = 2, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Clips of a square dot moving one pixel per frame in one of four directions.

    The start position is random and chosen so the dot stays inside every frame.

    Parameters
    ----------
    n_clips
        Number of clips, >= 1.
    n_frames
        Frames per clip, >= 2 (one frame shows no motion).
    size
        Height and width of a frame in pixels; at least ``dot + n_frames - 1``.
    dot
        Side of the square in pixels, >= 1.
    noise
        Background noise: uniform on ``[0, noise]``, with ``0 <= noise < 1`` (the dot is 1).
    seed
        Seed of the random generator.

    Returns
    -------
    X : numpy.ndarray
        ``float32`` clips, shape ``(n_clips, n_frames, size, size, 1)``, values in [0, 1].
    y : numpy.ndarray
        ``int64`` labels, shape ``(n_clips,)``: indexes into ``list(DIRECTIONS)``.

    Raises
    ------
    ValueError
        If a count is out of range or the frame is too small for the dot's path.
    """
    for name, value, least in (("n_clips", n_clips, 1), ("n_frames", n_frames, 2),
                               ("size", size, 2), ("dot", dot, 1), ("seed", seed, 0)):
        count(value, name, least)
    travel = n_frames - 1
    if size < dot + travel:
        raise ValueError(
            f"A {size}x{size} frame cannot hold a {dot}-pixel dot moving {travel} pixels "
            f"({n_frames} frames); use size >= {dot + travel} or fewer frames."
        )
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise < 1:
        raise ValueError(f"noise must be a number in [0, 1) so the dot (value 1) stands out; got {noise!r}.")
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, noise, size=(n_clips, n_frames, size, size, 1)).astype(np.float32)
    y = rng.integers(0, len(DIRECTIONS), size=n_clips)
    steps = np.array(list(DIRECTIONS.values()))
    for i, label in enumerate(y):
        dr, dc = steps[label]
        # start far enough from the edge the dot moves towards
        lo_r, hi_r = (travel, size - dot) if dr < 0 else (0, size - dot - travel * (dr > 0))
        lo_c, hi_c = (travel, size - dot) if dc < 0 else (0, size - dot - travel * (dc > 0))
        r0, c0 = rng.integers(lo_r, hi_r + 1), rng.integers(lo_c, hi_c + 1)
        for t in range(n_frames):
            r, c = r0 + dr * t, c0 + dc * t
            X[i, t, r:r + dot, c:c + dot, 0] = 1.0
    return X, y.astype(np.int64)

"""The demo's own media, drawn by code at run time: a landscape clip, a picture, a style film.

Nothing here is third-party: every pixel and sample comes from the formulas below, so the
same call always draws the same frames. Frames are HxWx3 uint8 RGB arrays; audio is mono
float32 in [-1, 1].
"""

from __future__ import annotations

import math

import numpy as np

CLIP_SIZE = (480, 270)  # width, height: even, so H.264 4:2:0 plays in every browser
CLIP_FPS = 24
CLIP_FRAMES = 96  # four seconds
AUDIO_RATE = 44100
PICTURE_SIZE = (512, 384)
FILM_SIZE = (256, 256)
FILM_FPS = 12
FILM_PAINTINGS = ("embers", "tide", "mosaic")
FILM_HOLD = 18  # frames each painting is shown on its own
FILM_FADE = 8  # frames of crossfade between two paintings


def _ridge(x: np.ndarray, phase: float, base: float, heights: tuple[float, ...]) -> np.ndarray:
    """A hill line: the sky/land boundary at each column, as a fraction of the height."""
    y = np.full_like(x, base)
    for k, h in enumerate(heights, start=1):
        y += h * np.sin(2 * math.pi * (k * 0.9 * x + phase * k) + 1.3 * k)
    return y


def _lerp(a: tuple[int, ...], b: tuple[int, ...], t: np.ndarray) -> np.ndarray:
    """Colours from ``a`` (t=0) to ``b`` (t=1), one per value of ``t``; float32 ...x3."""
    a_, b_ = np.asarray(a, np.float32), np.asarray(b, np.float32)
    return a_ + (b_ - a_) * t[..., None]


def landscape_frame(
    index: int, width: int = CLIP_SIZE[0], height: int = CLIP_SIZE[1]
) -> np.ndarray:
    """Frame ``index`` of the demo clip: dawn over rolling hills, seen from a moving train.

    Far hills drift slowly and near hills quickly (parallax), the sun rises, clouds pass and
    a kite crosses the sky, so the clip has the motion, edges and flat areas flicker
    removal is made for.
    """
    t = index / CLIP_FPS
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    u, v = x / width, y / height
    img = _lerp((250, 170, 110), (70, 110, 190), 1.0 - v)  # sky: warm at the horizon
    sun_x, sun_y = 0.72, 0.55 - 0.03 * t
    sun = (u - sun_x) ** 2 * (width / height) ** 2 + (v - sun_y) ** 2
    img = np.where((sun < 0.012)[..., None], np.float32([255, 236, 170]), img)
    glow = np.exp(-sun / 0.02)[..., None]
    img = img + 40.0 * glow
    for cx, cy, speed in ((0.15, 0.18, 0.03), (0.55, 0.12, 0.045), (0.9, 0.25, 0.02)):
        cu = (cx + speed * t) % 1.2 - 0.1
        puff = np.zeros_like(u)
        for dx, dy, r in ((0.0, 0.0, 0.05), (0.05, 0.01, 0.04), (-0.05, 0.015, 0.035)):
            d = ((u - cu - dx) * width / height) ** 2 + (v - cy - dy) ** 2
            puff = np.maximum(puff, np.clip(1.0 - d / r**2, 0, 1))
        img = img + (np.float32([250, 245, 240]) - img) * (0.85 * puff)[..., None]
    kite_u, kite_v = 0.1 + 0.18 * t, 0.3 + 0.04 * math.sin(3 * t)
    kite = np.abs((u - kite_u) * width / height) + np.abs(v - kite_v) * 0.7 < 0.025
    img[kite] = (200, 30, 40)
    layers = (  # (phase speed, base, heights, near colour, far colour)
        (0.01, 0.58, (0.05, 0.02), (120, 130, 170), (150, 150, 185)),
        (0.04, 0.70, (0.05, 0.025, 0.01), (70, 120, 70), (95, 140, 85)),
        (0.10, 0.83, (0.04, 0.02, 0.012), (40, 85, 40), (60, 105, 45)),
    )
    for speed, base, heights, near, far in layers:
        line = _ridge(u[0], speed * t, base, heights)[None, :]
        land = v >= line
        depth = np.clip((v - line) / 0.3, 0, 1)
        img = np.where(land[..., None], _lerp(far, near, depth), img)
        stripes = land & (np.sin(2 * math.pi * (u * 18 + speed * t * 18 + v * 6)) > 0.8)
        img[stripes] *= 0.85
    posts = (((u * 6 + 0.6 * t * 6) % 1.0) < 0.03) & (v > 0.86) & (v < 0.97)
    img[posts] = (60, 40, 30)  # fence posts rushing past in front
    return np.clip(img, 0, 255).astype(np.uint8)


def landscape_audio(seconds: float, rate: int = AUDIO_RATE) -> np.ndarray:
    """The clip's sound: a soft arpeggio of sine notes (C, E, G, C), mono float32."""
    n = round(seconds * rate)
    t = np.arange(n, dtype=np.float64) / rate
    notes = (261.63, 329.63, 392.0, 523.25)
    step = 0.5
    wave = np.zeros(n)
    for k in range(math.ceil(seconds / step)):
        start = k * step
        f = notes[k % len(notes)]
        local = t - start
        env = np.where(local >= 0, np.exp(-np.clip(local, 0, None) * 3.0), 0.0)
        env *= np.clip(local / 0.01, 0, 1)  # a 10 ms attack: no click
        wave += 0.25 * env * np.sin(2 * math.pi * f * local)
    return np.clip(wave, -1, 1).astype(np.float32)


def picture(width: int = PICTURE_SIZE[0], height: int = PICTURE_SIZE[1]) -> np.ndarray:
    """The demo picture: a house under a tree in a field, with a path and a low sun."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    u, v = x / width, y / height
    img = _lerp((245, 200, 150), (110, 160, 215), 1.0 - v / 0.6)
    field = v > 0.6 + 0.03 * np.sin(2 * math.pi * u * 1.5)
    img = np.where(field[..., None], _lerp((120, 170, 80), (70, 120, 50), (v - 0.6) / 0.4), img)
    path = field & (np.abs(u - 0.5 - 0.35 * (v - 0.6)) < 0.02 + 0.12 * (v - 0.6))
    img[path] = (200, 180, 140)
    wall = (u > 0.18) & (u < 0.42) & (v > 0.45) & (v < 0.68)
    img[wall] = (230, 225, 210)
    roof = (v > 0.3) & (v <= 0.45) & (np.abs(u - 0.3) < (v - 0.3) * 0.9)
    img[roof] = (170, 60, 50)
    window = (np.abs(u - 0.25) < 0.025) & (np.abs(v - 0.53) < 0.035)
    door = (np.abs(u - 0.35) < 0.025) & (v > 0.56) & (v < 0.68)
    img[window | door] = (70, 60, 80)
    trunk = (np.abs(u - 0.72) < 0.015) & (v > 0.45) & (v < 0.7)
    img[trunk] = (90, 60, 40)
    crown = ((u - 0.72) * width / height) ** 2 + (v - 0.38) ** 2 < 0.018
    leaves = np.sin(u * 90) * np.sin(v * 80) > 0.2
    img[crown] = (50, 110, 45)
    img[crown & leaves] = (80, 140, 60)
    sun = ((u - 0.12) * width / height) ** 2 + (v - 0.15) ** 2 < 0.004
    img[sun] = (255, 235, 160)
    return np.clip(img, 0, 255).astype(np.uint8)


def painting(
    name: str, index: int, width: int = FILM_SIZE[0], height: int = FILM_SIZE[1]
) -> np.ndarray:
    """Frame ``index`` of one of the style film's abstract paintings (slowly drifting)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    u, v = x / width + index * 0.004, y / height
    if name == "embers":  # warm diagonal brush strokes
        s = np.sin(2 * math.pi * (7 * u + 5 * v) + 2 * np.sin(9 * v))
        img = _lerp((120, 20, 10), (255, 200, 40), (s + 1) / 2)
    elif name == "tide":  # blue swirls
        r = np.hypot(u - 0.5, v - 0.5)
        s = np.sin(30 * r - 6 * np.arctan2(v - 0.5, u - 0.5))
        img = _lerp((10, 30, 90), (150, 220, 250), (s + 1) / 2)
    elif name == "mosaic":  # green and violet tiles with dark grout
        cell = (np.floor(u * 12) + 3 * np.floor(v * 12)) % 4
        img = _lerp((60, 160, 70), (170, 80, 190), cell / 3)
        grout = ((u * 12) % 1 < 0.12) | ((v * 12) % 1 < 0.12)
        img[grout] = (25, 20, 30)
    else:
        raise ValueError(f"unknown painting {name!r}")
    return np.clip(img, 0, 255).astype(np.uint8)


def style_film_frames() -> int:
    """How many frames the style film has."""
    n = len(FILM_PAINTINGS)
    return n * FILM_HOLD + (n - 1) * FILM_FADE


def style_film_frame(index: int) -> np.ndarray:
    """Frame ``index`` of the style film: each painting held, then crossfaded to the next."""
    period = FILM_HOLD + FILM_FADE
    k, into = divmod(index, period)
    k = min(k, len(FILM_PAINTINGS) - 1)
    here = painting(FILM_PAINTINGS[k], index)
    if into < FILM_HOLD or k + 1 >= len(FILM_PAINTINGS):
        return here
    w = (into - FILM_HOLD + 1) / (FILM_FADE + 1)
    there = painting(FILM_PAINTINGS[k + 1], index)
    return (here * (1 - w) + there * w + 0.5).astype(np.uint8)

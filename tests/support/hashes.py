"""Frame hashes for tests that compare renders exactly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from PIL import Image


def frame_hashes(folder: Path) -> list[str]:
    """The short sha256 of each PNG frame's RGB pixels, in frame order."""
    hashes = []
    for png in sorted(folder.glob("*.png")):
        rgb = np.asarray(Image.open(png).convert("RGB"))
        hashes.append(hashlib.sha256(rgb.tobytes()).hexdigest()[:12])
    return hashes


FINGERPRINT_BLOCK = 16  # px: each frame's fingerprint is the mean of each 16x16 block


def frame_fingerprints(folder: Path) -> list[str]:
    """Each PNG frame's 16x16-block means (uint8 RGB, rounded) as hex, in frame order: a
    record of what a render looks like that last-bit differences of float kernels leave
    within a level or two, where its hash changes."""
    prints = []
    for png in sorted(folder.glob("*.png")):
        rgb = np.asarray(Image.open(png).convert("RGB"), np.float64)
        h, w = (s // FINGERPRINT_BLOCK for s in rgb.shape[:2])
        b = FINGERPRINT_BLOCK
        blocks = rgb[: h * b, : w * b].reshape(h, b, w, b, 3).mean(axis=(1, 3))
        prints.append(np.round(blocks).astype(np.uint8).tobytes().hex())
    return prints


def fingerprint_distance(a: list[str], b: list[str]) -> int:
    """The largest difference, in levels, between two renders' fingerprints (their frame
    counts must agree)."""
    assert len(a) == len(b), (len(a), len(b))
    worst = 0
    for x, y in zip(a, b, strict=True):
        u, v = (np.frombuffer(bytes.fromhex(s), np.uint8).astype(int) for s in (x, y))
        worst = max(worst, int(np.abs(u - v).max()))
    return worst

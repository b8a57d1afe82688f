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

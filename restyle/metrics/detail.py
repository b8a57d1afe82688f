"""Detail: how much of the per-frame painting's brush texture a smoothed video keeps.

``detail = mean_t G(O_t) / mean_t G(R_t)``, where ``G`` is the mean squared gradient
magnitude (Sobel, 3x3) of a frame's luminance in [0, 1] units, ``O`` the stylized video and
``R`` the per-frame reference (``--temporal none``): 1 keeps as much texture as painting
each frame on its own, below 1 is blur, above 1 is added edges (noise, ghosts' double
contours).

Why gradient energy and not SSIM to the reference: a method that makes paint persist
shows *different* strokes from the per-frame painting at each place (the strokes painted
frames ago, carried along), just as sharp. SSIM to the per-frame frame punishes every such
stroke as an error, so it cannot tell carried paint from blur. Gradient energy does not
care where a stroke is, only how much stroke there is; averaging (the recursive blends of
the flow filters) lowers it in proportion to the texture lost. It is a ratio of means over
the whole clip, so a few flat frames do not weigh more than the textured ones.
"""

from __future__ import annotations

import cv2
import numpy as np

from restyle.imaging.similarity import conform


def gradient_energy(frame: np.ndarray) -> float:
    """Mean squared Sobel gradient magnitude of an HxWx3 uint8 RGB frame's luminance."""
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    return float(np.mean(gx * gx + gy * gy))


class DetailMeter:
    """Streaming detail of output frames against reference frames (module docstring)."""

    def __init__(self) -> None:
        self._output = 0.0
        self._reference = 0.0
        self.frames = 0

    def update(self, output: np.ndarray, reference: np.ndarray) -> None:
        """Add one pair of HxWx3 uint8 RGB frames (the output resized to the reference's)."""
        output = conform(output, reference, "stylized and reference frames")
        self._output += gradient_energy(output)
        self._reference += gradient_energy(reference)
        self.frames += 1

    def result(self) -> float:
        """The detail ratio so far (NaN before any frame, or for a flat reference)."""
        if self.frames == 0 or self._reference <= 0:
            return float("nan")
        return self._output / self._reference

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

Where the energy sits: given the source frames, the meter also splits it in two zones of
the source's edges (Canny on the luminance, :func:`edge_zones`): ``texture``, the ratio
over pixels more than ``EDGE_FAR`` px from any edge (brushwork in the flat and the
textured areas), and ``outline``, over pixels within ``EDGE_NEAR`` px of one (contours).
A network that paints glowing or doubled outlines and loses its brush texture can keep
the whole frame's ratio at 1 (more energy at the contours, less between them); the split
shows it: ``outline`` above 1, ``texture`` below.
"""

from __future__ import annotations

import cv2
import numpy as np

from restyle.imaging.similarity import conform

EDGE_NEAR = 4.0  # px: within this of a source edge is the outline zone
EDGE_FAR = 10.0  # px: further than this from every source edge is the texture zone
CANNY = (50, 120)  # Canny's thresholds, on the luminance smoothed by a sigma of 1.5 px


def energy_map(frame: np.ndarray) -> np.ndarray:
    """Squared Sobel gradient magnitude of an HxWx3 uint8 RGB frame's luminance, per pixel."""
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    return gx * gx + gy * gy


def gradient_energy(frame: np.ndarray) -> float:
    """Mean squared Sobel gradient magnitude of an HxWx3 uint8 RGB frame's luminance."""
    return float(np.mean(energy_map(frame)))


def edge_zones(source: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where an HxWx3 uint8 RGB source frame's edges are: (near, far) boolean HxW masks.

    ``near``: within ``EDGE_NEAR`` px of a Canny edge; ``far``: more than ``EDGE_FAR`` px
    from every one (a frame without edges is all far).
    """
    grey = cv2.GaussianBlur(cv2.cvtColor(source, cv2.COLOR_RGB2GRAY), (0, 0), 1.5)
    edges = cv2.Canny(grey, *CANNY)
    distance = cv2.distanceTransform(np.where(edges > 0, 0, 255).astype(np.uint8), cv2.DIST_L2, 3)
    return distance <= EDGE_NEAR, distance > EDGE_FAR


def zone_means(energy: np.ndarray, zones: tuple[np.ndarray, ...]) -> list[float]:
    """The mean of a per-pixel map (:func:`energy_map`) over each zone; NaN for an empty one."""
    return [float(energy[zone].mean()) if zone.any() else float("nan") for zone in zones]


class DetailMeter:
    """Streaming detail of output frames against reference frames (module docstring)."""

    def __init__(self) -> None:
        self._output = 0.0
        self._reference = 0.0
        self._zones = np.zeros((2, 2))  # [near, far] x [output, reference]
        self.frames = 0

    def update(
        self, output: np.ndarray, reference: np.ndarray, source: np.ndarray | None = None
    ) -> None:
        """Add one pair of HxWx3 uint8 RGB frames (the output resized to the reference's),
        and with ``source`` (the frame they paint, resized likewise) the split by its edges."""
        output = conform(output, reference, "stylized and reference frames")
        mine, theirs = energy_map(output), energy_map(reference)
        self._output += float(np.mean(mine))
        self._reference += float(np.mean(theirs))
        self.frames += 1
        if source is not None:
            zones = edge_zones(conform(source, reference, "source and reference frames"))
            pairs = zip(zone_means(mine, zones), zone_means(theirs, zones), strict=True)
            for row, pair in enumerate(pairs):
                if not np.isnan(pair[0]):  # a zone with no pixel in this frame adds nothing
                    self._zones[row] += pair

    def result(self) -> float:
        """The detail ratio so far (NaN before any frame, or for a flat reference)."""
        if self.frames == 0 or self._reference <= 0:
            return float("nan")
        return self._output / self._reference

    def split(self) -> tuple[float, float]:
        """(texture, outline): the ratio far from the source's edges and near them (NaN
        where not measured: no source given, or no pixel of that zone in any frame)."""
        near, far = (float(out / ref) if ref > 0 else float("nan") for out, ref in self._zones)
        return far, near

"""Global camera motion: frames registered to an anchor, to a fraction of a pixel."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from restyle.motion.registration import Registrar
from support.motion_factory import texture

W, H = 320, 192


def view(scene: np.ndarray, motion: np.ndarray) -> np.ndarray:
    """The frame whose pixels ``motion`` maps into the anchor's (a view of ``scene``)."""
    sh, sw = scene.shape[:2]
    to_scene = np.array([[1, 0, (sw - W) / 2], [0, 1, (sh - H) / 2], [0, 0, 1.0]]) @ motion
    flags = cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP
    return cv2.warpPerspective(scene, to_scene, (W, H), flags=flags)


def motion(dx: float, dy: float, zoom: float = 1.0, degrees: float = 0.0) -> np.ndarray:
    c, s = np.cos(np.radians(degrees)) * zoom, np.sin(np.radians(degrees)) * zoom
    centre = np.array([[1, 0, W / 2], [0, 1, H / 2], [0, 0, 1.0]])
    turn = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])
    return np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1.0]]) @ centre @ turn @ np.linalg.inv(centre)


@pytest.fixture(scope="module")
def scene() -> np.ndarray:
    return cv2.GaussianBlur(texture(320, 480, seed=3), (0, 0), 1.2)


def _error(found, truth: np.ndarray) -> float:
    ys, xs = np.mgrid[8:H:16, 8:W:16]
    pts = np.stack([xs.ravel(), ys.ravel()], 1).astype(float)
    expected = cv2.perspectiveTransform(pts.reshape(-1, 1, 2), truth).reshape(-1, 2)
    return float(np.linalg.norm(found.to_anchor(pts) - expected, axis=1).mean())


@pytest.mark.parametrize(
    "truth",
    [motion(1.37, 0.41), motion(0.25, -0.75), motion(9.6, 3.3), motion(2, 1, 1.04, 0.8)],
    ids=["subpixel pan", "quarter-pixel pan", "pan", "zoom and turn"],
)
def test_a_frame_is_registered_to_the_anchor_within_a_tenth_of_a_pixel(scene, truth):
    registrar = Registrar()
    registrar.set_anchor(view(scene, np.eye(3)))
    found = registrar.register(view(scene, truth))
    assert found is not None and found.refined
    assert _error(found, truth) < 0.1
    assert found.inliers > 0.8


def test_a_moving_object_is_outvoted(scene):
    truth = motion(1.37, 0.41)
    frame = view(scene, truth)
    frame[40:120, 100:200] = np.roll(frame[40:120, 100:200], 23, axis=1)[::-1]  # 13 %
    registrar = Registrar()
    registrar.set_anchor(view(scene, np.eye(3)))
    found = registrar.register(frame)
    assert found is not None and _error(found, truth) < 0.15
    assert found.inliers < 0.95  # the object's pixels are not explained


def test_refinement_beats_the_flow_fit_alone(scene):
    truth = motion(3.3, -1.7, 1.02, 0.5)
    registrar = Registrar()
    registrar.set_anchor(view(scene, np.eye(3)))
    refined = _error(registrar.register(view(scene, truth)), truth)
    registrar.refine = False
    coarse = _error(registrar.register(view(scene, truth)), truth)
    assert refined < coarse


def test_a_frame_the_camera_model_cannot_explain_is_not_registered(scene):
    registrar = Registrar()
    registrar.set_anchor(view(scene, np.eye(3)))
    other = texture(H, W, seed=99)
    assert registrar.register(other) is None


def test_an_anchor_comes_first_and_sizes_match(scene):
    registrar = Registrar()
    with pytest.raises(ValueError, match="anchor"):
        registrar.register(view(scene, np.eye(3)))
    registrar.set_anchor(view(scene, np.eye(3)))
    with pytest.raises(ValueError, match="size"):
        registrar.register(np.zeros((H, W + 4, 3), np.uint8))

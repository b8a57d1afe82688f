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


def test_a_pan_is_painted_where_the_anchor_was_on_the_network_s_grid(scene):
    """Each frame's plane is its true motion into the anchor's, shifted by whole periods."""
    from restyle.motion.plane import PERIOD, Anchoring

    anchoring = Anchoring()
    first = anchoring.plane(view(scene, np.eye(3)))
    assert first.renewed and first.size[0] % PERIOD == 0 and first.size[1] % PERIOD == 0
    for t in range(1, 6):
        truth = motion(1.37 * t, 0.41 * t)
        plane = anchoring.plane(view(scene, truth))
        assert not plane.renewed and plane.size[0] % PERIOD == 0 and plane.size[1] % PERIOD == 0
        # the plane relative to the anchor frame's crop: a shift by whole periods
        offset = plane.transform @ np.linalg.inv(truth) @ np.linalg.inv(first.transform)
        offset /= offset[2, 2]
        assert np.allclose(offset[:2, :2], np.eye(2), atol=1e-3)
        shift = offset[:2, 2]
        assert np.allclose(shift / PERIOD, np.round(shift / PERIOD), atol=0.1 / PERIOD), shift
    assert anchoring.renewals == 1


def test_the_anchor_is_renewed_at_a_cut_and_beyond_the_zoom(scene):
    from restyle.motion.plane import Anchoring

    anchoring = Anchoring(max_zoom=1.05)
    anchoring.plane(view(scene, np.eye(3)))
    assert not anchoring.plane(view(scene, motion(2, 1, 1.03))).renewed
    assert anchoring.plane(view(scene, motion(2, 1, 1.08))).renewed  # zoomed too far
    assert anchoring.plane(texture(H, W, seed=99)).renewed  # a cut: another view
    assert anchoring.renewals == 3


def test_a_zoom_s_new_anchor_is_painted_ahead_of_it(scene):
    """Renewed by a zoom, the anchor is painted max_zoom ** 0.75 the other way, so the zoom
    goes on 1.75 times as far (same bound on the strokes' size) before the next renewal."""
    from restyle.motion.plane import Anchoring

    anchoring = Anchoring(max_zoom=1.05, fade=0)
    first = anchoring.plane(view(scene, np.eye(3)))
    renewed = anchoring.plane(view(scene, motion(0, 0, 1.06)))  # zoomed out past the bound
    assert renewed.renewed
    scale = renewed.transform[0, 0] / first.transform[0, 0]  # painted smaller, ahead
    assert scale == pytest.approx(1.05**-0.75, abs=1e-6)
    assert renewed.size[0] < first.size[0]
    # 1.08 further out than the new anchor: past the bound before, inside it now
    assert not anchoring.plane(view(scene, motion(0, 0, 1.06 * 1.08))).renewed
    assert anchoring.plane(view(scene, motion(0, 0, 1.06 * 1.11))).renewed
    assert anchoring.renewals == 3


def test_a_new_anchor_looks_ahead_to_see_which_way_a_zoom_goes(scene):
    """The first anchor too: a zoom seen LOOK_AHEAD frames on is painted ahead from the start."""
    from restyle.motion.plane import Anchoring

    def first_scale(later):
        plane = Anchoring(max_zoom=1.05).plane(view(scene, np.eye(3)), later)
        return plane.transform[0, 0]

    assert first_scale(None) == 1.0
    assert first_scale(view(scene, motion(3, 1))) == 1.0  # a pan: nothing to paint ahead of
    zoom_in = view(scene, motion(3, 1, 1 / 1.03))  # the content grows: painted larger
    assert first_scale(zoom_in) == pytest.approx(1.05**0.75, abs=1e-6)
    assert first_scale(view(scene, motion(3, 1, 1.03))) == pytest.approx(1.05**-0.75, abs=1e-6)
    assert first_scale(texture(H, W, seed=99)) == 1.0  # a cut ahead: no zoom to follow


def test_the_painter_gives_the_planes_the_frame_ahead(scene):
    from restyle.media.reader import Frame
    from restyle.motion.plane import LOOK_AHEAD, Anchoring
    from restyle.rendering.stages import Painter

    class Flat:
        def use_workers(self, workers):
            return 1

        def stylize(self, frames, styles, content_style=None):
            return [np.zeros_like(f) for f in frames]

        stylize_as_sized = stylize

        def content_style(self, frame, style):
            return None

    frames = [
        Frame(np.full((H, W, 3), i, np.uint8), i / 25, 0.04, i) for i in range(LOOK_AHEAD + 4)
    ]
    seen = []
    anchoring = Anchoring()

    def place(frame, later):
        seen.append((int(frame[0, 0, 0]), None if later is None else int(later[0, 0, 0])))
        return anchoring.plane(view(scene, np.eye(3)))

    painted = list(Painter(Flat(), lambda t: None, place=place, batch_size=3).paint(frames))
    assert [f.index for f, _ in painted] == list(range(len(frames)))
    last = len(frames) - 1
    assert seen == [(i, min(i + LOOK_AHEAD, last) if i < last else None) for i in range(last + 1)]


def test_a_plane_is_painted_at_its_own_size_over_max_size(scene):
    """Past --max-size by a zoom's margin, a plane is not resized (that would move its grid)."""
    from restyle.api import create_stylizer
    from restyle.stylizers.options import Look

    stylizer = create_stylizer("network", Look(max_size=64))
    style = stylizer.resolve("builtin:3")
    crop = np.ascontiguousarray(view(scene, np.eye(3))[:80, :96])
    sized = stylizer.stylize_as_sized([crop], style)[0]
    capped = stylizer.stylize([crop], style)[0]
    assert sized.shape == capped.shape == crop.shape
    # painted at 96 px it keeps finer strokes than painted at 64 and scaled up
    assert np.abs(np.diff(sized.astype(float), axis=1)).mean() > np.abs(
        np.diff(capped.astype(float), axis=1)
    ).mean()


def test_a_frame_comes_back_from_its_plane(scene):
    """Into the plane and back loses only the resampling (no shift, no blur to speak of)."""
    from restyle.motion.plane import Anchoring

    anchoring = Anchoring()
    anchoring.plane(view(scene, np.eye(3)))
    frame = view(scene, motion(1.37, 0.41, 1.02, 0.5))
    plane = anchoring.plane(frame)
    back = plane.back(plane.into(frame)).astype(int)
    inner = (slice(4, H - 4), slice(4, W - 4))
    assert np.abs(back[inner] - frame[inner]).mean() < 3


def test_scale_paints_the_plane_at_the_network_s_size(scene):
    from restyle.motion.plane import Anchoring

    anchoring = Anchoring(scale=0.5)
    plane = anchoring.plane(view(scene, np.eye(3)))
    assert plane.size[0] <= W * 0.5 + 24 and plane.frame_size == (W, H)


def _write_lossless(path, frames) -> None:
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264rgb", rate=25)
        stream.width, stream.height, stream.pix_fmt = W, H, "rgb24"
        stream.options = {"qp": "0"}
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


@pytest.mark.slow
def test_strokes_stick_to_a_panning_scene(tmp_path):
    """--strokes stick: far less change between frames of a pan than painting each afresh."""
    import restyle
    from support.motion_factory import translating_clip

    clip = tmp_path / "pan.mp4"
    frames = translating_clip(16, H, W, (1.37, 0.41), seed=5)
    _write_lossless(clip, [cv2.GaussianBlur(f, (0, 0), 1.0) for f in frames])
    options = {"crf": 0, "temporal": "none", "device": "cpu", "max_size": None}
    fresh, stick = tmp_path / "fresh.mp4", tmp_path / "stick.mp4"
    restyle.stylize_video(clip, fresh, "builtin:19", **options)
    restyle.stylize_video(clip, stick, "builtin:19", strokes="stick", **options)
    measured = restyle.evaluate(clip, stick, reference=fresh, gap=5)
    assert measured.vs_reference < 0.3  # short-term: 0.16 of per-frame's warp error here
    assert measured.long_term_vs_reference < 0.3  # 0.12 here
    assert measured.detail > 0.9  # not bought with blur


def test_strokes_stick_goes_with_the_network_method(tmp_path, capsys):
    from restyle.cli import main

    argv = ["video", str(tmp_path / "c.mp4"), "-s", "builtin:1", "--strokes", "stick"]
    assert main([*argv, "--method", "segmented", "--print-job"]) == 2
    assert "--strokes stick goes with --method network" in capsys.readouterr().err
    assert main([*argv, "--print-job"]) == 0
    assert '"strokes": "stick"' in capsys.readouterr().out


def test_a_renewal_is_crossfaded_and_a_cut_is_not(scene):
    from restyle.motion.plane import Anchoring

    anchoring = Anchoring(max_zoom=1.05, fade=3)
    anchoring.plane(view(scene, np.eye(3)))
    renewed = anchoring.plane(view(scene, motion(2, 1, 1.06)))  # beyond the zoom: renewed
    assert renewed.renewed and renewed.fade_from is not None
    weights = [renewed.weight]
    for t in range(1, 5):
        plane = anchoring.plane(view(scene, motion(2 + t, 1, 1.06)))
        weights.append(plane.weight)
        assert (plane.fade_from is not None) == (t < 3)
    assert weights == sorted(weights) and weights[0] == pytest.approx(0.25) and weights[-1] == 1
    cut = anchoring.plane(texture(H, W, seed=99))  # another view: no fade
    assert cut.renewed and cut.fade_from is None


def _object_moved(frame: np.ndarray) -> np.ndarray:
    """The frame with a block (13 % of it) moving on its own."""
    frame = frame.copy()
    frame[40:120, 100:200] = np.roll(frame[40:120, 100:200], 23, axis=1)[::-1]
    return frame


def test_each_pixel_says_how_well_the_camera_s_motion_explains_it(scene):
    registrar = Registrar()
    registrar.set_anchor(view(scene, np.eye(3)))
    found = registrar.register(_object_moved(view(scene, motion(1.37, 0.41))))
    assert found is not None and found.explained is not None
    assert found.explained.shape == (H, W)
    block = found.explained[60:100, 120:180]  # its inside (the map's edges are soft)
    assert block.mean() < 0.02 and block.max() < 0.15  # not explained
    background = np.ones((H, W), bool)
    background[20:140, 80:220] = False
    assert found.explained[background].min() > 0.95
    zoomed = registrar.register(view(scene, motion(2, 1, 1.04, 0.8)))
    assert zoomed is not None and zoomed.explained.min() > 0.9  # all of it, zoom included


def test_unexplained_pixels_fall_back_to_the_frame_painted_where_it_is(scene):
    from restyle.motion.plane import Anchoring
    from restyle.rendering.stages import Painter

    class Marks:
        """Paints a crop of the anchor's plane 200, the frame where it is 50."""

        def use_workers(self, workers):
            return 1

        def stylize(self, frames, styles, content_style=None):
            return [np.full_like(f, 50) for f in frames]

        def stylize_as_sized(self, frames, styles, content_style=None):
            return [np.full_like(f, 200) for f in frames]  # planes are painted as sized

    anchoring = Anchoring()
    anchoring.plane(view(scene, np.eye(3)))
    assert anchoring.plane(view(scene, motion(0.7, 0.2))).explained is None  # painted once
    frame = _object_moved(view(scene, motion(1.37, 0.41)))
    plane = anchoring.plane(frame)
    assert plane.explained is not None and not plane.renewed
    out = Painter(Marks(), lambda t: None)._in_plane(frame, None, plane)
    off = np.abs(out[60:100, 120:180].astype(int) - 50)
    assert off.mean() < 3 and off.max() <= 25
    assert np.abs(out[150:, :].astype(int) - 200).max() <= 1
    assert plane.settled() is plane.explained  # the flicker filter works on the block only


def test_where_strokes_settle_tells_the_flicker_filter_what_to_leave(scene):
    from restyle.motion.plane import Anchoring

    anchoring = Anchoring()
    assert anchoring.plane(view(scene, np.eye(3))).settled() is None  # fresh strokes
    settled = anchoring.plane(view(scene, motion(0.7, 0.2))).settled()
    assert settled is not None and settled.min() == 1.0  # a pan: all of it stays
    assert anchoring.plane(texture(H, W, seed=99)).settled() is None  # a cut

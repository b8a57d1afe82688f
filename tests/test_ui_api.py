"""The page's named API endpoints through gradio_client, as docs/web-page.md shows them."""

from __future__ import annotations

import pytest
from PIL import Image

from restyle.media.reader import open_video
from support.image_factory import synthetic_painting, synthetic_photo
from support.media_factory import make_not_a_video, make_video

pytest.importorskip("gradio", reason="the [ui] extra is not installed")
from gradio_client import Client, handle_file  # noqa: E402

from restyle.ui import start  # noqa: E402
from support.ui_harness import free_port  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start(port=free_port(), parent=tmp_path_factory.mktemp("server"))
    yield running
    running.stop()
    assert not running.workspace.root.exists()


def test_stylize_image_and_stylize_video(server, tmp_path):
    photo, painting = tmp_path / "photo.png", tmp_path / "painting.jpg"
    Image.fromarray(synthetic_photo(48, 80)).save(photo)
    Image.fromarray(synthetic_painting(64, 64)).save(painting)
    clip = make_video(tmp_path / "clip.mp4", width=96, height=64, frames=6, audio=True)
    client = Client(server.url, verbose=False)
    assert set(client.view_api(return_format="dict", print_info=False)["named_endpoints"]) == {
        "/stylize_image",
        "/stylize_video",
    }
    painted = client.predict(
        handle_file(str(photo)), handle_file(str(painting)), 0.8, False, api_name="/stylize_image"
    )
    assert Image.open(painted).size == (80, 48)
    video = client.predict(
        handle_file(str(clip)), handle_file(str(painting)), 0.9, api_name="/stylize_video"
    )
    with open_video(video) as reader:
        assert sum(1 for _ in reader) == 6 and reader.info.has_audio


def test_a_bad_request_gets_one_line_and_the_server_goes_on(server, tmp_path):
    from gradio_client.exceptions import AppError

    painting = tmp_path / "painting.png"
    Image.fromarray(synthetic_painting(64, 64)).save(painting)
    text = make_not_a_video(tmp_path / "notes.mp4")
    client = Client(server.url, verbose=False)
    with pytest.raises(AppError) as failed:
        client.predict(
            handle_file(str(text)), handle_file(str(painting)), 0.9, api_name="/stylize_video"
        )
    message = str(failed.value)
    assert "is not a video restyle can read" in message
    assert "Traceback" not in message and str(server.workspace.root) not in message
    painted = client.predict(
        handle_file(str(painting)), handle_file(str(painting)), 1.0, True, api_name="/stylize_image"
    )
    assert Image.open(painted).size == (64, 64)

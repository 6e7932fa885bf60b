"""Availability, money and secrets under attack (issue 18): redirects of the OCR API, weak
signing keys, large PNGs within the memory budget."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from idcard_ocr import errors
from idcard_ocr.errors import PermanentError
from idcard_ocr.io.ocr_api import MarketplaceClient
from tests.conftest import APPCODE, SIGNING_KEY
from tests.fakes import images


class _Recorder(BaseHTTPRequestHandler):
    """Answers every POST with the server's `status` and `location`, and records it."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.posts.append((self.path, self.rfile.read(length)))
        self.send_response(self.server.status)
        if self.server.location:
            self.send_header("Location", self.server.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST

    def log_message(self, *args):
        pass


def _serve(status: int, location: str = ""):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.status, server.location, server.posts = status, location, []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed_and_is_a_named_permanent_error(status):
    """Finding 10: a 307 re-posted the photo to another host; a 302 was retried."""
    elsewhere = _serve(200)
    api = _serve(status, f"http://127.0.0.1:{elsewhere.server_address[1]}/steal")
    try:
        client = MarketplaceClient(f"http://127.0.0.1:{api.server_address[1]}/ocr", APPCODE,
                                   timeout_s=2.0, max_attempts=3, sleep=lambda s: None)
        with pytest.raises(PermanentError) as raised:
            client.recognize(images.card_jpeg(), "face")
        assert raised.value.code == errors.API_REDIRECTED and raised.value.status == status
        assert "OCR_API_URL" in raised.value.message
        assert len(api.posts) == 1 and elsewhere.posts == []  # one paid call, nothing re-posted
    finally:
        for server in (api, elsewhere):
            server.shutdown()
            server.server_close()


# Signing keys -----------------------------------------------------------------------------------

@pytest.mark.parametrize("weak", ["a" * 32, "ab" * 24, "0123456789abcdef" * 2,
                                  "passwordpasswordpasswordpassword",
                                  "new-key-" + "7" * 40])
def test_a_weak_signing_key_is_refused_with_how_to_make_one(env, weak):
    """Finding 11: 32 x 'a' was accepted."""
    from idcard_ocr.config import Settings
    from idcard_ocr.errors import ConfigError

    for value in (weak, SIGNING_KEY + "," + weak):  # a weak key among good ones too
        with pytest.raises(ConfigError) as raised:
            Settings.from_env(env | {"RESULT_SIGNING_KEY": value})
        message = str(raised.value)
        assert "RESULT_SIGNING_KEY" in message and "secrets.token_urlsafe(32)" in message
        assert weak not in message


def test_generated_keys_and_the_fixtures_keys_pass():
    import secrets

    from idcard_ocr.card.signatures import MIN_KEY_BITS, estimated_bits
    from idcard_ocr.config import Settings
    from tools.demo import SIGNING_KEY as DEMO_KEY

    generated = [secrets.token_urlsafe(32) for _ in range(200)] + \
        [secrets.token_hex(32) for _ in range(200)]
    # template.yml's SigningKey: ALIYUN::RandomString, Length 48, Sequence lettersdigits.
    letters_digits = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    generated += ["".join(secrets.choice(letters_digits) for _ in range(48)) for _ in range(200)]
    for key in generated + [SIGNING_KEY, DEMO_KEY]:
        assert estimated_bits(key) >= MIN_KEY_BITS
        assert Settings.from_env({"RESULT_SIGNING_KEY": key, "OCR_ENGINE": "local"}
                                 ).signing_keys == (key,)


# Pillow's process-wide pixel limit -------------------------------------------------------------

def test_preparing_an_image_leaves_pillows_global_limit_alone():
    """prepare() used to set Image.MAX_IMAGE_PIXELS on every call (state of the whole process,
    seen by every other caller of Pillow); its own per-call limit decides instead."""
    from PIL import Image

    from idcard_ocr.imaging import ImageLimits, prepare

    before = Image.MAX_IMAGE_PIXELS
    small = ImageLimits(max_pixels=1_000_000)
    photo = images.card_jpeg(size=(1600, 1000))
    with pytest.raises(PermanentError) as raised:
        prepare(photo, small)
    assert raised.value.code == "image_too_large" and "IMAGE_MAX_PIXELS" in raised.value.message
    prepare(images.encode(images.card(), "PNG"), ImageLimits(max_pixels=400_000_000))
    assert Image.MAX_IMAGE_PIXELS == before


def test_a_reduced_rgba_png_is_laid_on_white_like_before():
    """Band by band, transparent pixels onto white, then reduced: what reducing premultiplied
    colours and then laying them onto white gives."""
    from PIL import Image

    from idcard_ocr.imaging import ImageLimits, prepare

    picture = Image.new("RGBA", (4000, 2600), (20, 40, 200, 255))
    picture.paste((0, 0, 0, 0), (0, 0, 2000, 2600))  # the left half: transparent black
    prepared = prepare(images.encode(picture, "PNG"), ImageLimits())
    decoded = prepared.decoded()
    left = decoded.getpixel((decoded.width // 4, decoded.height // 2))
    right = decoded.getpixel((decoded.width * 3 // 4, decoded.height // 2))
    assert all(v >= 250 for v in left) and abs(right[2] - 200) <= 6 and right[0] <= 26

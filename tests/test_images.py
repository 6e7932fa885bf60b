"""Image preparation: what is sent as is, what is converted, and what is refused (and why)."""

import io

import pytest
from PIL import Image

from idcard_ocr.errors import PermanentError
from idcard_ocr.imaging.prepare import ImageLimits, prepare, sniff
from tests.fakes import images


def decoded(prepared):
    return Image.open(io.BytesIO(prepared.data))


def test_card_sized_jpeg_is_sent_untouched():
    data = images.card_jpeg()
    prepared = prepare(data)
    assert prepared.data is data and not prepared.transformed
    assert (prepared.width, prepared.height) == (856, 540)


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "GIF", "TIFF", "WEBP"])
def test_api_formats_within_limits_pass_through(fmt):
    data = images.encode(images.card(), fmt)
    prepared = prepare(data)
    assert prepared.format == fmt and prepared.data is data


def test_phone_photo_is_downscaled_to_the_configured_side():
    data = images.phone_photo()
    prepared = prepare(data, ImageLimits(max_side=1600))
    assert prepared.transformed and prepared.format == "JPEG"
    assert max(decoded(prepared).size) == 1600  # 1/2-scale decode (2016) resampled to the limit
    assert len(prepared.data) < len(data) / 3


@pytest.mark.parametrize("orientation, size", [(3, (856, 540)), (6, (540, 856)),
                                               (8, (540, 856))])
def test_exif_orientation_is_applied(orientation, size):
    img = images.card()
    prepared = prepare(images.with_orientation(img, orientation))
    out = decoded(prepared)
    assert out.size == size
    assert out.getexif().get(0x0112, 1) == 1
    # Orientation 3 is a half turn: the portrait box moves from the right to the left half.
    if orientation == 3:
        grey = out.convert("L")
        assert grey.getpixel((150, 270)) < grey.getpixel((700, 270))


def test_exif_rotated_phone_photo_is_upright_and_downscaled():
    prepared = prepare(images.phone_photo(orientation=6))
    assert decoded(prepared).size == (1512, 2016)  # decoded at 1/2 scale, no resampling


def test_heic_becomes_jpeg():
    prepared = prepare(images.encode(images.card(), "HEIF"))
    assert prepared.source_format == "HEIF" and prepared.format == "JPEG"
    assert decoded(prepared).size == (856, 540)


def test_transparent_png_gets_a_white_background():
    img = images.card().convert("RGBA")
    img.putpixel((0, 0), (0, 0, 0, 0))
    big = img.resize((3000, 1892))
    prepared = prepare(images.encode(big, "PNG"))
    assert decoded(prepared).convert("RGB").getpixel((0, 0))[0] > 200


def test_oversized_bytes_are_reencoded_under_the_limit():
    noisy = Image.effect_noise((1500, 1000), 120).convert("RGB")
    data = images.encode(noisy, "PNG")
    prepared = prepare(data, ImageLimits(max_bytes=400_000))
    assert prepared.transformed and len(prepared.data) <= 400_000


@pytest.mark.parametrize("data, code, words", [
    (b"", "invalid_image", "empty"),
    (b"PK\x03\x04rest-of-zip", "invalid_image", "ZIP"),
    (b'{"status": "ok"}', "invalid_image", "JSON"),
    (b"\x00\x01\x02\xfe\xff" * 20, "invalid_image", "unknown"),
    (images.card_jpeg()[:4000], "invalid_image", "truncated"),
    (images.encode(images.card(size=(10, 10)), "PNG"), "invalid_image", "under 15 px"),
])
def test_refused_inputs_name_the_problem(data, code, words):
    with pytest.raises(PermanentError) as raised:
        prepare(data)
    assert raised.value.code == code and words in raised.value.message


def test_pixel_limit_refuses_before_decoding():
    bomb = images.encode(Image.new("1", (12000, 12000)), "PNG")
    with pytest.raises(PermanentError) as raised:
        prepare(bomb, ImageLimits(max_pixels=50_000_000))
    assert raised.value.code == "image_too_large" and "144 MP" in raised.value.message


def test_24_megapixel_photo_is_accepted():
    prepared = prepare(images.phone_photo(size=(6000, 4000)))
    assert max(decoded(prepared).size) == 2048


def test_large_png_is_box_reduced_by_a_whole_factor():
    big = images.card().resize((4000, 2520))
    prepared = prepare(images.encode(big, "PNG"))
    assert decoded(prepared).size == (2000, 1260)


def test_sniff():
    assert sniff(images.card_jpeg()) == "JPEG"
    assert sniff(images.encode(images.card(), "HEIF")) == "HEIF"
    assert sniff(b"hello") is None

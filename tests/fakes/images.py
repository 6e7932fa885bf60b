"""Synthetic photos for the tests: card-like pictures made with Pillow, in the shapes phones send."""

import io
import random

from PIL import Image, ImageDraw

CARD_SIZE = (856, 540)  # an ID card's 85.6 x 54 mm at 10 px/mm


def card(size=CARD_SIZE, seed: int = 1, side: str = "face") -> Image.Image:
    """A card-like picture: light background, dark text bars, a portrait box on the face side."""
    rng = random.Random(seed)
    img = Image.new("RGB", size, (236, 232, 222) if side == "face" else (226, 236, 240))
    draw = ImageDraw.Draw(img)
    w, h = size
    for row in range(6):
        y = int(h * (0.12 + row * 0.13))
        length = int(w * rng.uniform(0.25, 0.55))
        draw.rectangle([int(w * 0.08), y, int(w * 0.08) + length, y + int(h * 0.05)], fill=(30, 30, 30))
    if side == "face":
        draw.rectangle([int(w * 0.65), int(h * 0.15), int(w * 0.92), int(h * 0.75)], fill=(120, 110, 100))
    else:
        draw.ellipse([int(w * 0.06), int(h * 0.08), int(w * 0.22), int(h * 0.34)], fill=(200, 30, 30))
    return img


def encode(img: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    out = io.BytesIO()
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    img.save(out, fmt, **params)
    return out.getvalue()


def card_jpeg(**kwargs) -> bytes:
    return encode(card(**kwargs), "JPEG", quality=90)


def phone_photo(size=(4032, 3024), seed: int = 2, orientation: int = 1, noise: float = 10) -> bytes:
    """A 12-megapixel phone JPEG (about 3 MB): a card in a grainy scene, optional EXIF orientation."""
    rng = random.Random(seed)
    scene = Image.effect_noise(size, noise).convert("RGB")
    scene = Image.blend(scene, Image.new("RGB", size, (90, 110, 80)), 0.5)
    c = card(size=(size[0] // 2, int(size[0] / 2 * 0.63)), seed=seed)
    scene.paste(c, (size[0] // 4 + rng.randint(-50, 50), size[1] // 4))
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation
    return encode(scene, "JPEG", quality=92, exif=exif.tobytes())


def with_orientation(img: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(img, "JPEG", quality=90, exif=exif.tobytes())


def big_png(width: int, height: int, color_type: int = 2, bit_depth: int = 8) -> bytes:
    """A valid PNG of any size that compresses to almost nothing (a uniform grey), written row
    by row so that making a 100-megapixel one costs no memory. Colour types: 0 grey, 2 RGB,
    4 grey+alpha, 6 RGBA."""
    import struct
    import zlib

    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    row = b"\x00" + b"\x80" * (width * channels * bit_depth // 8)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    packer = zlib.compressobj(1)
    band = row * 64
    compressed = b"".join(packer.compress(band) for _ in range(height // 64))
    compressed += packer.compress(row * (height % 64)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", compressed)
            + chunk(b"IEND", b""))

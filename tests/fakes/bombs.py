"""Hostile files of a review: header amplification (TIFF and EXIF tag tables) and a JPEG of
endless scans. Made byte by byte, tiny on disk, each costly to a naive reader."""

import io
import struct

from PIL import Image

def tiff_tag_bomb(entries: int, block: int, width=100, height=100) -> bytes:
    real = [(256, 3, 1, width), (257, 3, 1, height), (258, 3, 1, 8), (259, 3, 1, 1),
            (262, 3, 1, 1), (273, 4, 1, 0), (277, 3, 1, 1), (278, 3, 1, height),
            (279, 4, 1, width * height)]
    n = len(real) + entries
    ifd_size = 2 + 12 * n + 4
    data_at = 8 + ifd_size
    pixels_at = data_at + block
    out = bytearray(b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", n))
    fixed = []
    for tag, typ, count, value in real:
        if tag == 273:
            value = pixels_at
        fixed.append((tag, typ, count, value))
    spare = [t for t in range(40000, 65535) if t not in {r[0] for r in real}][:entries]
    entries_all = sorted(fixed + [(t, 7, block, data_at) for t in spare])
    for tag, typ, count, value in entries_all:
        if typ == 3:
            out += struct.pack("<HHIHH", tag, typ, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, typ, count, value)
    out += struct.pack("<I", 0)
    assert len(out) == data_at
    out += b"\x00" * block + b"\x80" * (width * height)
    return bytes(out)


def exif_ifd_bomb(entries: int, block: int) -> bytes:
    """A bare EXIF (TIFF-structured) blob: `entries` tags sharing one `block` of data."""
    n = entries + 1
    data_at = 8 + 2 + 12 * n + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", n))
    out += struct.pack("<HHIHH", 0x0112, 3, 1, 1, 0)  # Orientation = 1
    for t in range(40000, 40000 + entries):
        out += struct.pack("<HHII", t, 7, block, data_at)
    out += struct.pack("<I", 0) + b"\x00" * block
    return bytes(out)


def png_with_exif(exif: bytes, size=(600, 400)) -> bytes:
    import zlib
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 200, 200)).save(buf, "PNG")
    png = buf.getvalue()
    chunk = struct.pack(">I", len(exif)) + b"eXIf" + exif
    chunk += struct.pack(">I", zlib.crc32(b"eXIf" + exif) & 0xFFFFFFFF)
    at = png.index(b"IDAT") - 4
    return png[:at] + chunk + png[at:]


def segments(data: bytes):
    """A JPEG's segments as (marker, bytes), each scan with its entropy-coded data."""
    i, out = 2, []
    while i < len(data):
        assert data[i] == 0xFF, i
        marker = data[i + 1]
        if marker == 0xD9:
            out.append((marker, data[i:i + 2]))
            break
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        end = i + 2 + length
        if marker == 0xDA:  # entropy data follows until the next non-RST marker
            j = end
            while True:
                j = data.index(b"\xff", j)
                if data[j + 1] == 0 or 0xD0 <= data[j + 1] <= 0xD7:
                    j += 2
                    continue
                break
            end = j
        out.append((marker, data[i:end]))
        i = end
    return out


def scan_bomb(width: int, height: int, repeats: int):
    """A progressive JPEG whose last luma AC scan (with its Huffman table) is repeated
    `repeats` times: valid, small, and a full pass over every block per repeat."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (128, 128, 128)).save(out, "JPEG", progressive=True,
                                                             quality=90)
    segs = segments(out.getvalue())
    pick = None
    for k, (marker, segment) in enumerate(segs):
        if marker == 0xDA:
            components = segment[4]
            if components == 1 and segment[5 + 2 * components] > 0:
                pick = k
    chunk = b"".join(s for _, s in segs[pick - 1:pick + 1]) if segs[pick - 1][0] == 0xC4 \
        else segs[pick][1]
    body = b"".join(s for _, s in segs[:-1])
    return b"\xff\xd8" + body + chunk * repeats + b"\xff\xd9", len(chunk)

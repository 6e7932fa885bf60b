"""Image formats: what a file is (from its bytes), and what the OCR APIs accept.

Cheap and import-light: no Pillow until a HEIF decoder is actually needed.
"""

from typing import Optional

# What the marketplace OCR accepts (aliyun-facts.md: image limits).
API_FORMATS = frozenset({"JPEG", "PNG", "BMP", "GIF", "TIFF", "WEBP"})
API_MIN_SIDE = 15
API_MAX_SIDE = 8192
API_MAX_ASPECT = 50
API_MAX_BYTES = 10 * 1024 * 1024
def sniff(data: bytes) -> Optional[str]:
    """The image format from magic bytes, or None. Cheap: no Pillow needed."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head.startswith(b"BM"):
        return "BMP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"hevx", b"heim",
                                               b"heis", b"mif1", b"msf1", b"avif"):
        return "AVIF" if head[8:12] == b"avif" else "HEIF"
    return None


def describe_non_image(data: bytes) -> str:
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive"
    if head.lstrip()[:1] in (b"{", b"["):
        return "JSON text"
    try:
        data[:512].decode("utf-8")
        return "text"
    except UnicodeDecodeError:
        return "data of an unknown kind"


_heif_registered = False


def register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _heif_registered = True


# Metadata: read by us, bounded, before Pillow sees it ---------------------------------------
#
# Pillow reads a TIFF's tag tables at open and EXIF tables on getexif(), copying each tag's
# data once per entry: a 1 MB file whose entries all point at one shared block costs gigabytes
# before any pixel is decoded. The function therefore reads the only tag it needs (EXIF
# orientation) itself, never calls getexif(), and refuses TIFFs whose tables claim more data
# than the file holds.

EXIF_ORIENTATION = 0x0112
MAX_TIFF_ENTRIES = 4096
MAX_JPEG_SCANS = 100  # a progressive JPEG has about 10; each scan is a pass over every block
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8,
               13: 4, 16: 8, 17: 8, 18: 8}


def exif_orientation(exif: Optional[bytes]) -> int:
    """The EXIF orientation (1-8) from a raw EXIF block, or 1 when there is none or it is not
    readable. Reads IFD0's entries only, at most MAX_TIFF_ENTRIES of them."""
    if not exif:
        return 1
    tiff = exif[6:] if exif.startswith(b"Exif\x00\x00") else exif
    layout = _tiff_layout(tiff)
    if layout is None:
        return 1
    order, offset = layout
    count = _unpack(order, "H", tiff, offset)
    if count is None:
        return 1
    for i in range(min(count, MAX_TIFF_ENTRIES)):
        entry = offset + 2 + 12 * i
        tag, kind = _unpack(order, "H", tiff, entry), _unpack(order, "H", tiff, entry + 2)
        if tag == EXIF_ORIENTATION and kind == 3:
            value = _unpack(order, "H", tiff, entry + 8)
            return value if value in range(1, 9) else 1
    return 1


def tiff_tables_too_big(data: bytes) -> Optional[str]:
    """Why a TIFF's tag tables are not worth reading (they claim more data than the file
    holds, or too many entries), or None. Walks the chain of IFDs without reading the data."""
    layout = _tiff_layout(data)
    if layout is None:
        return None  # Pillow will say what is wrong with it
    order, offset = layout
    claimed = entries = 0
    seen = set()
    while offset and offset not in seen and len(seen) < 64:
        seen.add(offset)
        count = _unpack(order, "H", data, offset)
        if count is None:
            break
        entries += count
        if entries > MAX_TIFF_ENTRIES:
            return f"its tag tables have over {MAX_TIFF_ENTRIES} entries"
        for i in range(count):
            entry = offset + 2 + 12 * i
            kind, number = _unpack(order, "H", data, entry + 2), _unpack(order, "I", data,
                                                                         entry + 4)
            if kind is None or number is None:
                break
            size = _TYPE_SIZES.get(kind, 1) * number
            if size > 4:  # out of line: a block the reader copies
                claimed += size
        if claimed > len(data) + 1024 * 1024:
            return (f"its tag tables claim {claimed / 2**20:.0f} MB of data in a "
                    f"{len(data) / 2**20:.1f} MB file")
        offset = _unpack(order, "I", data, offset + 2 + 12 * count)
    return None


def jpeg_scans(data: bytes) -> int:
    """Start-of-scan markers in a JPEG (0xFFDA cannot occur inside entropy-coded data)."""
    return data.count(b"\xff\xda")


def _tiff_layout(tiff: bytes):
    if tiff[:4] == b"II*\x00":
        order = "<"
    elif tiff[:4] == b"MM\x00*":
        order = ">"
    else:
        return None
    offset = _unpack(order, "I", tiff, 4)
    return (order, offset) if offset else None


def _unpack(order: str, kind: str, data: bytes, at: int):
    import struct

    size = struct.calcsize(kind)
    if at < 0 or at + size > len(data):
        return None
    return struct.unpack_from(order + kind, data, at)[0]

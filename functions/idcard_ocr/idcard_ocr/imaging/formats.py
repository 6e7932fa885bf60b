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

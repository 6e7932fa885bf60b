"""What an attacker sends the engine's server: tiny files that decode huge, raw HTTP on a socket,
and photos that are all print (a card on a newspaper, a page of numbers, cards tiled), which
the engine reads within its work budget (docs/engine.md, "The budget")."""

import socket
import struct
import zlib
from functools import lru_cache
from typing import Dict, Optional, Tuple
from urllib.parse import urlsplit

_PNG_COLOUR = {"L": (0, 1), "RGB": (2, 3), "RGBA": (6, 4)}


def blank_png(width: int, height: int, mode: str = "RGBA", pixels: bool = True) -> bytes:
    """A valid PNG of one colour, compressed row by row (never held decoded here): 8192 x 8192
    RGBA is about 255 KB. pixels=False leaves the image data out: only the header is sound."""
    return _blank_png(width, height, mode, pixels)


def variant(png: bytes, n: int) -> bytes:
    """The same picture in other bytes (a text chunk after the header), so that no cache of
    earlier answers can stand in for decoding it."""
    return png[:33] + _chunk(b"tEXt", b"Comment\0variant %d" % n) + png[33:]


@lru_cache(maxsize=8)
def _blank_png(width: int, height: int, mode: str, pixels: bool) -> bytes:
    colour_type, channels = _PNG_COLOUR[mode]
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    data = b""
    if pixels:
        compressor = zlib.compressobj(9)
        row = b"\0" * (1 + width * channels)
        data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data)
            + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def connect(url: str, timeout: float = 10) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request_head(url: str, headers: Dict[str, str], method: str = "POST") -> bytes:
    parts = urlsplit(url)
    lines = [f"{method} {parts.path} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_response(sock: socket.socket) -> Tuple[int, Dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of one response with a Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {len(data)} bytes of a response head")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def send_until_refused(sock: socket.socket, chunk: bytes, limit: int) -> Optional[int]:
    """Send `chunk` repeatedly up to `limit` bytes; the bytes sent when the server stopped
    reading (the connection was closed or reset), or None when it took everything."""
    sent = 0
    sock.settimeout(10)
    try:
        while sent < limit:
            sock.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        return sent
    return None


def closed_by_server(sock: socket.socket, within_s: float) -> bool:
    """True when the server closes the connection (EOF or reset) within `within_s` seconds."""
    sock.settimeout(within_s)
    try:
        while sock.recv(65536):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


# Ordinary sentences of a newspaper column, nothing of a card.
NEWSPRINT = ("本报讯记者从市交通部门获悉今年冬季城区公交线路将作调整",
             "新开通的三条线路途经火车站体育中心和市民广场方便市民出行",
             "据了解调整后的线路首班车时间提前至早上六点末班车延后半小时",
             "有关部门提醒广大乘客留意站台公告合理安排出行时间注意安全")


def newspaper_page_with_a_card(card_jpeg: bytes) -> bytes:
    """A broadsheet's page of dense Chinese print, four columns of 60 rows, with the card of
    `card_jpeg` (a committed sample, its border cropped) lying on it."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    from .cards import font_paths

    page = Image.new("RGB", (2400, 1800), (232, 228, 214))
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(font_paths()[0], 22)
    for row in range(60):
        for column in range(4):
            text = NEWSPRINT[(row + column) % len(NEWSPRINT)][:22]
            draw.text((20 + 600 * column, 10 + 30 * row), text, fill=(35, 35, 35), font=font)
    page.paste(Image.open(io.BytesIO(card_jpeg)).crop((40, 40, 896, 580)), (780, 600))
    return _jpeg(page)


def page_of_numbers(count: int = 300) -> bytes:
    """A page of `count` lines (300 at most) shaped like citizen numbers (17 digits and their
    check character), in three columns, no card: a number is one of a face's anchors."""
    import random

    from PIL import Image, ImageDraw, ImageFont

    from idcard_ocr.card.idnumber import check_char

    from .cards import font_paths

    rng = random.Random(22)
    page = Image.new("RGB", (1800, 2400), (250, 250, 248))
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(font_paths()[0], 18)
    for i in range(min(count, 300)):  # 100 rows fill the page
        digits = "".join(rng.choice("0123456789") for _ in range(17))
        draw.text((40 + 590 * (i % 3), 12 + 23.8 * (i // 3)), digits + check_char(digits),
                  fill=(20, 20, 20), font=font)
    return _jpeg(page)


def cards_tiled(face_jpeg: bytes, back_jpeg: bytes, count: int = 50) -> bytes:
    """`count` small cards, faces and backs in turn (the samples given, borders cropped),
    tiled ten to a row: a page of copies."""
    import io

    from PIL import Image

    sides = [Image.open(io.BytesIO(jpeg)).crop((40, 40, 896, 580)).resize((300, 189))
             for jpeg in (face_jpeg, back_jpeg)]
    rows = (count + 9) // 10
    page = Image.new("RGB", (10 * 320 + 20, rows * 210 + 20), (245, 245, 240))
    for i in range(count):
        page.paste(sides[i % 2], (20 + 320 * (i % 10), 20 + 210 * (i // 10)))
    return _jpeg(page)


def _jpeg(picture) -> bytes:
    import io

    out = io.BytesIO()
    picture.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()

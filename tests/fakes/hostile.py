"""What an attacker sends the engine's server: tiny files that decode huge, raw HTTP on a socket."""

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

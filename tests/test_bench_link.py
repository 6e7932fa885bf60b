"""bench/link.py, the emulated link the end-to-end benchmark crosses: bytes arrive intact, and
never sooner than its bandwidth and round-trip time allow (lower bounds only: a loaded machine
may be slower, never faster)."""

import importlib.util
import os
import socket
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location("link", os.path.join(ROOT, "bench", "link.py"))
link = importlib.util.module_from_spec(spec)
spec.loader.exec_module(link)


def read_all(conn) -> bytes:
    """Everything the other side sends until it shuts its side down."""
    data = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk


def echo_server():
    """Answers each connection with what it sent, once the client has finished sending."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(read_all(conn))
    threading.Thread(target=serve, daemon=True).start()
    return server


def round_trip(address, payload: bytes):
    started = time.perf_counter()
    with socket.create_connection(address) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        back = read_all(s)
    return back, time.perf_counter() - started


def test_bytes_cross_intact_no_sooner_than_the_link_allows():
    server = echo_server()
    payload = os.urandom(250_000)
    try:
        with link.ShapedLink(server.getsockname(), mbit_s=20, rtt_ms=40) as shaped:
            back, seconds = round_trip(shaped.address, payload)
            assert back == payload
            # handshake (1 RTT) + the bytes up and back at 20 Mbit/s + half an RTT each way
            assert seconds >= 0.04 + 2 * len(payload) * 8 / 20e6 + 0.04
            assert shaped.connections == 1 and shaped.bytes_up == len(payload)
            assert shaped.label == "20 Mbit/s, 40 ms RTT"
    finally:
        server.close()


def test_a_new_connection_costs_a_round_trip():
    server = echo_server()
    try:
        with link.ShapedLink(server.getsockname(), mbit_s=1000, rtt_ms=100) as shaped:
            _, seconds = round_trip(shaped.address, b"x")
            assert seconds >= 0.1 + 0.1  # the handshake, then the byte there and back
    finally:
        server.close()

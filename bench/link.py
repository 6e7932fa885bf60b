"""An emulated network link on loopback: a userspace TCP proxy that shapes bandwidth and latency.

netem (tc qdisc) needs root and a kernel module this machine does not have, so the benchmarks
put this proxy between a client and a local server instead. It models a link with:

- a bandwidth per direction, shared by every connection through the proxy: bytes leave one
  after another at `mbit_s` (serialisation delay);
- a propagation delay of half the round-trip time in each direction;
- the TCP handshake: a new connection carries data only one round trip after it was opened
  (the SYN and SYN-ACK), so a client that opens a connection per call pays for it, as on a
  real network; TLS handshakes then cross the link like any other bytes.

Not modelled: loss, TCP slow start and window limits (a real link is slower at first), jitter.
The proxy reads ahead of the link (it buffers what the sender wrote), so it shapes when bytes
arrive, not when the sender may write them.
"""

import asyncio
import socket
import threading
from typing import Optional, Tuple

CHUNK = 16 * 1024


class _Direction:
    """One direction of the link: when it is next free to put a byte on the wire."""

    def __init__(self, bytes_per_s: float):
        self.bytes_per_s = bytes_per_s
        self.free_at = 0.0

    def departure(self, now: float, size: int) -> float:
        start = max(now, self.free_at)
        self.free_at = start + size / self.bytes_per_s
        return self.free_at


class ShapedLink:
    """`with ShapedLink(("127.0.0.1", port), mbit_s=20, rtt_ms=40) as link:` then connect to
    `link.address` instead of the server's."""

    def __init__(self, target: Tuple[str, int], mbit_s: float, rtt_ms: float):
        self.target = target
        self.mbit_s, self.rtt_ms = mbit_s, rtt_ms
        self.one_way_s = rtt_ms / 2000
        self.up = _Direction(mbit_s * 1e6 / 8)    # client to server
        self.down = _Direction(mbit_s * 1e6 / 8)  # server to client
        self.bytes_up = self.bytes_down = self.connections = 0
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._server = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="shaped-link")
        self.address: Tuple[str, int] = ("127.0.0.1", 0)

    @property
    def label(self) -> str:
        return f"{self.mbit_s:g} Mbit/s, {self.rtt_ms:g} ms RTT"

    def __enter__(self) -> "ShapedLink":
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the shaped link did not start")
        return self

    def __exit__(self, *exc) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        self.address = listener.getsockname()
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, sock=listener))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            tasks = asyncio.all_tasks(self._loop)
            for task in tasks:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            self._loop.close()

    async def _connection(self, client_reader, client_writer) -> None:
        try:
            await self._forward(client_reader, client_writer)
        except asyncio.CancelledError:  # the link is being shut down
            client_writer.close()

    async def _forward(self, client_reader, client_writer) -> None:
        self.connections += 1
        await asyncio.sleep(2 * self.one_way_s)  # SYN, SYN-ACK: data flows one RTT later
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self._pipe(client_reader, server_writer, self.up, "up"),
                             self._pipe(server_reader, client_writer, self.down, "down"),
                             return_exceptions=True)
        for writer in (client_writer, server_writer):
            writer.close()

    async def _pipe(self, reader, writer, direction: _Direction, name: str) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()

        async def carry():
            while True:
                chunk = await reader.read(CHUNK)
                arrival = direction.departure(loop.time(), len(chunk)) + self.one_way_s
                queue.put_nowait((arrival, chunk))
                if not chunk:
                    return
                if name == "up":
                    self.bytes_up += len(chunk)
                else:
                    self.bytes_down += len(chunk)

        async def deliver():
            while True:
                arrival, chunk = await queue.get()
                wait = arrival - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not chunk:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(chunk)
                await writer.drain()

        await asyncio.gather(carry(), deliver())

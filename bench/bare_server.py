"""The baseline for bench/fanout: a bare websockets server that only broadcasts.

Every connection that sends "go <size>" makes the server broadcast a message of that
many bytes to every other connection with ``websockets.asyncio.server.broadcast``.

    python -m bench.bare_server   (prints its port, serves until killed)
"""

from __future__ import annotations

import asyncio
import sys

from websockets.asyncio.server import ServerConnection, broadcast, serve

CLIENTS: set[ServerConnection] = set()


async def handler(ws: ServerConnection) -> None:
    CLIENTS.add(ws)
    try:
        async for msg in ws:
            if isinstance(msg, str) and msg.startswith("go "):
                size = int(msg.split()[1])
                payload = '{"type":"snapshot","pad":"' + "x" * max(0, size - 30) + '"}'
                broadcast([c for c in CLIENTS if c is not ws], payload)
    finally:
        CLIENTS.discard(ws)


async def main() -> None:
    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=2**22) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"port {port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

"""The baseline for bench/fanout and bench/storm: a bare websockets server.

A connection that sends "load <text>" sets the message; one that sends "go" makes the
server broadcast it to every other connection with ``websockets.asyncio.server.broadcast``;
one that sends "hello" gets the message back at once (a snapshot on connect). The benches
load a real Podium frame, so both sides send the very same bytes.

    python -m bench.bare_server [--backlog N]   (prints its port, serves until killed)
"""

from __future__ import annotations

import asyncio
import sys

from websockets.asyncio.server import ServerConnection, broadcast, serve

CLIENTS: set[ServerConnection] = set()
PAYLOAD = ["{}"]


async def handler(ws: ServerConnection) -> None:
    CLIENTS.add(ws)
    try:
        async for msg in ws:
            if isinstance(msg, str) and msg.startswith("load "):
                PAYLOAD[0] = msg[5:]
            elif msg == "go":
                broadcast([c for c in CLIENTS if c is not ws], PAYLOAD[0])
            elif msg == "hello":
                await ws.send(PAYLOAD[0])
    finally:
        CLIENTS.discard(ws)


async def main(backlog: int = 100) -> None:
    async with serve(
        handler, "127.0.0.1", 0, compression=None, max_size=2**24, backlog=backlog
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"port {port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        backlog = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "--backlog" else 100
        asyncio.run(main(backlog))
    except KeyboardInterrupt:
        sys.exit(0)

"""A stand-in for the Hacker News search API, for benchmarks on loopback.

GET /api/v1/search?query=TOPIC answers, after --delay seconds, 200 with 20
hits about TOPIC (about 4 KB of JSON, the fields the apps read plus a few
they ignore). HTTP/1.1 with keep-alive; asyncio, so thousands of calls can
wait at once without threads. Prints "listening on PORT" once ready.

    python3 fake_upstream.py --port 0 --delay 0.1
"""

import argparse
import asyncio
import json
import signal
from urllib.parse import parse_qs, urlsplit


def search_body(topic):
    hits = [{
        "objectID": "%s-%d" % (topic, i),
        "title": "Story %d about %s" % (i, topic),
        "url": "https://example.com/%s/%d" % (topic, i),
        "author": "user%d" % i,
        "points": 100 - i,
        "num_comments": i,
        "created_at": "2026-11-30T12:00:00Z",
        # Every fourth hit lacks a url, as HN's "Ask HN" stories do.
    } for i in range(20)]
    for hit in hits[::4]:
        hit["url"] = None
    return json.dumps({"hits": hits, "nbHits": len(hits), "query": topic}).encode()


async def handle(reader, writer, delay):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, _, headers = head.decode("latin-1").partition("\r\n")
            target = request_line.split(" ")[1]
            topic = parse_qs(urlsplit(target).query).get("query", [""])[0]
            if delay:
                await asyncio.sleep(delay)
            body = search_body(topic)
            close = "connection: close" in headers.lower()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\nConnection: %s\r\n\r\n"
                         % (len(body), b"close" if close else b"keep-alive") + body)
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError, IndexError):
        pass
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds before each answer")
    args = parser.parse_args()

    server = await asyncio.start_server(
        lambda r, w: handle(r, w, args.delay), "127.0.0.1", args.port, backlog=1024)
    print("listening on %d" % server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())

"""A gevent worker switches greenlets only when one would block. A client
whose next request is always already waiting (here: HTTP pipelining, and
under load any busy keep-alive connection) would never block, and would
keep the worker to itself while every other connection waits. The
post_request hook in gunicorn.conf.py yields after each request; these
tests run the real gunicorn with one worker and measure a probe during such
a flood."""

import os
import socket
import threading
import time

from conftest import APP_DIR, http_get

PIPELINED_REQUESTS = 4000
PROBE_LIMIT = 0.100


def probe_during_flood(server):
    """(seconds the flood took, seconds one /healthz probe took meanwhile)."""
    host, port = server.base.rsplit("/", 1)[1].split(":")
    flood = socket.create_connection((host, int(port)), timeout=30)
    answered = threading.Event()

    def drain():
        # Read every answer as it comes, so the worker never waits to send.
        seen, tail = 0, b""
        while seen < PIPELINED_REQUESTS:
            chunk = flood.recv(1 << 16)
            if not chunk:
                break
            data = tail + chunk
            seen += data.count(b"HTTP/1.1 200")
            tail = data[-11:]
        answered.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        started = time.monotonic()
        flood.sendall(b"GET /healthz HTTP/1.1\r\nHost: flood\r\n\r\n" * PIPELINED_REQUESTS)
        time.sleep(0.05)  # the worker is busy with the flood
        probe_started = time.monotonic()
        status, _, _ = http_get(server.base + "/healthz", timeout=30)
        probe = time.monotonic() - probe_started
        assert status == 200
        assert answered.wait(30), "the flood was not answered"
        return time.monotonic() - started, probe
    finally:
        flood.close()


def test_a_client_that_never_waits_does_not_keep_the_worker_from_others(gunicorn):
    server = gunicorn({"GUNICORN_WORKERS": "1"})
    flood, probe = probe_during_flood(server)
    print("flood of %d requests: %.2f s; probe meanwhile: %.1f ms"
          % (PIPELINED_REQUESTS, flood, probe * 1000))
    assert probe < PROBE_LIMIT, "the probe waited %.0f ms behind the flood" % (probe * 1000)


def test_without_the_yield_the_probe_waits_for_the_whole_flood(gunicorn, tmp_path):
    # Negative control: the same configuration without its post_request hook.
    real = os.path.join(APP_DIR, "gunicorn.conf.py")
    without = tmp_path / "without_yield.conf.py"
    without.write_text("__file__ = %r\nexec(compile(open(__file__).read(), __file__, 'exec'))\n"
                       "del post_request\n" % real)
    server = gunicorn({"GUNICORN_WORKERS": "1"}, extra_args=["--config", str(without)])
    flood, probe = probe_during_flood(server)
    assert flood > 2 * PROBE_LIMIT, "the flood is too short to show anything (%.2f s)" % flood
    assert probe > flood / 2, "probe %.0f ms during a %.0f ms flood" % (probe * 1000, flood * 1000)

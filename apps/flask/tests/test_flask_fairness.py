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
# A bound, not a measure: about 2 s idle, 22 s measured with the machine's
# load average at 23.
FLOOD_TIMEOUT = 120
# How many times less than the control's probe (which waits for about half
# the flood or more) the probe may wait.
SPEEDUP = 10


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
        assert answered.wait(FLOOD_TIMEOUT), "the flood was not answered"
        return time.monotonic() - started, probe
    finally:
        flood.close()


def without_yield(tmp_path):
    """gunicorn.conf.py without its post_request hook."""
    real = os.path.join(APP_DIR, "gunicorn.conf.py")
    without = tmp_path / "without_yield.conf.py"
    without.write_text("__file__ = %r\nexec(compile(open(__file__).read(), __file__, 'exec'))\n"
                       "del post_request\n" % real)
    return str(without)


def test_a_client_that_never_waits_does_not_keep_the_worker_from_others(gunicorn, tmp_path):
    # Negative control first, in the same test so on the same machine under
    # the same load: the same configuration without its post_request hook.
    control = gunicorn({"GUNICORN_WORKERS": "1"}, extra_args=["--config", without_yield(tmp_path)])
    flood, waited = probe_during_flood(control)
    control.stop()
    print("without the yield: flood %.2f s; probe meanwhile %.1f ms" % (flood, waited * 1000))
    assert waited > flood / 2, "probe %.0f ms during a %.0f ms flood: the control shows nothing" % (
        waited * 1000, flood * 1000)

    server = gunicorn({"GUNICORN_WORKERS": "1"})
    flood, probe = probe_during_flood(server)
    print("with it: flood %.2f s; probe meanwhile %.1f ms" % (flood, probe * 1000))
    assert probe < waited / SPEEDUP, "the probe waited %.0f ms behind the flood, the control %.0f ms" % (
        probe * 1000, waited * 1000)

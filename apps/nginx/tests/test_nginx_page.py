"""Run Debian's nginx with apps/nginx/nginx.conf on a free loopback port.

The shipped config is what the image uses (port 8080, /usr/share/nginx/html,
/tmp); the test rewrites a copy so that it runs from a private temp dir, and
checks that each rewrite really happened so the test and the config cannot
silently drift apart.

Needs: apt-get install -y nginx-light   (or nginx)
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

APP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NGINX_CONF = os.path.join(APP_DIR, "nginx.conf")
INDEX_HTML = os.path.join(APP_DIR, "index.html")
SEED_H1 = "<h1> test nginx web page </h1>"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


def _nginx_binary(missing_tool):
    for candidate in ("/usr/sbin/nginx", shutil.which("nginx")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    missing_tool("nginx is not installed (apt-get install -y nginx-light)")


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _replace_once(text, old, new):
    count = text.count(old)
    assert count == 1, "expected exactly one %r in nginx.conf, found %d" % (old, count)
    return text.replace(old, new)


def _rewrite_config(conf, port, prefix):
    # /tmp first: the prefix itself lives under /tmp.
    directives = [l for l in conf.splitlines() if not l.strip().startswith("#")]
    tmp_lines = [l for l in directives if "/tmp" in l]
    assert len(tmp_lines) == 6, "pid + 5 temp paths expected under /tmp: %r" % tmp_lines
    assert all(l.count(" /tmp/") == 1 for l in tmp_lines), tmp_lines
    conf = conf.replace(" /tmp/", " %s/run/" % prefix)
    conf = _replace_once(conf, "listen 8080;", "listen 127.0.0.1:%d;" % port)
    conf = _replace_once(conf, "root /usr/share/nginx/html;",
                         "root %s/html;" % prefix)
    return conf


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url, timeout=5.0):
    try:
        with _OPENER.open(url, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def _read(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def test_shipped_files_match_the_image_contract():
    with open(INDEX_HTML, encoding="utf-8") as fh:
        assert SEED_H1 in fh.read()
    conf = _read(NGINX_CONF)
    assert "listen 8080;" in conf
    assert "pid /tmp/nginx.pid;" in conf
    for line in conf.splitlines():
        assert not line.strip().startswith("user "), "no user directive: runs as non-root"
    dockerfile = _read(os.path.join(APP_DIR, "Dockerfile"))
    assert "FROM nginxinc/nginx-unprivileged:1." in dockerfile
    assert ":latest" not in dockerfile
    # A UID/GID above 10000, the Deployment's runAsUser (stacks/workloads.go).
    assert "\nUSER 10101:10101\n" in dockerfile
    assert "\nEXPOSE 8080\n" in dockerfile


@pytest.fixture
def prefix():
    # Not under pytest's tmp_path (mode 0700): when the test runs as root,
    # nginx workers run as "nobody" and must be able to traverse it.
    path = tempfile.mkdtemp(prefix="nginx-test-")
    os.chmod(path, 0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_nginx_serves_page_health_and_404(prefix, missing_tool):
    nginx = _nginx_binary(missing_tool)
    port = _free_port()
    os.makedirs(os.path.join(prefix, "html"))
    os.makedirs(os.path.join(prefix, "run"))
    os.chmod(os.path.join(prefix, "html"), 0o755)
    shutil.copy(INDEX_HTML, os.path.join(prefix, "html", "index.html"))
    os.chmod(os.path.join(prefix, "html", "index.html"), 0o644)

    conf_path = os.path.join(prefix, "nginx.conf")
    with open(conf_path, "w", encoding="utf-8") as fh:
        fh.write(_rewrite_config(_read(NGINX_CONF), port, prefix))

    out_path = os.path.join(prefix, "stdout.log")
    err_path = os.path.join(prefix, "stderr.log")
    base_cmd = [nginx, "-p", prefix + "/", "-c", conf_path, "-e", "stderr"]

    check = subprocess.run(base_cmd + ["-t"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=30)
    assert check.returncode == 0, check.stdout.decode(errors="replace")

    out, err = open(out_path, "wb"), open(err_path, "wb")
    proc = subprocess.Popen(base_cmd + ["-g", "daemon off;"], stdout=out,
                            stderr=err, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail("nginx exited early (rc=%s):\n%s"
                            % (proc.returncode, _read(err_path)))
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("nginx did not listen within %ss:\n%s"
                                % (START_TIMEOUT, _read(err_path)))
                time.sleep(0.05)

        base = "http://127.0.0.1:%d" % port

        status, headers, body = _get(base + "/")
        assert status == 200
        assert SEED_H1 in body
        assert headers["Content-Type"].startswith("text/html")
        assert headers.get("Server") == "nginx", "server_tokens off hides the version"

        status, _, body = _get(base + "/index.html")
        assert status == 200 and SEED_H1 in body

        status, headers, body = _get(base + "/healthz")
        assert status == 200
        assert body == "ok\n"
        assert headers["Content-Type"].startswith("text/plain")

        status, headers, body = _get(base + "/readyz")
        assert status == 200
        assert body == "ready\n"
        assert headers["Content-Type"].startswith("text/plain")

        status, _, _ = _get(base + "/missing")
        assert status == 404

        # Without the page, nginx is alive but not ready.
        os.remove(os.path.join(prefix, "html", "index.html"))
        status, _, body = _get(base + "/readyz")
        assert status == 503 and body == "no page\n"
        status, _, body = _get(base + "/healthz")
        assert status == 200 and body == "ok\n"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)  # graceful, like the image's STOPSIGNAL
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        out.close()
        err.close()

    access_log = _read(out_path)
    # One JSON object per line on stdout.
    records = [json.loads(line) for line in access_log.splitlines() if line.strip()]
    seen = {(r["method"], r["path"], r["status"]) for r in records}
    assert ("GET", "/", 200) in seen, access_log
    assert ("GET", "/missing", 404) in seen, access_log
    assert all(r["remote_addr"] == "127.0.0.1" for r in records)
    assert not any(r["path"] in ("/healthz", "/readyz") for r in records), \
        "probes are not access-logged"


@pytest.mark.parametrize("require, outcome", [
    ("1", pytest.fail.Exception),
    ("", pytest.skip.Exception),  # negative control: a developer's machine
])
def test_a_missing_nginx_fails_under_require_tools(monkeypatch, missing_tool, require, outcome):
    """CI (EKS_WORKSHOP_REQUIRE_TOOLS=1) cannot pass with the nginx test skipped."""
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    monkeypatch.setattr(shutil, "which", lambda name, *a, **kw: None)
    monkeypatch.setenv("EKS_WORKSHOP_REQUIRE_TOOLS", require)
    # Both kinds caught: a skip must fail this test, not skip it.
    with pytest.raises((pytest.fail.Exception, pytest.skip.Exception),
                       match="nginx is not installed") as ended:
        _nginx_binary(missing_tool)
    assert ended.type is outcome

"""Side-by-side benchmark: the workshop's original backend against apps/flask.

Starts, on 127.0.0.1 only, a fake Hacker News upstream that answers after
--delay seconds (fake_upstream.py), then each app in turn against it: the
workshop's app as the workshop runs it (workshop_app.py, Flask's development
server) and apps/flask under its own gunicorn.conf.py with its defaults.
Each gets the same wrk load: --connections connections, topics drawn from
--topics distinct ones with Zipf-like popularity (zipf.lua), first for
--warmup seconds (a freshly started app: cold cache), then, measured, for
--duration seconds (the app as it runs in steady state). Both phases are
printed, the ratio is of the measured one. The default warm-up is the flask
app's CACHE_TTL_SECONDS, so the measured phase includes answers expiring and
being renewed. The machine may be shared and noisy: compare only the figures
of one run with each other.

    /usr/bin/python3 apps/bench/run.py                         # the issue's workload
    /usr/bin/python3 apps/bench/run.py --warmup 5 --duration 5 # a quicker look

Needs wrk (apt-get install wrk) and the Debian packages the tests use.
Throughput counts 2xx answers only; every non-2xx answer and socket error is
printed. Takes about 2 x (warmup + duration + 10) seconds; every wait is
bounded.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FLASK_DIR = os.path.join(os.path.dirname(HERE), "flask")
START_TIMEOUT = 30.0
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A child in its own process group (the workshop app's reloader forks),
    output to a log file, stopped with SIGTERM then SIGKILL."""

    def __init__(self, name, cmd, logdir, env=None, cwd=None):
        self.name = name
        self.log_path = os.path.join(logdir, name + ".log")
        self._log = open(self.log_path, "wb")
        child_env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        child_env.update(env or {})
        self.proc = subprocess.Popen(cmd, env=child_env, cwd=cwd, stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)

    def stop(self):
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            if self.proc.poll() is not None:
                break
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(timeout=wait)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        self._log.close()

    def wait_http(self, url):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with _OPENER.open(url, timeout=5) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        with open(self.log_path, errors="replace") as fh:
            sys.exit("%s did not answer %s within %ss:\n%s"
                     % (self.name, url, START_TIMEOUT, fh.read()[-3000:]))


def seconds(text):
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(url, args, duration):
    env = dict(os.environ, BENCH_TOPICS=str(args.topics), BENCH_ZIPF_S=str(args.zipf))
    cmd = ["wrk", "-t%d" % args.threads, "-c%d" % args.connections,
           "-d%ds" % duration, "--timeout", "10s", "--latency",
           "-s", os.path.join(HERE, "zipf.lua"), url]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True,
                         timeout=duration + 60).stdout
    total, elapsed = re.search(r"(\d+) requests in ([\d.]+\w+)", out).groups()
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    result = {
        "requests": int(total),
        "elapsed": seconds(elapsed),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "none",
    }
    for pct in ("50", "99"):
        result["p" + pct] = seconds(re.search(r"^\s+%s%%\s+(\S+)" % pct, out, re.M).group(1))
    result["ok_per_s"] = (result["requests"] - result["non_2xx"]) / result["elapsed"]
    return result


def cpu_seconds(pgid):
    """CPU time (user + system) used so far by the live processes of a group."""
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % pid) as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def bench(name, args, logdir, port, cmd, env, ready_path, cwd=None):
    """Start one app listening on port, wait for ready_path, load it for the
    warm-up and then the measured phase, stop it: (warm-up, measured).
    Also counts the CPU time the app used under load: on a busy machine, 2xx
    answers per CPU second compare the apps where wall-clock figures can't."""
    app = Process(name, cmd, logdir, env=env, cwd=cwd)
    try:
        base = "http://127.0.0.1:%d" % port
        app.wait_http(base + ready_path)
        phases = []
        for duration in (args.warmup, args.duration):
            if duration == 0:
                phases.append(None)
                continue
            cpu_before = cpu_seconds(app.proc.pid)
            result = run_wrk(base, args, duration)
            result["cpu"] = cpu_seconds(app.proc.pid) - cpu_before
            result["ok_per_cpu_s"] = (result["requests"] - result["non_2xx"]) / max(result["cpu"], 0.01)
            phases.append(result)
        return phases
    finally:
        app.stop()


def bench_workshop(args, upstream, logdir):
    port = free_port()
    return bench("workshop", args, logdir, port, [sys.executable, os.path.join(HERE, "workshop_app.py")],
                 {"WORKSHOP_UPSTREAM_BASE_URL": upstream,
                  "WORKSHOP_HOST": "127.0.0.1", "WORKSHOP_PORT": str(port)},
                 "/contents/ready")


def bench_flask(args, upstream, logdir):
    port = free_port()
    return bench("flask", args, logdir, port, [sys.executable, "-m", "gunicorn", "--config",
                                                os.path.join(FLASK_DIR, "gunicorn.conf.py")],
                 {"GUNICORN_BIND": "127.0.0.1:%d" % port, "UPSTREAM_BASE_URL": upstream},
                 "/healthz", cwd=logdir)


def report(name, r):
    print("%-18s %9.1f %9.0f %8.3f %8.3f %8d %7.1f %10.0f  %s" % (
        name, r["ok_per_s"], r["requests"], r["p50"], r["p99"], r["non_2xx"], r["cpu"],
        r["ok_per_cpu_s"], r["socket_errors"]))


def flask_cache_ttl():
    """The flask app's default CACHE_TTL_SECONDS, read from its settings."""
    sys.path.insert(0, FLASK_DIR)
    try:
        from app import SETTINGS
    finally:
        sys.path.remove(FLASK_DIR)
    return int(SETTINGS["CACHE_TTL_SECONDS"][1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=int, default=flask_cache_ttl(),
                        help="seconds of load before the measured phase (0: none); "
                        "default: the flask app's CACHE_TTL_SECONDS")
    parser.add_argument("--duration", type=int, default=20, help="seconds of measured load per app")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--zipf", type=float, default=1.0, help="Zipf exponent s")
    parser.add_argument("--delay", type=float, default=0.1, help="upstream answer delay, seconds")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    with tempfile.TemporaryDirectory(prefix="flask-bench-") as logdir:
        upstream = Process("upstream", [sys.executable, "-u", os.path.join(HERE, "fake_upstream.py"),
                                        "--delay", str(args.delay)], logdir)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            port = None
            while port is None and time.monotonic() < deadline:
                with open(upstream.log_path) as fh:
                    match = re.search(r"listening on (\d+)", fh.read())
                port = match and match.group(1)
                time.sleep(0.1)
            if port is None:
                sys.exit("the fake upstream did not start")
            upstream_url = "http://127.0.0.1:%s" % port
            print("workload: upstream answers after %gs, %d connections, %d topics (Zipf s=%g), "
                  "per app %ds of warm-up then %ds measured" % (
                      args.delay, args.connections, args.topics, args.zipf, args.warmup,
                      args.duration), flush=True)
            workshop_warmup, workshop = bench_workshop(args, upstream_url, logdir)
            flask_warmup, flask = bench_flask(args, upstream_url, logdir)
        finally:
            upstream.stop()

    print("%-18s %9s %9s %8s %8s %8s %7s %10s  %s" % (
        "app", "2xx/s", "requests", "p50 s", "p99 s", "non-2xx", "cpu s", "2xx/cpu-s",
        "socket errors"))
    if args.warmup:
        report("workshop (warm-up)", workshop_warmup)
        report("flask (warm-up)", flask_warmup)
    report("workshop", workshop)
    report("flask", flask)
    print("ratio flask/workshop: %.2fx throughput; p99 %.3f s vs %.3f s (%s); "
          "%.2fx answers per CPU second" % (
              flask["ok_per_s"] / workshop["ok_per_s"], flask["p99"], workshop["p99"],
              "lower" if flask["p99"] < workshop["p99"] else "NOT lower",
              flask["ok_per_cpu_s"] / workshop["ok_per_cpu_s"]))
    print("load average after the run: %.1f (%d CPUs)" % (os.getloadavg()[0], os.cpu_count()))


if __name__ == "__main__":
    main()

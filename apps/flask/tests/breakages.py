"""Deliberate breakages of apps/flask, each caught by the tests named with it.

Python has no mutation tool here, so this is the hand-made list: each entry
changes one thing the app promises, and the tests named must then fail. For
each, apps/ is copied to a temporary directory, the change is made there
(the text must occur exactly once, so the list cannot go stale silently),
and the named tests run on the copy. The unbroken copy must pass the same
tests first (the negative control).

    /usr/bin/python3 apps/flask/tests/breakages.py        # from the repository root
"""

import os
import shutil
import subprocess
import sys
import tempfile

APPS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

RESILIENCE = "flask/tests/test_flask_resilience.py::"
APP = "flask/tests/test_flask_app.py::"

# (what it breaks, file under apps/, text, replacement, tests that must fail)
BREAKAGES = [
    ("an answer's age counts from the end of its upstream call",
     "flask/app.py",
     "            born = self.clock()\n            try:\n                hits = self.client.search(topic)\n",
     "            try:\n                hits = self.client.search(topic)\n                born = self.clock()\n",
     [RESILIENCE + "test_an_answer_expires_at_the_start_of_its_call_plus_the_ttl"]),
    ("the cache stores answers already TTL old, and with TTL 0",
     "flask/resilience.py",
     "        if self.ttl <= 0 or self._clock() - born >= self.ttl:\n            return\n",
     "",
     [RESILIENCE + "test_an_answer_older_than_the_ttl_on_arrival_is_not_stored",
      RESILIENCE + "test_ttl_0_stores_nothing"]),
    ("an answer exactly TTL old is still served",
     "flask/resilience.py",
     "            if age >= self.ttl:",
     "            if age > self.ttl:",
     [RESILIENCE + "test_an_answer_is_served_from_the_cache_until_it_is_ttl_old"]),
    ("an answer due for renewal is never renewed",
     "flask/app.py",
     "                self.renewer.ask(topic)\n",
     "                pass\n",
     [RESILIENCE + "test_an_answer_due_for_renewal_is_served_while_one_background_call_renews_it"]),
    ("a request waits for a free upstream slot instead of 503",
     "flask/app.py",
     "self.slots.acquire(blocking=False)",
     "self.slots.acquire(blocking=True)",
     [RESILIENCE + "test_saturated_upstream_calls_answer_503_at_once"]),
    ("the breaker stays open one instant past its open time",
     "flask/resilience.py",
     "        if self._clock() - self._opened_at < self.open_seconds:",
     "        if self._clock() - self._opened_at <= self.open_seconds:",
     [RESILIENCE + "test_the_breaker_lets_one_trial_through_after_its_open_time"]),
    ("/healthz calls the upstream",
     "flask/app.py",
     '    def healthz():\n        return jsonify({"status": "ok"})',
     '    def healthz():\n        service.get("healthz")\n        return jsonify({"status": "ok"})',
     [APP + "test_healthz_never_calls_upstream"]),
    ("hits without a url are kept",
     "flask/app.py",
     "        if title and url:",
     "        if title:",
     [APP + "test_contents_filters_hits_and_keeps_the_workshop_shape"]),
    ("a 503 says nothing of when to retry",
     "flask/app.py",
     '            response.headers["Retry-After"] = str(reply.retry_after)\n',
     "            pass\n",
     [RESILIENCE + "test_saturated_upstream_calls_answer_503_at_once"]),
    ("gunicorn does not yield after a request",
     "flask/gunicorn.conf.py",
     "def post_request(",
     "def _post_request(",
     ["flask/tests/test_flask_fairness.py::"
      "test_a_client_that_never_waits_does_not_keep_the_worker_from_others"]),
]


def pytest(root, tests):
    """pytest's exit status for the tests, in the copy at root."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"] + tests,
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"), timeout=600).returncode


def copy_apps(into):
    root = os.path.join(into, "apps")
    shutil.copytree(APPS, root, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return root


def main():
    failures = []
    with tempfile.TemporaryDirectory(prefix="breakages-") as tmp:
        control = copy_apps(os.path.join(tmp, "control"))
        every_test = sorted({t for *_, tests in BREAKAGES for t in tests})
        if pytest(control, every_test) != 0:
            print("the named tests fail with nothing broken: fix them first")
            return 1
        for i, (what, path, text, replacement, tests) in enumerate(BREAKAGES):
            root = copy_apps(os.path.join(tmp, str(i)))
            with open(os.path.join(root, path), encoding="utf-8") as fh:
                source = fh.read()
            if source.count(text) != 1:
                failures.append(what)
                print("STALE   %s: %s no longer has the text to break" % (what, path))
                continue
            with open(os.path.join(root, path), "w", encoding="utf-8") as fh:
                fh.write(source.replace(text, replacement))
            for test in tests:
                caught = pytest(root, [test]) != 0
                if not caught:
                    failures.append(what)
                print("%s %s -> %s" % ("caught " if caught else "MISSED ", what, test.split("::")[1]))
            shutil.rmtree(root)
    if failures:
        print("%d breakage(s) not caught" % len(failures))
        return 1
    print("every breakage caught (%d)" % len(BREAKAGES))
    return 0


if __name__ == "__main__":
    sys.exit(main())

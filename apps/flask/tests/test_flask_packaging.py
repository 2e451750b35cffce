"""Static checks of the image recipe (no Docker engine needed): pinned base
image and requirements, non-root numeric user, and that the image gets every
module the app imports and none of the tests."""

import ast
import fnmatch
import os
import re

APP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _read(name):
    with open(os.path.join(APP_DIR, name), encoding="utf-8") as fh:
        return fh.read()


def _instructions():
    text = _read("Dockerfile").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), " ".join(rest.split())))
    return out


def test_requirements_are_exact_pins():
    pins = {}
    for line in _read("requirements.txt").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\d+(?:\.\d+)+)", line)
        assert match, "not an exact pin: %r" % line
        pins[match.group(1).lower()] = match.group(2)
    assert set(pins) == {"flask", "werkzeug", "requests", "gunicorn", "gevent"}
    assert pins["flask"].startswith("3.") and pins["werkzeug"].startswith("3.")


def test_dockerfile_is_pinned_non_root_and_runs_gunicorn():
    instr = _instructions()
    froms = [rest for kw, rest in instr if kw == "FROM"]
    assert len(froms) == 1
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-[a-z]+", froms[0]), froms[0]

    envs = " ".join(rest for kw, rest in instr if kw == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in envs and "PYTHONUNBUFFERED=1" in envs

    runs = " ".join(rest for kw, rest in instr if kw == "RUN")
    assert "pip install --no-cache-dir -r requirements.txt" in runs
    assert "--uid 10001" in runs

    users = [rest for kw, rest in instr if kw == "USER"]
    assert users and users[-1] == "10001"
    assert ("EXPOSE", "8080") in instr

    cmd = [rest for kw, rest in instr if kw == "CMD"]
    assert len(cmd) == 1
    assert cmd[0] == '["gunicorn", "--config", "/app/gunicorn.conf.py"]'
    assert "flask run" not in _read("Dockerfile").lower()


def test_image_gets_every_app_module_and_no_tests():
    copied = []
    for kw, rest in _instructions():
        if kw == "COPY":
            copied.extend(rest.split()[:-1])
    ignored = [p.strip() for p in _read(".dockerignore").splitlines()
               if p.strip() and not p.startswith("#")]

    def is_ignored(name):
        return any(fnmatch.fnmatch(name, pat.rstrip("/")) or
                   name.startswith(pat.rstrip("/") + "/") for pat in ignored)

    for name in copied:
        assert os.path.exists(os.path.join(APP_DIR, name)), name
        assert not is_ignored(name), "%s is COPYed but .dockerignore'd" % name
    assert is_ignored("tests") and is_ignored("conftest.py")

    # Local modules imported by the code that runs in the image.
    local = {f[:-3] for f in os.listdir(APP_DIR) if f.endswith(".py")}
    assert "app.py" in copied and "gunicorn.conf.py" in copied
    for name in (c for c in copied if c.endswith(".py")):
        tree = ast.parse(_read(name))
        for node in ast.walk(tree):
            mods = []
            if isinstance(node, ast.Import):
                mods = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module.split(".")[0]]
            for mod in mods:
                if mod in local:
                    assert mod + ".py" in copied, "%s imports %s, not in image" % (name, mod)

"""Fixtures shared by every test under apps/ (pytest's rootdir, see pytest.ini)."""

import os

import pytest

# The variable that tools/test.sh and CI set, as internal/tools.Require reads it.
REQUIRE_TOOLS = "EKS_WORKSHOP_REQUIRE_TOOLS"


@pytest.fixture
def missing_tool():
    """missing_tool(message) ends the test for want of a program (gunicorn,
    nginx): a skip on a developer's machine, a failure under
    EKS_WORKSHOP_REQUIRE_TOOLS=1, so a run meant to cover everything cannot
    pass with tests skipped."""

    def _missing(message):
        if os.environ.get(REQUIRE_TOOLS) == "1":
            pytest.fail("%s, and %s=1" % (message, REQUIRE_TOOLS), pytrace=False)
        pytest.skip(message)

    return _missing

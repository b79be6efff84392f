import pytest

from .support import started


@pytest.fixture(scope="module")
def server():
    """One mock per test module, on a real socket."""
    server = started()
    yield server
    server.stop()

"""A real S3 protocol server for tests: moto's threaded server on a free local port.

Import the fixture into a conftest (``from tests.s3_server import s3_server  # noqa: F401``).
It sets fake AWS credentials in the environment for the whole session and answers the endpoint URL.
Buckets are shared by the session: create your own (3+ characters) and use a fresh prefix per test.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

S3_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """Start moto's S3 server once per session on 127.0.0.1 (free port); yield its endpoint URL."""
    from moto.server import ThreadedMotoServer

    request_log = logging.getLogger("werkzeug")  # one INFO line per request otherwise
    level = request_log.level
    with pytest.MonkeyPatch.context() as mp:
        for name, value in S3_TEST_ENV.items():
            mp.setenv(name, value)
        request_log.setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield f"http://{host}:{port}"
        finally:
            server.stop()
            request_log.setLevel(level)

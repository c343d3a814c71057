"""TLS and authentication against the secure nodes scripts/run-tests starts:
127.0.0.21 (PasswordAuthenticator, TLS optional) and 127.0.0.22 (TLS with
client certificates required). Selected with -m secure; the default run
deselects them (python/run-tests runs them in the security phase)."""

import os
import ssl

import pytest

from async_cassandra import AsyncCluster
from async_cassandra.exceptions import ConnectionError

pytestmark = pytest.mark.secure

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AUTH_HOST = os.environ.get("AC_SECURE_HOST", "127.0.0.21")
MTLS_HOST = os.environ.get("AC_MTLS_HOST", "127.0.0.22")
AUTH_TLS = os.environ.get("AC_SECURE_TLS_DIR", os.path.join(ROOT, ".cassandra-secure", "tls"))
MTLS_TLS = os.environ.get("AC_MTLS_TLS_DIR", os.path.join(ROOT, ".cassandra-secure2", "tls"))
USER = os.environ.get("AC_SECURE_USER", "cassandra")
PASSWORD = os.environ.get("AC_SECURE_PASSWORD", "cassandra")


async def test_password_authentication():
    async with AsyncCluster.create_with_auth([AUTH_HOST], USER, PASSWORD) as cluster:
        session = await cluster.connect()
        assert (await session.execute("SELECT key FROM system.local")).one().key == "local"


async def test_wrong_password_is_refused():
    cluster = AsyncCluster.create_with_auth([AUTH_HOST], USER, PASSWORD + "-wrong")
    with pytest.raises(ConnectionError) as info:
        await cluster.connect()
    assert f"Provided username {USER} and/or password are incorrect" in str(info.value)
    await cluster.shutdown()


async def test_missing_credentials_are_refused():
    cluster = AsyncCluster([AUTH_HOST])
    with pytest.raises(ConnectionError) as info:
        await cluster.connect()
    assert "PasswordAuthenticator" in str(info.value)
    await cluster.shutdown()


async def test_tls_with_authentication():
    options = {"ca_certs": os.path.join(AUTH_TLS, "ca.pem")}
    async with AsyncCluster.create_with_auth([AUTH_HOST], USER, PASSWORD, ssl_options=options) as cluster:
        session = await cluster.connect()
        assert (await session.execute("SELECT key FROM system.local")).one().key == "local"


async def test_tls_refuses_an_untrusted_server():
    context = ssl.create_default_context()  # the system's CAs: they do not know the test CA
    cluster = AsyncCluster.create_with_auth([AUTH_HOST], USER, PASSWORD, ssl_context=context)
    with pytest.raises(ConnectionError) as info:
        await cluster.connect()
    assert "certificate verify failed" in str(info.value)
    await cluster.shutdown()


async def test_mutual_tls():
    options = {"ca_certs": os.path.join(MTLS_TLS, "ca.pem"), "certfile": os.path.join(MTLS_TLS, "client.pem"),
               "keyfile": os.path.join(MTLS_TLS, "client.key")}
    async with AsyncCluster([MTLS_HOST], ssl_options=options) as cluster:
        session = await cluster.connect()
        assert (await session.execute("SELECT key FROM system.local")).one().key == "local"
    without_cert = AsyncCluster([MTLS_HOST], ssl_options={"ca_certs": os.path.join(MTLS_TLS, "ca.pem")})
    with pytest.raises(ConnectionError) as info:
        await without_cert.connect()
    assert "certificate required" in str(info.value)
    await without_cert.shutdown()

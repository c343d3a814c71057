"""cql-sim (tools/cql-sim) as a subprocess, for tests that need server
errors a real node does not give on demand (read and write timeouts, ...).
python/run-tests builds it and sets AC_CQL_SIM."""

import os
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

_DEFAULT = Path(__file__).resolve().parents[2] / "build-python" / "lib" / "tools" / "cql-sim" / "cql-sim"


def binary():
    path = os.environ.get("AC_CQL_SIM")
    if path:
        if not os.access(path, os.X_OK):
            raise RuntimeError(f"AC_CQL_SIM={path} is not an executable (python/run-tests builds it)")
        return path
    if os.access(_DEFAULT, os.X_OK):
        return str(_DEFAULT)
    pytest.skip("cql-sim is not built (python/run-tests builds it; or set AC_CQL_SIM)")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sim:
    """cql-sim serving ``rules`` (cql_sim/rules_file.hpp) on 127.0.0.1..nodes, one port."""

    def __init__(self, rules: str, nodes: int = 1):
        self.nodes = nodes
        self._rules = tempfile.NamedTemporaryFile("w", suffix=".rules", delete=False)
        self._rules.write(rules)
        self._rules.close()
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [binary(), "--port", str(self.port), "--nodes", str(nodes), "--rules", self._rules.name],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seen = []
        while len(seen) < nodes:
            line = self.proc.stdout.readline()
            if not line:
                self.close()
                raise RuntimeError("cql-sim did not start: " + "".join(seen))
            if line.startswith("listening on"):
                seen.append(line)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        os.unlink(self._rules.name)

"""Live server under hostile input: DNS rebinding, deeply nested JSON, unbounded history,
viewers that disconnect."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import time

import numpy as np
import pytest
from click.testing import CliRunner

from spacekit.cli import main as cli_main
from spacekit.exceptions import DataError, InputError
from spacekit.visualization import DashboardServer
from spacekit.visualization.server import read_history
from spacekit.visualization.server.hosts import host_allowed, parse_host_header
from spacekit.visualization.server.store import MetricStore


@pytest.fixture
def server():
    with DashboardServer() as srv:
        yield srv


def request(server, method, path, host, body=None, content_type="application/json"):
    """Send one request with an explicit Host header; return (status, parsed body)."""
    port = int(server.url.rstrip("/").rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        if body is not None:
            conn.putheader("Content-Type", content_type)
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


# ------------------------------------------------------------- 1. DNS rebinding
def test_rebinding_host_starting_with_127_is_refused(server):
    """Defect: any Host starting with '127.' was accepted and a POST was stored."""
    status, answer = request(
        server, "POST", "/api/metrics", "127.rebind.attacker.example", b'{"loss": 1}'
    )
    assert status == 403 and "127.rebind.attacker.example" in answer["message"]
    assert server.history() == []
    status, _ = request(server, "POST", "/api/metrics", "127.0.0.1:8050", b'{"loss": 1}')
    assert status == 201 and len(server.history()) == 1


ACCEPTED = ["localhost", "LOCALHOST", "[::1]", "127.0.0.1", "127.255.0.7"]
REFUSED = [
    "127.rebind.attacker.example",
    "127.0.0.1.attacker.example",
    "localhost.attacker.example",
    "attacker.example",
    "127.1",
    "2130706433",
    "0x7f.0.0.1",
    "127.0.0.256",
    "128.0.0.1",
    "[::ffff:127.0.0.1]",
    "[::1].attacker.example",
    "127.0.0.1 evil",
    "127.0.0.1:80:80",
    "127.0.0.1:http",
    "::1",
    "",
    None,
]


@pytest.mark.parametrize("seed", range(4))
def test_host_header_property(seed):
    rng = np.random.default_rng(seed)
    for _ in range(40):
        good = str(rng.choice(ACCEPTED))
        if good == "127.255.0.7":
            good = ".".join(["127"] + [str(int(v)) for v in rng.integers(0, 256, 3)])
        port = f":{int(rng.integers(1, 65536))}" if rng.random() < 0.6 else ""
        assert host_allowed(good + port), good + port
        bad = REFUSED[int(rng.integers(len(REFUSED)))]
        if bad is not None and rng.random() < 0.5:
            bad = bad + port
        assert not host_allowed(bad), bad
        label = "".join(rng.choice(list("abcdefghij0123456789-"), size=int(rng.integers(1, 12))))
        assert not host_allowed(f"127.{label}.example{port}")
        assert host_allowed(f"box.lan{port}", frozenset({"box.lan"}))
        assert not host_allowed(f"box.lan.{label}{port}", frozenset({"box.lan"}))


def test_allowed_hosts_on_a_live_server():
    with DashboardServer(allowed_hosts=["Box.LAN"]) as srv:
        assert request(srv, "GET", "/healthz", "box.lan:8050")[0] == 200
        assert request(srv, "GET", "/healthz", "localhost")[0] == 200
        assert request(srv, "GET", "/healthz", "other.lan")[0] == 403
    with pytest.raises(InputError, match="not a host name"):
        DashboardServer(allowed_hosts=["http://x/"])
    assert parse_host_header("[::1]:8050") == "[::1]"


# ------------------------------------------------------------- 4. nested JSON
def test_deeply_nested_post_is_a_400(server, caplog):
    """Defect: '[' * 100,000 raised RecursionError and the connection was dropped."""
    caplog.set_level(logging.DEBUG, logger="spacekit")
    status, answer = request(server, "POST", "/api/metrics", "localhost", b"[" * 100_000)
    assert status == 400 and "levels deep" in answer["message"]
    assert request(server, "GET", "/healthz", "localhost")[0] == 200  # still serving
    assert "RecursionError" not in caplog.text


@pytest.mark.parametrize("seed", range(3))
def test_nested_bodies_property(server, seed):
    rng = np.random.default_rng(seed)
    for depth in [*rng.integers(2, 8, 3), *rng.integers(1000, 200_000, 3)]:
        opens = rng.choice([b"[", b'{"a":'], size=int(depth))
        body = b"".join(opens)
        if rng.random() < 0.5:  # sometimes a complete, well-formed document
            body += b"1" + b"".join(b"]" if o == b"[" else b"}" for o in opens[::-1])
        status, _ = request(server, "POST", "/api/metrics", "localhost", body)
        assert status == 400
    assert server.history() == []


def test_deeply_nested_history_file(tmp_path, caplog):
    path = tmp_path / "h.json"
    path.write_text('{"format": "spacekit-training-history", "x": ' + "[" * 100_000)
    with pytest.raises(DataError, match="levels deep"):
        read_history(path)
    res = CliRunner().invoke(cli_main, ["viz", "serve", str(path), "--duration", "0"])
    assert res.exit_code == 1 and "levels deep" in res.output and "Traceback" not in res.output
    caplog.set_level(logging.WARNING, logger="spacekit")
    with DashboardServer() as srv:
        srv.follow(path, poll_interval=0.05)
        time.sleep(0.5)  # about ten polls
    warnings_ = [r for r in caplog.records if "cannot read" in r.getMessage()]
    assert len(warnings_) == 1 and not any(r.exc_info for r in caplog.records)


# ------------------------------------------------------------- 5. bounded history
def test_history_is_bounded_batch_records_first():
    store = MetricStore(max_records=100)
    for epoch in range(1, 6):
        for step in range(40):
            store.add(None, (epoch - 1) * 40 + step, {"loss": 1.0})
        store.add(epoch, None, {"loss": 0.5, "val_loss": 0.6})
    records = store.records()
    assert len(records) <= 100 and store.dropped == 205 - len(records)
    assert [r["epoch"] for r in records if r["epoch"] is not None] == [1, 2, 3, 4, 5]
    seqs = [r["seq"] for r in records]
    assert seqs == sorted(seqs) and seqs[-1] == 204
    assert [r["seq"] for r in store.records(since=200)] == [201, 202, 203, 204]
    assert store.latest()["values"] == {"loss": 0.5, "val_loss": 0.6}


@pytest.mark.parametrize("seed", range(4))
def test_history_bounds_property(seed):
    rng = np.random.default_rng(seed)
    cap = int(rng.integers(10, 200))
    values_cap = int(rng.integers(10, 2000))
    store = MetricStore(max_records=cap, max_values=values_cap)
    added = []
    for i in range(int(rng.integers(50, 1500))):
        n = int(rng.integers(1, 6))
        step = None if rng.random() < 0.2 else i
        rec = store.add(None if step is not None else i, step, {f"m{j}": 1.0 for j in range(n)})
        added.append(rec["seq"])
        assert len(store) <= cap
        kept = store.records()
        assert sum(len(r["metrics"]) for r in kept) <= max(values_cap, 5)
    kept = [r["seq"] for r in store.records()]
    assert kept == sorted(kept) and set(kept) <= set(added) and kept[-1] == added[-1]
    since = int(rng.integers(0, len(added)))
    assert [r["seq"] for r in store.records(since=since)] == [s for s in kept if s > since]


def test_bad_limits():
    with pytest.raises(InputError, match="max_records"):
        MetricStore(max_records=0)
    with pytest.raises(InputError, match="max_records"):
        DashboardServer(max_records=True)


# ------------------------------------------------------------- 5. gone viewers
def _subscribers(server) -> int:
    return request(server, "GET", "/healthz", "localhost")[1]["subscribers"]


def test_disconnected_viewer_is_dropped_promptly(server):
    """Defect: a closed page held its stream slot until the next keep-alive (15 s)."""
    port = int(server.url.rstrip("/").rsplit(":", 1)[1])
    socks = []
    for _ in range(5):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /api/stream HTTP/1.1\r\nHost: localhost\r\n\r\n")
        seen = b""
        while b"event: history" not in seen:
            chunk = sock.recv(65536)
            assert chunk, seen
            seen += chunk
        socks.append(sock)
    deadline = time.monotonic() + 5
    while _subscribers(server) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _subscribers(server) == 5
    start = time.monotonic()
    for sock in socks:
        sock.close()
    while _subscribers(server) and time.monotonic() - start < 5:
        time.sleep(0.05)
    assert _subscribers(server) == 0
    assert time.monotonic() - start < 3.0  # well before the 15 s keep-alive

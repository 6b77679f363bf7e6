"""DashboardServer: REST API, validation, push stream, stop/rebind, following a file."""

import gzip
import http.client
import json
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request

import pytest

from spacekit.exceptions import InputError
from spacekit.visualization import DashboardServer
from spacekit.visualization.server import read_history


@pytest.fixture
def server():
    srv = DashboardServer()
    srv.start()
    yield srv
    srv.stop()


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as resp:
        assert resp.headers["Content-Type"] == "application/json"
        return resp.status, json.loads(resp.read())


def post(url, body, content_type="application/json", headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(
        url + "api/metrics",
        data=data,
        headers={"Content-Type": content_type, **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


class EventStream:
    """A minimal Server-Sent-Events reader over http.client."""

    def __init__(self, url, timeout=5.0):
        host, port = url.split("//")[1].strip("/").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        self.conn.request("GET", "/api/stream")
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        assert self.resp.headers["Content-Type"].startswith("text/event-stream")

    def next_event(self):
        kind, data = None, []
        while True:
            line = self.resp.readline()
            if not line:
                return None  # the server closed the stream
            line = line.decode().rstrip("\n")
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
            elif line == "" and kind:
                return kind, json.loads("".join(data))

    def close(self):
        self.conn.close()


# -- REST ---------------------------------------------------------------------------
def test_rest_history_latest_health(server):
    url = server.url
    assert url.startswith("http://127.0.0.1:")
    server.update_metrics(epoch=0, loss=0.0, accuracy=0.5)
    server.update_metrics(epoch=1, loss=0.25, val_loss=float("nan"))
    status, health = get_json(url + "healthz")
    assert status == 200 and health["status"] == "ok" and health["records"] == 2
    _, hist = get_json(url + "api/history")
    assert hist["count"] == 2
    assert [r["epoch"] for r in hist["records"]] == [0, 1]
    assert hist["records"][0]["metrics"] == {"loss": 0.0, "accuracy": 0.5}
    assert hist["records"][1]["metrics"]["val_loss"] is None  # NaN from Python -> null
    _, since = get_json(url + "api/history?since=0")
    assert [r["seq"] for r in since["records"]] == [1]
    _, latest = get_json(url + "api/latest")
    assert latest["count"] == 2
    assert latest["record"]["epoch"] == 1
    assert latest["values"] == {"loss": 0.25, "accuracy": 0.5}


def test_post_metrics_is_stored_and_visible(server):
    status, body = post(server.url, {"epoch": 3, "step": None, "loss": 0.5, "val/acc": None})
    assert status == 201 and body == {"ok": True, "seq": 0}
    records = server.history()
    assert records[0]["epoch"] == 3 and records[0]["source"] == "rest"
    assert records[0]["metrics"] == {"loss": 0.5, "val/acc": None}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"x" * 101: 1.0}, "1 to 100 characters"),
        ({"bad name": 1.0}, "not allowed"),
        ({"<script>": 1.0}, "not allowed"),
        ({"loss": "0.5"}, "must be a number"),
        ({"loss": True}, "must be a number"),
        ({"loss": [1, 2]}, "must be a number"),
        ({"loss": 1.0, "epoch": -1}, "non-negative integer"),
        ({"loss": 1.0, "step": 1.5}, "non-negative integer"),
        ({"epoch": 2}, "no metrics received"),
        ([1, 2, 3], "JSON object"),
        (b'{"loss": NaN}', "not valid JSON"),
        (b'{"loss": 1e999}', "finite"),
        (b'{"loss": 0.5', "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_post_rejects_bad_bodies_with_400(server, body, fragment):
    status, answer = post(server.url, body)
    assert status == 400, answer
    assert fragment in answer["message"]
    assert server.history() == []


def test_post_too_large_gives_413():
    with DashboardServer(max_body_bytes=200) as srv:
        status, answer = post(srv.url, {"loss": 1.0, "pad_" + "x" * 80: 2.0, "y" * 90: 3.0})
        assert status == 413 and "limit of 200" in answer["message"]
        assert srv.history() == []
        assert post(srv.url, {"loss": 1.0})[0] == 201  # small bodies still work


def test_post_wrong_content_type_gives_415(server):
    status, answer = post(server.url, b"loss=1", content_type="application/x-www-form-urlencoded")
    assert status == 415 and "application/json" in answer["message"]
    status, _ = post(server.url, {"loss": 1}, content_type="application/json; charset=utf-8")
    assert status == 201


def test_unknown_route_method_and_foreign_host(server):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(server.url + "api/nothing", timeout=5)
    assert err.value.code == 404
    req = urllib.request.Request(server.url + "api/metrics", data=b"{}", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 405 and "POST" in err.value.headers["Allow"]
    # DNS-rebinding guard: a loopback server answers only to loopback host names.
    req = urllib.request.Request(server.url + "api/history", headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 403


def test_page_and_local_javascript(server):
    with urllib.request.urlopen(server.url, timeout=5) as resp:
        page = resp.read().decode()
        csp = resp.headers["Content-Security-Policy"]
    assert "static/plotly.min.js" in page and "static/app.js" in page
    assert "http" not in page.split("<body>")[0].replace("http-equiv", "")  # no CDN
    assert "script-src 'self'" in csp
    req = urllib.request.Request(
        server.url + "static/plotly.min.js", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.headers["Content-Encoding"] == "gzip"
        js = gzip.decompress(resp.read())
    assert b"plotly" in js[:2000].lower() and len(js) > 1_000_000
    with urllib.request.urlopen(server.url + "static/app.js", timeout=5) as resp:
        assert b"EventSource" in resp.read()


# -- life cycle -----------------------------------------------------------------------
def test_stop_frees_the_port_and_can_restart():
    srv = DashboardServer()
    url = srv.start()
    port = int(url.rsplit(":", 1)[1].strip("/"))
    assert get_json(url + "healthz")[0] == 200
    srv.stop()
    assert not srv.running and srv.url is None
    srv.stop()  # idempotent
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "healthz", timeout=2)
    # The exact port can be bound again, by a plain socket and by a new server.
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    with DashboardServer(port=port) as again:
        assert again.url == f"http://127.0.0.1:{port}/"
        assert get_json(again.url + "healthz")[0] == 200
    # The first instance restarts with its history intact.
    srv.update_metrics(loss=1.0)
    srv.start()
    try:
        assert get_json(srv.url + "api/history")[1]["count"] == 1
    finally:
        srv.stop()


def test_port_in_use_is_a_clear_error(server):
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    with pytest.raises(InputError, match="cannot serve on 127.0.0.1"):
        DashboardServer(port=port).start()


def test_constructor_validation():
    with pytest.raises(InputError, match="port"):
        DashboardServer(port=70000)
    with pytest.raises(InputError, match="max_body_bytes"):
        DashboardServer(max_body_bytes=0)


def test_blocking_start_returns_after_stop_from_another_thread():
    srv = DashboardServer()
    threading.Timer(0.5, srv.stop).start()
    t0 = time.monotonic()
    url = srv.start(blocking=True)
    assert url.startswith("http://127.0.0.1:")
    assert time.monotonic() - t0 < 5 and not srv.running


# -- push stream ------------------------------------------------------------------
def test_late_joiner_gets_full_history_then_live_updates(server):
    for epoch in range(5):
        server.update_metrics(epoch=epoch, loss=1.0 / (epoch + 1))
    server.update_plots({"curve": {"x": [0, 1], "y": [2, 3]}})
    stream = EventStream(server.url)
    try:
        kind, snap = stream.next_event()
        assert kind == "history"
        assert [r["epoch"] for r in snap["records"]] == [0, 1, 2, 3, 4]
        assert snap["plots"]["curve"]["data"][0]["y"] == [2, 3]
        t0 = time.monotonic()
        server.update_metrics(epoch=5, loss=0.1)
        kind, record = stream.next_event()
        latency = time.monotonic() - t0
        assert kind == "metrics" and record["epoch"] == 5 and record["seq"] == 5
        assert latency < 1.0
        post(server.url, {"epoch": 6, "loss": 0.05})
        assert stream.next_event()[1]["epoch"] == 6
    finally:
        stream.close()


def test_stop_ends_open_streams():
    srv = DashboardServer()
    srv.start()
    stream = EventStream(srv.url)
    assert stream.next_event()[0] == "history"
    t0 = time.monotonic()
    srv.stop()
    assert stream.next_event() is None  # end of stream, not a hang
    assert time.monotonic() - t0 < 3
    stream.close()


def test_number_of_open_streams_is_capped(server, monkeypatch):
    monkeypatch.setattr("spacekit.visualization.server.httpd.MAX_STREAMS", 1)
    first = EventStream(server.url)
    try:
        assert first.next_event()[0] == "history"
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(server.url + "api/stream", timeout=5)
        assert err.value.code == 503
    finally:
        first.close()


def test_concurrent_updates_are_all_kept(server):
    def work(k):
        for i in range(200):
            server.update_metrics(step=k * 1000 + i, loss=float(i))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = server.history()
    assert len(records) == 1600
    assert [r["seq"] for r in records] == list(range(1600))
    assert len({r["step"] for r in records}) == 1600


# -- Python API -----------------------------------------------------------------------
def test_update_metrics_and_plots_validation(server):
    with pytest.raises(InputError, match="not allowed"):
        server.update_metrics(**{"a b": 1.0})
    with pytest.raises(InputError, match="must be a number"):
        server.update_metrics(loss="high")
    with pytest.raises(InputError, match="must be a plotly Figure"):
        server.update_plots({"p": 3})
    with pytest.raises(InputError, match="mapping"):
        server.update_plots([1, 2])
    import numpy as np
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["a", "b"], y=[1.0, float("nan")]))
    server.update_plots({"bars": fig, "line": {"y": np.arange(3)}})
    _, plots = get_json(server.url + "api/plots")
    assert plots["plots"]["bars"]["data"][0]["type"] == "bar"
    assert plots["plots"]["bars"]["data"][0]["y"] == [1.0, None]  # NaN -> null
    assert plots["plots"]["line"]["data"][0]["y"] == [0, 1, 2]


def test_save_dir_writes_a_readable_history(tmp_path):
    with DashboardServer(save_dir=tmp_path / "out") as srv:
        srv.update_metrics(epoch=1, loss=0.5, lr=0.01)
        srv.update_metrics(epoch=2, loss=0.4, lr=0.005)
        srv.update_metrics(step=10, loss=0.45)
        srv.update_plots({"p": {"y": [1, 2]}})
    # one output tree for every visualizer: <save_dir>/server/ like <save_dir>/training/
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["server"]
    hist = read_history(tmp_path / "out" / "server" / "server_history.json")
    assert hist["epochs"] == [1, 2]
    assert hist["metrics"] == {"loss": [0.5, 0.4]}
    assert hist["lr"] == [0.01, 0.005]
    assert hist["batches"] == {"step": [10], "metrics": {"loss": [0.45]}}
    assert (tmp_path / "out" / "server" / "server_plots.json").is_file()


def test_saved_history_merges_records_of_one_epoch(tmp_path):
    # training and validation metrics sent separately used to give epochs [1, 1, 2]
    srv = DashboardServer(save_dir=tmp_path)
    srv.update_metrics(epoch=1, loss=0.5)
    srv.update_metrics(epoch=1, val_loss=0.6)
    srv.update_metrics(epoch=2, loss=0.4, val_loss=0.5)
    srv.update_metrics(step=20, loss=0.41)
    srv.update_metrics(step=10, loss=0.45)
    hist = read_history(srv.save_history())
    assert hist["epochs"] == [1, 2]
    assert hist["metrics"] == {"loss": [0.5, 0.4], "val_loss": [0.6, 0.5]}
    assert hist["batches"] == {"step": [10, 20], "metrics": {"loss": [0.45, 0.41]}}


# -- following a file written by another process -------------------------------------
WRITER = textwrap.dedent(
    """
    import sys, time
    from spacekit.visualization.training_history import TrainingHistory
    path, n, pause, run = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    hist = TrainingHistory(run=run)
    for epoch in range(1, n + 1):
        hist.add_epoch(epoch, {"loss": 1.0 / epoch, "val_loss": 1.5 / epoch}, lr=0.001)
        hist.add_batch(epoch * 10, {"loss": 1.0 / epoch})
        hist.save(path)
        time.sleep(pause)
    """
)


def _wait_for(predicate, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_follow_a_history_written_by_another_process(tmp_path, server):
    path = tmp_path / "runs" / "history.json"
    server.follow(path, poll_interval=0.05)  # the file does not exist yet
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), "6", "0.2", "first"],
        stdin=subprocess.DEVNULL,
    )
    try:
        stream = EventStream(server.url)
        assert stream.next_event()[0] == "history"
        # Epochs arrive while the other process is still writing.
        assert _wait_for(lambda: any(r["epoch"] == 2 for r in server.history()))
        assert writer.poll() is None
        assert writer.wait(timeout=30) == 0
        assert _wait_for(lambda: len([r for r in server.history() if r["epoch"]]) == 6)
        stream.close()
    finally:
        writer.kill()
    epochs = [r for r in server.history() if r["step"] is None]
    assert [r["epoch"] for r in epochs] == [1, 2, 3, 4, 5, 6]
    assert epochs[-1]["metrics"] == {"loss": 1 / 6, "val_loss": 1.5 / 6, "lr": 0.001}
    steps = [r["step"] for r in server.history() if r["step"] is not None]
    assert steps == [10, 20, 30, 40, 50, 60]
    # A new run written to the same file replaces the old one.
    subprocess.run(
        [sys.executable, "-c", WRITER, str(path), "2", "0", "second"], check=True, timeout=60
    )
    assert _wait_for(lambda: [r["epoch"] for r in server.history() if r["epoch"]] == [1, 2])
    assert server.run == "second"


def test_follow_skips_unreadable_file_until_it_is_valid(tmp_path, server):
    path = tmp_path / "h.json"
    path.write_text("{ not json")
    server.follow(path, poll_interval=0.05)
    time.sleep(0.2)
    assert server.history() == []
    path.write_text(
        json.dumps(
            {
                "format": "spacekit-training-history",
                "version": 1,
                "created": "2026-01-01T00:00:00+00:00",
                "updated": "2026-01-01T00:00:00+00:00",
                "run": None,
                "epochs": [1],
                "metrics": {"loss": [0.5], "bad name": [1.0]},
                "batches": {"step": [], "metrics": {}},
                "lr": [None],
            }
        )
    )
    assert _wait_for(lambda: len(server.history()) == 1)
    assert server.history()[0]["metrics"] == {"loss": 0.5, "lr": None}

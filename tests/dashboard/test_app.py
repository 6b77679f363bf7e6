"""The app factory, the WSGI server helper, guarded callbacks and the CLI."""

import re
import socket
import types
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from spacekit.cli import main as cli_main
from spacekit.dashboard import create_dashboard
from spacekit.dashboard._runner import main as runner_main
from spacekit.dashboard.app import create_app
from spacekit.dashboard.components import guarded
from spacekit.dashboard.server import check_port, start_server
from spacekit.exceptions import DataError, InputError


def _page(name, path, order=0, callbacks=None):
    from dash import html

    mod = types.ModuleType(f"testpages.{name}")
    mod.PATH, mod.NAME, mod.ORDER, mod.DESCRIPTION = path, name.title(), order, f"about {name}"
    mod.layout = lambda ctx, **query: html.Div(f"{name}: {ctx}", id=f"page-{name}")
    if callbacks:
        mod.register_callbacks = callbacks
    return mod


def test_create_app_registers_pages_and_callbacks():
    import dash

    seen = []
    home = _page("home", "/")
    other = _page("other", "/other", 1, callbacks=lambda app, ctx: seen.append((app, ctx)))
    app = create_app([other, home], context="ctx-value", title="demo", max_upload_mb=2)
    assert [p["path"] for p in dash.page_registry.values()] == ["/", "/other"]
    assert dash.page_registry["testpages.other"]["description"] == "about other"
    layout = dash.page_registry["testpages.home"]["layout"]()
    assert layout.children == "home: ctx-value"
    assert seen == [(app, "ctx-value")]
    assert app.spacekit_context == "ctx-value"
    assert app.server.config["MAX_CONTENT_LENGTH"] == int(2e6 * 4 / 3) + 1_000_000
    client = app.server.test_client()
    resp = client.get("/")
    assert resp.status_code == 200
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert b"/assets/style.css" in resp.data
    # no external resources: every script and stylesheet is served locally
    refs = re.findall(r'(?:src|href)="([^"]+)"', resp.get_data(as_text=True))
    assert refs and all(r.startswith("/") for r in refs), refs
    assert client.get("/assets/style.css").status_code == 200
    too_big = client.post(
        "/_dash-update-component", data=b"x" * 4_000_000, content_type="application/json"
    )
    assert too_big.status_code == 413


def test_create_app_checks_pages():
    bad = types.ModuleType("testpages.bad")
    with pytest.raises(InputError, match="lacks"):
        create_app([bad])
    with pytest.raises(InputError, match="share a path"):
        create_app([_page("a", "/"), _page("b", "/")])
    with pytest.raises(InputError, match="max_upload_mb"):
        create_app([_page("a", "/")], max_upload_mb=0)


def test_server_starts_stops_and_reports_busy_port():
    app = create_app([_page("home", "/")], context="x")
    with start_server(app) as srv:
        assert srv.url.startswith("http://127.0.0.1:") and srv.running
        with urllib.request.urlopen(srv.url + "_dash-layout", timeout=10) as resp:
            assert resp.status == 200
        with pytest.raises(InputError, match=f"Port {srv.port} .* already in use"):
            check_port("127.0.0.1", srv.port)
    assert not srv.running
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(srv.url, timeout=2)
    with pytest.raises(InputError, match="port must be"):
        check_port("127.0.0.1", 70000)


def test_server_refuses_foreign_host_headers():
    """DNS rebinding: a page elsewhere must not reach the dashboard through its own name."""
    import http.client

    app = create_app([_page("home", "/")], context="x")

    def status(port, host_header):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/_dash-layout", headers={"Host": host_header})
        code = conn.getresponse().status
        conn.close()
        return code

    with start_server(app, allowed_hosts=["box.lan"]) as srv:
        assert status(srv.port, f"127.0.0.1:{srv.port}") == 200
        assert status(srv.port, f"localhost:{srv.port}") == 200
        assert status(srv.port, "box.lan") == 200
        assert status(srv.port, "evil.example") == 403
        assert status(srv.port, "127.rebind.evil.example") == 403
    with pytest.raises(InputError, match="not a host name"):
        start_server(app, allowed_hosts=["http://x"])


def test_guarded_callbacks_turn_errors_into_messages(caplog):
    from dash import no_update
    from dash.exceptions import PreventUpdate

    @guarded(3)
    def cb(kind):
        if kind == "input":
            raise DataError("the CSV has no numeric column")
        if kind == "bug":
            raise ZeroDivisionError("boom")
        if kind == "stop":
            raise PreventUpdate
        return 1, 2, 3

    assert cb("ok") == (1, 2, 3)
    out = cb("input")
    assert out[:2] == (no_update, no_update)
    assert out[2].children == "the CSV has no numeric column"
    out = cb("bug")
    assert "Internal error in cb" in out[2].children and "boom" not in out[2].children
    assert "boom" in caplog.text
    with pytest.raises(PreventUpdate):
        cb("stop")


def test_cli_dashboard_help_and_errors(tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli_main, ["--help"])
    assert "dashboard" in res.output
    res = runner.invoke(cli_main, ["dashboard", "cal", "--help"])
    assert res.exit_code == 0
    for flag in ("--results", "--data", "--host", "--port", "--debug"):
        assert flag in res.output
    assert "127.0.0.1" in res.output
    empty = tmp_path / "empty"
    empty.mkdir()
    res = runner.invoke(cli_main, ["dashboard", "cal", "--results", str(empty), "--port", "0"])
    assert res.exit_code == 1
    assert "No training results found under" in res.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = runner.invoke(cli_main, ["dashboard", "svm", "--port", str(port)])
        assert res.exit_code == 1 and f"Port {port}" in res.output and "Traceback" not in res.output


def test_runner_reports_bad_input(tmp_path, capsys):
    assert runner_main("jwst", ["--results", str(tmp_path / "nope"), "--port", "0"]) == 2
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(InputError, match="Unknown dashboard"):
        create_dashboard("k2", tmp_path)

"""``spacekit models list | info | fetch | path``."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from click.testing import CliRunner

from spacekit.cli import main

SHA_JWST = "216ba261e7c74c644133f5c7f42d1ab06b91c78bc9aac1c30b11991cff73cf27"


def run(*args):
    return CliRunner().invoke(main, ["models", *args])


def test_list_table_and_json(model_mirror):
    res = run("list")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].split() == ["name", "kind", "version", "trained", "on", "size", "status"]
    rows = {ln.split()[0]: ln for ln in lines[1:]}
    assert {"packaged/jwst_cal", "spacekit-1.1.4/jwst_cal", "spacekit-1.1.4/hst_cal"} <= set(rows)
    assert rows["spacekit-1.1.4/jwst_cal"].split()[-2:] == ["not", "cached"]
    assert rows["packaged/jwst_cal"].split()[-1] == "packaged"
    assert "1.4 MB" in rows["spacekit-1.1.4/jwst_cal"]
    res = run("list", "--kind", "hst_cal", "--json")
    entries = json.loads(res.output)
    assert {e["kind"] for e in entries} == {"hst_cal"}
    assert next(e for e in entries if e["name"] == "spacekit-1.1.4/hst_cal")["trained_on"] == "real"
    assert run("list", "--kind", "nope").output.startswith("No archive of kind 'nope'")


def test_fetch_caches_and_verifies_then_reports_cached(model_mirror, tmp_path):
    res = run("fetch", "spacekit-1.1.4/jwst_cal")
    assert res.exit_code == 0, res.output
    cached = tmp_path / "cache" / "models" / "spacekit-1.1.4" / "jwst_cal.zip"
    assert res.output.strip() == (
        f"spacekit-1.1.4/jwst_cal: fetched, sha256 {SHA_JWST[:12]} verified -> {cached}"
    )
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == SHA_JWST
    assert "cached, sha256" in run("fetch", "spacekit-1.1.4/jwst_cal").output
    assert "fetched, sha256" in run("fetch", "--force", "spacekit-1.1.4/jwst_cal").output
    assert "packaged, sha256" in run("fetch", "packaged/jwst_cal").output
    listed = {ln.split()[0]: ln for ln in run("list").output.splitlines()}
    assert listed["spacekit-1.1.4/jwst_cal"].split()[-1] == "cached"


def test_fetch_errors_exit_1_but_fetch_the_rest(model_mirror, tmp_path):
    res = run("fetch", "spacekit-0.1/jwst_cal", "spacekit-1.1.4/hst_cal")
    assert res.exit_code == 1
    assert "No model named 'spacekit-0.1/jwst_cal'" in res.output
    assert (tmp_path / "cache" / "models" / "spacekit-1.1.4" / "hst_cal.zip").is_file()


def test_path_prints_only_the_path(model_mirror, tmp_path):
    res = run("path", "spacekit-1.1.4/hst_cal", "--no-download")
    assert res.exit_code == 1 and "spacekit models fetch spacekit-1.1.4/hst_cal" in res.output
    res = run("path", "spacekit-1.1.4/hst_cal")
    assert res.exit_code == 0
    assert res.stdout == f"{tmp_path / 'cache' / 'models' / 'spacekit-1.1.4' / 'hst_cal.zip'}\n"


def test_info_shows_hash_source_and_card(model_mirror):
    res = run("info", "spacekit-1.1.4/jwst_cal")
    assert res.exit_code == 0, res.output
    assert f"sha256:     {SHA_JWST}" in res.output
    assert f"source:     {(model_mirror / 'jwst_cal.zip').as_uri()}" in res.output
    assert "not cached (spacekit models fetch spacekit-1.1.4/jwst_cal)" in res.output
    assert "# spacekit 1.1.4 jwst_cal" in res.output and "trained on: real data" in res.output
    doc = json.loads(run("info", "packaged/jwst_cal", "--json").output)
    assert doc["status"] == "packaged" and doc["trained_on"] == "simulated"
    assert doc["card"].startswith("# packaged/jwst_cal model card")
    assert "## Network vs gradient-boosting baseline" in doc["card"]
    res = run("info", "spacekit-1.1.4/nope")
    assert res.exit_code == 1 and "Known names" in res.output


def test_models_help_is_light():
    code = (
        "import sys\nfrom spacekit.cli import main\n"
        "try:\n    main(['models', 'list'], prog_name='spacekit')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('keras', 'tensorflow', 'dash', 'requests') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"

"""Bad inputs and outputs of JWST prediction: flagged or skipped inputs, clear CLI errors,
and results files that are never silently damaged.

These use the packaged default archive and tiny hand-written Level-1 files.
"""

from __future__ import annotations

import json
import os
import stat
import warnings
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from spacekit import _io
from spacekit.builder.archive import default_archive_path
from spacekit.cli import main as cli_main
from spacekit.exceptions import FlaggedInputWarning, SkippedInputWarning
from spacekit.skopes.jwst.cal.predict import GB_CAP, JwstCalPredict

pytestmark = pytest.mark.skipif(
    not default_archive_path("jwst_cal").exists(), reason="packaged jwst_cal.zip not built"
)


def _name(obs: int, exp: int = 1, det: str = "nrcb1") -> str:
    return f"jw02732{obs:03d}001_02101_{exp:05d}_{det}_uncal.fits"


@pytest.fixture
def messy(tmp_path, uncal_writer):
    """One clean exposure per observation, and each defect of the review in its own."""
    d = tmp_path / "in"
    d.mkdir()

    def write(obs, **kw):
        kw["primary"] = {"OBSERVTN": f"{obs:03d}", **kw.get("primary", {})}
        uncal_writer(d / _name(obs), **kw)

    write(1)
    write(2, drop=("TARG_RA", "TARG_DEC"))
    write(3, primary={"NUMDTHPT": 1e20})
    write(4, drop=("FILTER",))
    write(5, drop=("PROGRAM",))
    write(6, drop=("EXP_TYPE",))
    write(7, primary={"EXP_TYPE": "NRC_TACQ"})
    write(8, drop=("NUMDTHPT",))  # missing: the same model inputs as 1e20
    (d / _name(9)).symlink_to(d / "gone.fits")
    return d


def _predict(folder) -> JwstCalPredict:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        jp = JwstCalPredict(folder, progress=False)
        jp.run_inference()
    jp.seen = [w.category for w in seen]  # type: ignore[attr-defined]
    return jp


def test_review_defects_are_flagged_or_skipped(messy):
    jp = _predict(messy)
    assert FlaggedInputWarning in jp.seen and SkippedInputWarning in jp.seen
    skipped = {Path(k).name: why for k, why in jp.skipped}
    assert "FILTER missing" in skipped[_name(4)]
    assert "PROGRAM is missing" in skipped[_name(5)]
    assert "no EXP_TYPE" in skipped[_name(6)]
    assert skipped[_name(7)] == "EXP_TYPE NRC_TACQ has no Level-3 product"
    assert "broken symbolic link" in skipped[_name(9)]
    flagged = {p[:12]: f for p, f in jp.flags.items()}
    assert "TARG_RA/TARG_DEC missing" in flagged["jw02732-o002"][0]
    assert "NUMDTHPT" in flagged["jw02732-o003"][0] and "NUMDTHPT" in flagged["jw02732-o008"][0]
    gb = {p[:12]: v["gbSize"] for p, v in jp.predictions.items()}
    assert gb["jw02732-o003"] == gb["jw02732-o008"] < GB_CAP  # 1e20 treated as missing
    assert "jw02732-o001" not in flagged and len(gb) == 4
    rows = {r["product"][:12]: r for r in jp.results()}
    assert rows["jw02732-o001"]["flags"] == [] and rows["jw02732-o002"]["flags"]
    # every file ends up in a product or in skipped; every product predicted or skipped
    files = {p.name for p in messy.iterdir() if p.name.endswith("_uncal.fits")}
    in_products = {f"{k}_uncal.fits" for keys in jp.products.values() for k in keys}
    assert files == in_products | (set(skipped) & files)
    assert set(jp.products) <= set(jp.predictions) | set(skipped)


def test_cli_shows_flags_and_skips(messy, tmp_path):
    out = tmp_path / "r.json"
    res = CliRunner().invoke(
        cli_main, ["jwst", "predict", str(messy), "--no-progress", "--output", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "flagged (3)" in res.output and "skipped (5)" in res.output
    assert "Traceback" not in res.output
    doc = json.loads(out.read_text())
    flagged = {p for p, r in doc["predictions"].items() if r["flags"]}
    assert len(flagged) == 3 and len(doc["skipped"]) == 5


def test_sample_tac_products_are_listed_in_cli_and_json(tmp_path):
    """Issue #11: the sample's 3 TAC products are reported, not dropped silently."""
    out = tmp_path / "sample.json"
    res = CliRunner().invoke(
        cli_main, ["jwst", "predict", "--sample", "--no-progress", "--output", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert res.output.count("spacekit has no TAC model; not predicted") == 3
    doc = json.loads(out.read_text())
    reasons = [s["reason"] for s in doc["skipped"]]
    assert sum("no TAC model" in r for r in reasons) == 3
    assert len(doc["predictions"]) == 10


# --------------------------------------------------------------- CLI error handling
def _invoke(*args):
    res = CliRunner().invoke(cli_main, list(args))
    assert (
        "Traceback" not in res.output
        and res.exception is None
        or isinstance(res.exception, SystemExit)
    ), res.output
    return res


def test_cli_bad_outputs_and_tx_files(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    res = _invoke("jwst", "predict", "--sample", "--output", str(afile / "out.json"))
    assert res.exit_code == 2 and "is a file, not a folder" in res.output
    res = _invoke("jwst", "predict", "--sample", "--output", str(tmp_path))
    assert res.exit_code == 2
    res = _invoke("--log-file", str(afile / "x.log"), "info")
    assert res.exit_code == 2 and "--log-file" in res.output
    for name, content, expected in [
        ("list.json", "[1, 2]", "holds a JSON list"),
        ("str.json", '{"lambdas": ["a"], "mu": ["b"], "sigma": ["c"]}', "finite numbers"),
        ("deep.json", "[" * 100_000, "levels deep"),
        ("bad.json", "{nope", "not valid JSON"),
    ]:
        (tmp_path / name).write_text(content)
        res = _invoke("jwst", "predict", "--sample", "-t", str(tmp_path / name))
        assert res.exit_code == 1 and expected in res.output, (name, res.output)
    res = _invoke("viz", "report", str(tmp_path / "h.json"), "-o", str(afile / "r.html"))
    assert res.exit_code == 2 and "is a file, not a folder" in res.output


def test_cli_write_failure_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    out = tmp_path / "res.json"

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(_io.os, "replace", refuse)
    res = _invoke("jwst", "predict", "--sample", "--no-progress", "--output", str(out))
    assert res.exit_code == 1
    assert f"cannot write {out}: Permission denied" in res.output
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


@pytest.mark.parametrize("seed", range(3))
def test_unwritable_output_paths_property(tmp_path, seed):
    """A file at some depth above the output, or a folder as the output: exit 2, one line."""
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(0, 4))
    parent = tmp_path.joinpath(*[f"d{i}" for i in range(depth)])
    parent.mkdir(parents=True, exist_ok=True)
    blocker = parent / "blocker"
    blocker.write_text("x")
    below = blocker.joinpath(*[f"s{i}" for i in range(int(rng.integers(0, 3)))])
    for target, opt in [
        (below / "out.csv", "--output"),
        (parent, "--output"),
    ]:
        res = _invoke("jwst", "predict", "--sample", opt, str(target))
        assert res.exit_code == 2 and res.output.count("Error:") == 1, res.output


# --------------------------------------------------------------- results files
def test_output_keeps_mode_and_follows_symlinks(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("{}")
    real.chmod(0o600)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    res = _invoke("jwst", "predict", "--sample", "--no-progress", "--output", str(link))
    assert res.exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert len(json.loads(real.read_text())["predictions"]) == 10


def test_empty_run_never_overwrites(tmp_path):
    good = tmp_path / "good.json"
    good.write_text('{"predictions": {"keep": 1}}')
    empty = tmp_path / "in"
    empty.mkdir()
    (empty / "junk_uncal.fits").write_text("junk")
    res = _invoke("jwst", "predict", str(empty), "--no-progress", "--output", str(good))
    assert res.exit_code == 1 and "was not written" in res.output
    assert json.loads(good.read_text()) == {"predictions": {"keep": 1}}


@pytest.mark.parametrize("seed", range(3))
def test_atomic_writes_keep_mode_and_links_property(tmp_path, seed):
    rng = np.random.default_rng(seed)
    real = tmp_path / "data" / "real.txt"
    real.parent.mkdir()
    real.write_text("old")
    mode = int(rng.choice([0o600, 0o640, 0o644, 0o660, 0o604]))
    real.chmod(mode)
    path = real
    for i in range(int(rng.integers(0, 4))):  # a chain of 0-3 links
        link = tmp_path / f"link{i}"
        link.symlink_to(path)
        path = link
    _io.atomic_write_text(path, "new")
    assert real.read_text() == "new" and stat.S_IMODE(real.stat().st_mode) == mode
    assert path == real or path.is_symlink()
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.txt"]


def test_runner_log_file_that_cannot_be_written(tmp_path, capsys):
    from spacekit.datasets import get_sample_path
    from spacekit.skopes.jwst.cal.predict import main

    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(SystemExit) as exit_:
        main([str(get_sample_path("jwst")), "--logdir", str(afile / "logs")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "cannot write the log file" in err and "Traceback" not in err

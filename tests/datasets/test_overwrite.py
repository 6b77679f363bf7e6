"""``overwrite=True`` removes only what a previous simulation wrote; never a user's file."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from spacekit.cli import main as cli_main
from spacekit.datasets._overwrite import prepare_overwrite, previous_outputs
from spacekit.datasets.hstcal import simulate_hstcal, write_hstcal_folder
from spacekit.datasets.jwst import simulate_jwst
from spacekit.datasets.svm import simulate_svm
from spacekit.exceptions import InputError

USER_FILES = {
    "uncal/jw99999001001_02101_00001_nrcb1_uncal.fits": "my exposure",
    "metadata/2026-01-05_005.csv": "my metadata",
    "truth.csv": "my truth",
    "manifest.json": '{"mine": true}',
}


def _write(root, files):
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _unchanged(root, files):
    return all((root / rel).read_text() == text for rel, text in files.items())


def test_user_files_with_simulator_names_are_never_removed(tmp_path):
    """Defect: --overwrite deleted uncal/*_uncal.fits, metadata/*.csv, truth.csv and a
    manifest.json that spacekit did not write."""
    out = tmp_path / "mine"
    _write(out, USER_FILES)
    res = CliRunner().invoke(
        cli_main, ["datasets", "simulate", "jwst", str(out), "--n", "8", "--overwrite"]
    )
    assert res.exit_code == 1 and "not written by a spacekit simulation" in res.output
    assert _unchanged(out, USER_FILES)
    (out / "manifest.json").unlink()  # no manifest: a name clash still stops the run
    with pytest.raises(InputError, match="truth.csv"):
        simulate_jwst(out, n=8, seed=1, progress=False, overwrite=True)
    (out / "truth.csv").unlink()
    (out / "metadata" / "2026-01-05_005.csv").rename(out / "metadata" / "notes.csv")
    sim = simulate_jwst(out, n=8, seed=1, progress=False, overwrite=True)
    kept = {
        "uncal/jw99999001001_02101_00001_nrcb1_uncal.fits": "my exposure",
        "metadata/notes.csv": "my metadata",
    }
    assert _unchanged(out, kept)
    assert "uncal/jw99999001001_02101_00001_nrcb1_uncal.fits" not in sim.manifest["written"]
    # a second overwrite replaces the simulation and still keeps the user's files
    again = simulate_jwst(out, n=8, seed=2, progress=False, overwrite=True)
    assert _unchanged(out, kept)
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk == set(again.manifest["written"]) | set(kept)


def test_files_added_to_a_simulation_are_kept(tmp_path):
    out = tmp_path / "sim"
    simulate_jwst(out, n=8, seed=1, progress=False)
    extra = {"uncal/notes_uncal.fits": "added later", "metadata/extra.csv": "x"}
    _write(out, extra)
    simulate_jwst(out, n=8, seed=3, progress=False, overwrite=True)
    assert _unchanged(out, extra)


def test_svm_visit_folder_clash_rolls_back(tmp_path):
    out = tmp_path / "svm"
    first = simulate_svm(out, n_visits=2, seed=1, progress=False, image_size=32)
    (out / "manifest.json").unlink()  # now spacekit cannot tell whose the folders are
    (out / "labels.csv").unlink()
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    with pytest.raises(InputError, match=first.products["folder"].iloc[0]):
        simulate_svm(out, n_visits=2, seed=1, progress=False, image_size=32, overwrite=True)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before


def test_hstcal_refuses_a_foreign_csv(tmp_path):
    out = tmp_path / "cal"
    _write(out, {"hstcal.csv": "mine"})
    with pytest.raises(InputError, match="hstcal.csv"):
        write_hstcal_folder(simulate_hstcal(n=5, seed=0), out, overwrite=True)
    assert (out / "hstcal.csv").read_text() == "mine"


@pytest.mark.parametrize(
    "written",
    [["../outside.txt"], ["/etc/hostname"], ["a/../../outside.txt"], [5, None], "truth.csv"],
)
def test_manifest_paths_outside_the_folder_are_ignored(tmp_path, written):
    out = tmp_path / "out"
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    _write(out, {"manifest.json": json.dumps({"kind": "jwst", "written": written})})
    if isinstance(written, list):
        assert prepare_overwrite(out, []) == {"manifest.json"}
    else:
        with pytest.raises(InputError, match="does not list"):
            previous_outputs(out)
    assert outside.read_text() == "keep"


# ------------------------------------------------------------------ property-style
_MANIFESTS = [
    None,
    '{"mine": true}',
    "{not json",
    "[" * 50_000,
    '{"kind": "jwst"}',
    '{"kind": "jwst", "written": ["truth.csv", "manifest.json"]}',
    '{"kind": "other", "written": ["truth.csv"]}',
]


@pytest.mark.parametrize("seed", range(6))
def test_overwrite_never_touches_unlisted_files_property(tmp_path, seed):
    rng = np.random.default_rng(seed)
    out = tmp_path / "out"
    out.mkdir()
    candidates = [
        "truth.csv",
        "hstcal.csv",
        "labels.csv",
        "uncal/jw01234001001_02101_00001_nrcb1_uncal.fits",
        "metadata/2026-01-06_006.csv",
        "notes.txt",
        "sub/readme.md",
    ]
    user = {rel: f"user {rel}" for rel in rng.choice(candidates, size=int(rng.integers(1, 5)))}
    _write(out, user)
    manifest = _MANIFESTS[int(rng.integers(len(_MANIFESTS)))]
    listed = set()
    if manifest is not None:
        (out / "manifest.json").write_text(manifest)
        try:
            listed = set(json.loads(manifest).get("written", []))
        except (ValueError, RecursionError, AttributeError):
            listed = set()
    kind = str(rng.choice(["jwst", "hstcal"]))
    try:
        if kind == "jwst":
            simulate_jwst(out, n=6, seed=seed, progress=False, overwrite=True)
        else:
            write_hstcal_folder(simulate_hstcal(n=5, seed=seed), out, overwrite=True)
    except InputError:
        pass
    for rel, text in user.items():
        if rel not in listed:
            assert (out / rel).read_text() == text, (rel, manifest)


@pytest.mark.parametrize("kind", ["jwst", "svm", "hstcal"])
def test_read_only_out_dir_is_one_error_line(tmp_path, monkeypatch, kind):
    """An existing folder that cannot be written: one line, exit 1, nothing written.

    (Permissions are simulated: the tests may run as root, who may write anywhere.)"""
    import os

    out = tmp_path / "ro"
    out.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **k: not m & os.W_OK and real(p, m, **k))
    res = CliRunner().invoke(cli_main, ["datasets", "simulate", kind, str(out), "--n", "2"])
    assert res.exit_code == 1 and "not writable" in res.output, res.output
    assert res.output.count("Error:") == 1 and "Traceback" not in res.output
    assert list(out.iterdir()) == []

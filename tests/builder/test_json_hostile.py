"""Malformed, oversized or incomplete JSON in registry entries, runs and archives.

Each must give a spacekit error that names the file (or archive member) and says what is
wrong, never a raw ``JSONDecodeError``, ``KeyError`` or ``TypeError``.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from keras_files import dense_keras_bytes
from spacekit.builder import archive as archive_mod
from spacekit.builder import registry as reg
from spacekit.builder.archive import load_archive, save_archive
from spacekit.builder.packaging import build_archive
from spacekit.exceptions import ArchiveError, DataError

TX = {"lambdas": [0.1, -0.2], "mu": [1.0, 2.0], "sigma": [0.5, 1.5]}
ENTRY = {"kind": "svm_align", "version": "0.1", "filename": "svm_align.zip"}


# --------------------------------------------------------------------- registry entries
@pytest.fixture
def packaged_dir(tmp_path, monkeypatch):
    """An empty ``trained_networks`` folder the registry reads instead of the real one."""
    folder = tmp_path / "trained_networks"
    folder.mkdir()
    monkeypatch.setattr(reg, "_TRAINED_NETWORKS", folder)
    monkeypatch.setattr(reg, "_REGISTRY", {})
    monkeypatch.setattr(reg, "_BROKEN", {})
    monkeypatch.setattr(reg, "_PACKAGED_LOADED", False)
    return folder


def _entry(folder: Path, text: str) -> None:
    (folder / "svm_align.zip").write_bytes(b"zip bytes")
    (folder / "svm_align.json").write_text(text)


@pytest.mark.parametrize(
    "text, why",
    [
        ("{not json", r"is not valid JSON"),
        ("[1, 2]", r"must hold a JSON object \(a registry entry\); it holds a list"),
        (json.dumps({**ENTRY}), r"lacks the key\(s\) \['sha256'\]"),
        (json.dumps({**ENTRY, "sha256": 5}), r"\['sha256'\] have the wrong type"),
        (json.dumps({**ENTRY, "sha256": "ab"}), r"not a valid registry entry: sha256"),
        (
            json.dumps({**ENTRY, "filename": "../up.zip", "sha256": "0" * 64}),
            r"filename must be the name of a file beside it; received '../up.zip'",
        ),
        ("[" * 50 + "]" * 50, r"nests arrays/objects more than 4 levels"),
    ],
)
def test_malformed_packaged_entry_is_named_when_asked_for(packaged_dir, caplog, text, why):
    _entry(packaged_dir, text)
    assert reg.list_entries("svm_align") == []  # the rest of the registry keeps working
    assert "Ignoring the packaged model entry" in caplog.text
    meta = str(packaged_dir / "svm_align.json")
    for call in (lambda: reg.get_entry("packaged/svm_align"),
                 lambda: reg.resolve_model_path("packaged/svm_align")):  # fmt: skip
        with pytest.raises(ArchiveError, match=why) as info:
            call()
        assert meta in str(info.value) and "Reinstall spacekit" in str(info.value)


def test_oversized_packaged_entry_is_refused_unread(packaged_dir, monkeypatch):
    monkeypatch.setattr(reg, "MAX_ENTRY_BYTES", 100)
    _entry(packaged_dir, json.dumps({**ENTRY, "sha256": "0" * 64, "description": "x" * 200}))
    with pytest.raises(ArchiveError, match=r"svm_align.json' is \d+ bytes; at most 100"):
        reg.get_entry("packaged/svm_align")


def test_a_good_entry_beside_a_broken_one(packaged_dir):
    _entry(packaged_dir, "{")
    (packaged_dir / "hst_cal.zip").write_bytes(b"other")
    sha = hashlib.sha256(b"other").hexdigest()
    good = {"kind": "hst_cal", "version": "1", "filename": "hst_cal.zip", "sha256": sha}
    (packaged_dir / "hst_cal.json").write_text(json.dumps(good))
    names = [e.name for e in reg.list_entries()]
    assert "packaged/hst_cal" in names and "packaged/svm_align" not in names
    assert reg.get_entry("packaged/hst_cal").sha256 == sha


# --------------------------------------------------------------------- training runs
def _run(tmp_path: Path, scores: str, tx: str | None = None) -> Path:
    mode = tmp_path / "run" / "image"
    (mode / "summary").mkdir(parents=True)
    (mode / "summary" / "image-cv-scores.json").write_text(scores)
    fold = mode / "models" / "0"
    fold.mkdir(parents=True)
    (fold / "img3_reg.keras").write_bytes(dense_keras_bytes((18, 4, 1)))
    if tx is not None:
        (fold / "tx_data-image.json").write_text(tx)
    return tmp_path / "run"


@pytest.mark.parametrize(
    "scores, why",
    [
        ("[0]", r"image-cv-scores.json' is not a cv-scores summary: it holds a JSON list"),
        ('{"n_folds": 2}', r"image-cv-scores.json' is not a cv-scores summary with a 'best_fold'"),
        ('{"best_fold": "../../elsewhere"}', r"best_fold must be a fold number or folder name"),
        ('{"best_fold": [0]}', r"best_fold must be a fold number or folder name"),
        ('{"best_fold": 0', r"image-cv-scores.json' is not valid JSON"),
    ],
)
def test_malformed_scores_summary(tmp_path, scores, why):
    with pytest.raises(DataError, match=why):
        build_archive(_run(tmp_path, scores), strip_optimizer=False)


@pytest.mark.parametrize(
    "tx, why",
    [
        ("{", r"tx_data-image.json' is not valid JSON"),
        ('"text"', r"tx_data-image.json' is not normalisation data \(tx_data\)"),
        (json.dumps({"lambdas": [1.0], "sigma": [1.0]}), r"tx_data-image.json' lacks \['mu'\]"),
        (json.dumps({**TX, "mu": [1.0]}), r"tx_data-image.json' has list lengths"),
        (json.dumps({**TX, "sigma": ["a", 1.0]}), r"'sigma' must be a list of finite numbers"),
    ],
)
def test_malformed_run_tx_data(tmp_path, tx, why):
    with pytest.raises(DataError, match=why):
        build_archive(_run(tmp_path, '{"best_fold": 0}', tx), strip_optimizer=False)


def test_oversized_run_json(tmp_path, monkeypatch):
    from spacekit.builder import packaging

    monkeypatch.setattr(packaging, "MAX_RUN_JSON_BYTES", 10)
    with pytest.raises(DataError, match=r"image-cv-scores.json' is \d+ bytes; at most 10 "):
        build_archive(_run(tmp_path, '{"best_fold": 0}'), strip_optimizer=False)


# --------------------------------------------------------------------- archive members
@pytest.fixture
def tiny_zip(tmp_path):
    return save_archive(tmp_path / "jwst_cal.zip", {"img3_reg": dense_keras_bytes()}, {"image": TX})


def _rewrite(src: Path, dst: Path, member: str, data: bytes, rehash: bool = True) -> Path:
    """Copy the archive with ``member`` replaced (and, with ``rehash``, its manifest hash)."""
    with zipfile.ZipFile(src) as zin:
        members = {n: zin.read(n) for n in zin.namelist()}
    members[member] = data
    if rehash and member != "manifest.json":
        manifest = json.loads(members["manifest.json"])
        manifest["sha256"][member] = hashlib.sha256(data).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(dst, "w") as zout:
        for name, blob in members.items():
            zout.writestr(name, blob)
    return dst


@pytest.mark.parametrize(
    "tx, why",
    [
        (b'{"lambdas": [0.1, -0.2], "sigma": [1, 1]}', r"tx_data-image.json in .* lacks \['mu'\]"),
        (b"[1, 2]", r"tx_data-image.json in .* must hold a JSON object; it holds a list"),
        (b"{", r"tx_data-image.json in .* is not valid JSON"),
        (json.dumps({**TX, "sigma": [0.0, 1.0]}).encode(), r"has a zero sigma"),
    ],
)
def test_malformed_tx_data_member(tiny_zip, tmp_path, tx, why):
    bad = _rewrite(tiny_zip, tmp_path / "bad.zip", "tx_data-image.json", tx)
    with pytest.raises(ArchiveError, match=why) as info:
        load_archive(bad)
    assert "bad.zip" in str(info.value)


@pytest.mark.parametrize(
    "edit, why",
    [
        ({"models": ["img3_reg.keras"]}, r"'models' must map names to member files"),
        ({"sha256": "abc"}, r"'sha256' must map names to member files"),
        ({"tx_data": {"image": 3}}, r"'tx_data' must map names to member files"),
    ],
)
def test_malformed_manifest_fields(tiny_zip, tmp_path, edit, why):
    with zipfile.ZipFile(tiny_zip) as zf:
        manifest = {**json.loads(zf.read("manifest.json")), **edit}
    bad = _rewrite(tiny_zip, tmp_path / "bad.zip", "manifest.json", json.dumps(manifest).encode())
    with pytest.raises(ArchiveError, match=why) as info:
        load_archive(bad)
    assert "manifest.json in" in str(info.value) and "bad.zip" in str(info.value)


def test_oversized_json_member_is_refused_unparsed(tiny_zip, tmp_path, monkeypatch):
    monkeypatch.setattr(archive_mod, "MAX_JSON_MEMBER_BYTES", 50)
    with pytest.raises(ArchiveError, match=r"manifest.json in .* is [\d,]+ bytes; JSON members of"):
        load_archive(tiny_zip)

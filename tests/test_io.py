import json

import pytest

from spacekit._io import atomic_open, atomic_path, atomic_write_json, atomic_write_text


def test_atomic_write_text_and_json(tmp_path):
    p = atomic_write_text(tmp_path / "a" / "b.txt", "hi")
    assert p.read_text() == "hi"
    atomic_write_json(tmp_path / "c.json", {"x": 1})
    assert json.loads((tmp_path / "c.json").read_text()) == {"x": 1}


def test_interrupted_write_leaves_nothing(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_atomic_path_rename(tmp_path):
    with atomic_path(tmp_path / "x.bin") as tmp:
        tmp.write_bytes(b"1")
    assert (tmp_path / "x.bin").read_bytes() == b"1"


def test_atomic_open_rejects_read(tmp_path):
    with pytest.raises(ValueError, match="only writes"), atomic_open(tmp_path / "r", "r"):
        pass


def test_nan_is_rejected_in_json(tmp_path):
    with pytest.raises(ValueError):
        atomic_write_json(tmp_path / "n.json", {"x": float("nan")})
    assert not (tmp_path / "n.json").exists()


def test_atomic_files_get_umask_permissions(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        p = atomic_write_text(tmp_path / "perm.txt", "x")
    finally:
        os.umask(umask)
    assert (p.stat().st_mode & 0o777) == 0o644

"""spacekit.builder.registry: named, hash-pinned archives, mirror, cache, provenance."""

from __future__ import annotations

import hashlib
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from spacekit.builder import registry as reg
from spacekit.builder import registry_fetch
from spacekit.builder.archive import default_archive_path, load_archive, save_archive
from spacekit.exceptions import ArchiveError, InputError

PUBLISHED = {
    "jwst_cal": "216ba261e7c74c644133f5c7f42d1ab06b91c78bc9aac1c30b11991cff73cf27",
    "hst_cal": "3dcfd4760154dee890f7943e237e679a43eef82d3c0838ff62ecf17e4c3702fb",
    "svm_align": "cda062ba768374802e4e8b919c0dcce79ce3b72e29004cc09601a67da454b008",
}


def cache_files(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_published_entries_match_shared_sha256sums(reference_dir):
    sums = dict(
        line.split()[::-1] for line in (reference_dir / "SHA256SUMS").read_text().splitlines()
    )
    for kind, sha in PUBLISHED.items():
        entry = reg.get_entry(f"spacekit-1.1.4/{kind}")
        assert entry.sha256 == sha == sums[f"{kind}.zip"]
        assert entry.size == (reference_dir / f"{kind}.zip").stat().st_size
        assert entry.trained_on == "real"
        assert entry.version == "1.1.4"
        assert entry.url.startswith("https://")
        assert entry.url.endswith(f"/spacekit/builder/trained_networks/{kind}.zip")
        assert f"spacekit 1.1.4 {kind}" in entry.card


def test_fetch_from_mirror_caches_and_verifies(model_mirror, tmp_path):
    path = reg.fetch("spacekit-1.1.4/jwst_cal")
    assert path == tmp_path / "cache" / "models" / "spacekit-1.1.4" / "jwst_cal.zip"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == PUBLISHED["jwst_cal"]
    assert cache_files(tmp_path / "cache") == ["models/spacekit-1.1.4/jwst_cal.zip"]
    assert reg.cached_path("spacekit-1.1.4/jwst_cal") == path
    mtime = path.stat().st_mtime_ns
    assert reg.fetch("spacekit-1.1.4/jwst_cal") == path  # no second copy
    assert path.stat().st_mtime_ns == mtime
    assert reg.cached_path("spacekit-1.1.4/hst_cal") is None


def test_corrupted_cache_is_downloaded_again(model_mirror):
    path = reg.fetch("spacekit-1.1.4/hst_cal")
    path.write_bytes(b"garbage")
    assert reg.cached_path("spacekit-1.1.4/hst_cal") is None
    again = reg.fetch("spacekit-1.1.4/hst_cal")
    assert hashlib.sha256(again.read_bytes()).hexdigest() == PUBLISHED["hst_cal"]


@pytest.mark.parametrize("style", ["folder", "template"])
def test_mirror_spellings(reference_dir, monkeypatch, tmp_path, style):
    if style == "folder":
        mirror = str(reference_dir)
    else:
        mirror = reference_dir.parent.as_uri() + "/spacekit-{version}/{kind}.zip"
    monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", mirror)
    monkeypatch.setenv("SPACEKIT_CACHE", str(tmp_path))
    assert reg.source_url("spacekit-1.1.4/hst_cal") == (reference_dir / "hst_cal.zip").as_uri()
    assert reg.fetch("spacekit-1.1.4/hst_cal").is_file()


def test_upstream_url_without_mirror(monkeypatch):
    monkeypatch.delenv("SPACEKIT_MODEL_MIRROR")
    entry = reg.get_entry("spacekit-1.1.4/svm_align")
    assert reg.source_url(entry) == entry.url
    with pytest.raises(ArchiveError, match="packaged with spacekit and has no URL"):
        reg.source_url("packaged/jwst_cal")


def test_hash_mismatch_names_both_hashes_and_caches_nothing(monkeypatch, tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    bad = b"not the published archive"
    (mirror / "jwst_cal.zip").write_bytes(bad)
    monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", mirror.as_uri())
    monkeypatch.setenv("SPACEKIT_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ArchiveError) as err:
        reg.fetch("spacekit-1.1.4/jwst_cal")
    msg = str(err.value)
    assert PUBLISHED["jwst_cal"] in msg
    assert hashlib.sha256(bad).hexdigest() in msg
    assert cache_files(tmp_path / "cache") == []


@pytest.mark.parametrize("failure", [OSError("connection reset"), KeyboardInterrupt()])
def test_partial_download_never_lands_in_cache(model_mirror, monkeypatch, tmp_path, failure):
    def half_then_fail(url, output_file, pooch=None):
        src = registry_fetch._local_file(url).read_bytes()
        Path(output_file).write_bytes(src[: len(src) // 2])
        raise failure

    monkeypatch.setattr(registry_fetch, "_copy_file", half_then_fail)
    expected = ArchiveError if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected) as err:
        reg.fetch("spacekit-1.1.4/jwst_cal")
    if expected is ArchiveError:
        assert "connection reset" in str(err.value)
        assert "SPACEKIT_MODEL_MIRROR" in str(err.value)
    assert cache_files(tmp_path / "cache") == []


def test_missing_file_on_mirror(monkeypatch, tmp_path):
    monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", tmp_path.as_uri())
    monkeypatch.setenv("SPACEKIT_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ArchiveError, match="model mirror has no svm_align.zip"):
        reg.fetch("spacekit-1.1.4/svm_align")
    monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", "ftp://example.invalid/models/")
    with pytest.raises(ArchiveError, match="only http"):
        reg.fetch("spacekit-1.1.4/svm_align")


def test_tests_never_reach_the_network_by_default():
    # conftest points the mirror at a missing folder: an unplanned fetch fails here
    with pytest.raises(ArchiveError, match="model mirror has no"):
        reg.fetch("spacekit-1.1.4/svm_align", force=True)


@pytest.fixture
def http_mirror(reference_dir):
    """A loopback HTTP server serving the reference folder (exercises the HTTP download)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(reference_dir), **kw)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_http_download_through_pooch(http_mirror, monkeypatch, tmp_path):
    monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", http_mirror)
    monkeypatch.setenv("SPACEKIT_CACHE", str(tmp_path))
    path = reg.fetch("spacekit-1.1.4/hst_cal", progress=False)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == PUBLISHED["hst_cal"]
    monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", http_mirror + "missing/")
    with pytest.raises(ArchiveError, match="Could not download spacekit-1.1.4/jwst_cal"):
        reg.fetch("spacekit-1.1.4/jwst_cal", progress=False)
    assert cache_files(tmp_path) == ["models/spacekit-1.1.4/hst_cal.zip"]


def test_packaged_default_is_registered_and_verified():
    entry = reg.get_entry("packaged/jwst_cal")
    assert entry.packaged and entry.url is None
    assert entry.packaged_path == default_archive_path("jwst_cal")
    # the JSON beside the archive must be rewritten whenever the archive is retrained
    assert hashlib.sha256(entry.packaged_path.read_bytes()).hexdigest() == entry.sha256
    assert entry.size == entry.packaged_path.stat().st_size
    assert entry.trained_on == "simulated"
    assert reg.fetch("packaged/jwst_cal") == entry.packaged_path
    assert reg.default_name("jwst_cal") == "packaged/jwst_cal"
    assert "packaged/jwst_cal" in [e.name for e in reg.list_entries("jwst_cal")]
    assert [e.kind for e in reg.list_entries("hst_cal")] == ["hst_cal"] * len(
        reg.list_entries("hst_cal")
    )


def test_resolve_model_path(model_mirror, tmp_path):
    assert reg.resolve_model_path(None, kind="jwst_cal") == default_archive_path("jwst_cal")
    with pytest.raises(ArchiveError, match="not in the cache"):
        reg.resolve_model_path("spacekit-1.1.4/jwst_cal", kind="jwst_cal", download=False)
    got = reg.resolve_model_path("spacekit-1.1.4/jwst_cal", kind="jwst_cal")
    assert got == tmp_path / "cache" / "models" / "spacekit-1.1.4" / "jwst_cal.zip"
    assert reg.resolve_model_path(Path("spacekit-1.1.4/jwst_cal"), "jwst_cal", False) == got
    assert reg.resolve_model_path(tmp_path / "mine.zip", kind="jwst_cal") == tmp_path / "mine.zip"
    assert reg.resolve_model_path("~/x.zip") == Path.home() / "x.zip"
    with pytest.raises(ArchiveError, match="hst_cal archive, but a jwst_cal archive"):
        reg.resolve_model_path("spacekit-1.1.4/hst_cal", kind="jwst_cal")
    with pytest.raises(ArchiveError, match="neither a registered model name") as err:
        reg.resolve_model_path("spacekit-1.1.3/jwst_cal", kind="jwst_cal")
    assert "spacekit-1.1.4/jwst_cal" in str(err.value)
    with pytest.raises(InputError, match="needs the archive kind"):
        reg.resolve_model_path(None)


def test_unknown_name_lists_known_ones():
    with pytest.raises(ArchiveError) as err:
        reg.get_entry("spacekit-9/jwst_cal")
    assert "spacekit-1.1.4/hst_cal" in str(err.value)
    assert "packaged/jwst_cal" in str(err.value)


def test_register_site_archive(tmp_path, monkeypatch):
    monkeypatch.setattr(reg, "_REGISTRY", dict(reg._REGISTRY))
    archive = tmp_path / "site.zip"
    archive.write_bytes(b"site archive")
    sha = hashlib.sha256(b"site archive").hexdigest()
    entry = reg.ModelEntry(
        name="site-2026/jwst_cal",
        kind="jwst_cal",
        version="2026.1",
        filename="site.zip",
        sha256=sha,
        url="https://models.example.org/site.zip",
        trained_on="real",
    )
    assert reg.register(entry) is entry
    assert reg.get_entry("site-2026/jwst_cal") is entry
    with pytest.raises(InputError, match="already registered"):
        reg.register(entry)
    reg.register(entry, replace_existing=True)
    monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", tmp_path.as_uri())
    monkeypatch.setenv("SPACEKIT_CACHE", str(tmp_path / "cache"))
    assert reg.fetch("site-2026/jwst_cal").read_bytes() == b"site archive"


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("name", "no-slash", "source/kind"),
        ("sha256", "abc", "64 lower-case hex"),
        ("trained_on", "mostly", "trained_on"),
        ("url", None, "url or a packaged_path"),
    ],
)
def test_entry_validation(field, value, match):
    kwargs = dict(
        name="a/jwst_cal",
        kind="jwst_cal",
        version="1",
        filename="a.zip",
        sha256="0" * 64,
        url="https://x.invalid/a.zip",
    )
    kwargs[field] = value
    with pytest.raises(InputError, match=match):
        reg.ModelEntry(**kwargs)


def test_write_packaged_entry(tmp_path):
    archive = tmp_path / "svm_align.zip"
    archive.write_bytes(b"zip bytes")
    out = reg.write_packaged_entry(archive, "svm_align", "simulated", "test", version="0.1")
    meta = json.loads(out.read_text())
    assert out == tmp_path / "svm_align.json"
    assert meta == {
        "kind": "svm_align",
        "version": "0.1",
        "filename": "svm_align.zip",
        "sha256": hashlib.sha256(b"zip bytes").hexdigest(),
        "size": 9,
        "trained_on": "simulated",
        "description": "test",
    }
    entry = reg._read_packaged_entry(out)
    assert entry.name == "packaged/svm_align" and entry.packaged_path == archive
    with pytest.raises(InputError, match="trained_on"):
        reg.write_packaged_entry(archive, "svm_align", "real-ish", "test")


def test_provenance_recognises_published_archive_by_hash(reference_dir, tmp_path):
    copy = tmp_path / "anywhere.zip"
    copy.write_bytes((reference_dir / "jwst_cal.zip").read_bytes())
    prov = reg.provenance(load_archive(copy))
    assert prov.name == "spacekit-1.1.4/jwst_cal" and prov.registered
    assert (prov.version, prov.trained_on, prov.kind) == ("1.1.4", "real", "jwst_cal")
    assert prov.sha256 == PUBLISHED["jwst_cal"]
    assert prov.label() == (
        "spacekit-1.1.4/jwst_cal (version 1.1.4, sha256 216ba261e7c7, trained on real data)"
    )
    assert prov.to_dict()["path"] == str(copy)


def test_provenance_of_unregistered_archives(tmp_path):
    from keras_files import dense_keras_bytes

    model = dense_keras_bytes((18, 4, 1), 0, input_name="x", output_activation="linear")
    tx = {"lambdas": [0.1], "mu": [0.0], "sigma": [1.0]}
    zipped = save_archive(tmp_path / "mine.zip", {"img3_reg": model}, {"image": tx})
    prov = reg.provenance(load_archive(zipped))
    assert not prov.registered and prov.name == "mine.zip"
    assert prov.trained_on == "unknown"
    assert prov.sha256 == hashlib.sha256(zipped.read_bytes()).hexdigest()
    folder = save_archive(
        tmp_path / "mine", {"img3_reg": model}, {"image": tx}, extra={"trained_on": "real"}
    )
    prov = reg.provenance(load_archive(folder))
    assert prov.name == "mine" and prov.trained_on == "real" and len(prov.sha256) == 64
    assert prov.version is not None


def test_import_is_cheap():
    code = (
        "import sys, spacekit.builder.registry as r; r.list_entries(); "
        "print(sorted(m for m in ('pooch', 'requests', 'keras', 'tensorflow') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"

"""The model registry's download path on a site archive, without ``../shared``.

``test_registry.py`` checks fetching, verifying and caching on the published spacekit
1.1.4 archives (they are in ``../shared``, so those tests skip in a user's clone). The same
behaviour is checked here on a registered site archive: a copy of the ``jwst_cal`` archive
shipped in the package, on a mirror folder made in a temporary directory.
"""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from spacekit.builder import registry as reg
from spacekit.builder import registry_fetch
from spacekit.builder.archive import default_archive_path, load_archive
from spacekit.exceptions import ArchiveError

NAME = "site-2026/jwst_cal"


def cache_files(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def site(monkeypatch, tmp_path):
    """Register ``site-2026/jwst_cal`` (the packaged archive's bytes) on a mirror folder.

    Returns ``(mirror folder, sha256)``; the cache is ``tmp_path/cache``.
    """
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    archive = shutil.copyfile(default_archive_path("jwst_cal"), mirror / "site_jwst_cal.zip")
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(reg, "_REGISTRY", dict(reg._REGISTRY))
    reg.register(
        reg.ModelEntry(
            name=NAME,
            kind="jwst_cal",
            version="2026.1",
            filename="site_jwst_cal.zip",
            sha256=sha,
            url="https://models.example.invalid/site_jwst_cal.zip",
            trained_on="simulated",
            size=archive.stat().st_size,
        )
    )
    monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", mirror.as_uri())
    monkeypatch.setenv("SPACEKIT_CACHE", str(tmp_path / "cache"))
    return mirror, sha


def test_fetch_from_mirror_caches_and_verifies(site, tmp_path):
    _, sha = site
    path = reg.fetch(NAME)
    assert path == tmp_path / "cache" / "models" / "site-2026" / "site_jwst_cal.zip"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    assert cache_files(tmp_path / "cache") == ["models/site-2026/site_jwst_cal.zip"]
    assert reg.cached_path(NAME) == path
    mtime = path.stat().st_mtime_ns
    assert reg.fetch(NAME) == path  # no second copy
    assert path.stat().st_mtime_ns == mtime
    assert load_archive(path).models  # the fetched archive loads


def test_corrupted_cache_is_downloaded_again(site):
    _, sha = site
    path = reg.fetch(NAME)
    path.write_bytes(b"garbage")
    assert reg.cached_path(NAME) is None
    assert hashlib.sha256(reg.fetch(NAME).read_bytes()).hexdigest() == sha


def test_mirror_spellings(site, monkeypatch):
    mirror, _ = site
    monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", str(mirror))  # a plain folder
    assert reg.source_url(NAME) == (mirror / "site_jwst_cal.zip").as_uri()
    template = mirror.parent.as_uri() + "/mirror/site_{kind}.zip"  # a template
    monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", template)
    assert reg.source_url(NAME) == (mirror / "site_jwst_cal.zip").as_uri()
    assert reg.fetch(NAME).is_file()


@pytest.mark.parametrize("failure", [OSError("connection reset"), KeyboardInterrupt()])
def test_partial_download_never_lands_in_cache(site, monkeypatch, tmp_path, failure):
    def half_then_fail(url, output_file, pooch=None):
        src = registry_fetch._local_file(url).read_bytes()
        Path(output_file).write_bytes(src[: len(src) // 2])
        raise failure

    monkeypatch.setattr(registry_fetch, "_copy_file", half_then_fail)
    expected = ArchiveError if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected) as err:
        reg.fetch(NAME)
    if expected is ArchiveError:
        assert "connection reset" in str(err.value)
        assert "SPACEKIT_MODEL_MIRROR" in str(err.value)
    assert cache_files(tmp_path / "cache") == []


def test_http_download_through_pooch(site, monkeypatch, tmp_path):
    mirror, sha = site

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(mirror), **kw)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", url)
        path = reg.fetch(NAME, progress=False)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
        reg.fetch(NAME, progress=False, force=True)
        monkeypatch.setenv("SPACEKIT_MODEL_MIRROR", url + "missing/")
        with pytest.raises(ArchiveError, match=f"Could not download {NAME}"):
            reg.fetch(NAME, progress=False, force=True)
    finally:
        server.shutdown()
        server.server_close()
    assert cache_files(tmp_path / "cache") == ["models/site-2026/site_jwst_cal.zip"]


def test_resolve_model_path_and_predict_by_name(site, tmp_path):
    from spacekit.datasets import get_sample_path
    from spacekit.skopes.jwst.cal.predict import JwstCalPredict

    with pytest.raises(ArchiveError, match="not in the cache"):
        reg.resolve_model_path(NAME, kind="jwst_cal", download=False)
    got = reg.resolve_model_path(NAME, kind="jwst_cal")
    assert got == tmp_path / "cache" / "models" / "site-2026" / "site_jwst_cal.zip"
    with pytest.raises(ArchiveError, match="jwst_cal archive, but a hst_cal archive"):
        reg.resolve_model_path(NAME, kind="hst_cal")
    by_name = JwstCalPredict(get_sample_path("jwst"), model_path=NAME)
    packaged = JwstCalPredict(get_sample_path("jwst"))
    assert by_name.run_inference() == packaged.run_inference()  # the same bytes, by name
    assert len(by_name.predictions) == 10

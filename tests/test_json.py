"""Untrusted JSON: bounded nesting everywhere spacekit reads a user's JSON document."""

from __future__ import annotations

import json

import numpy as np
import pytest

from spacekit._json import json_depth, loads_bounded, read_json_file
from spacekit.exceptions import ArchiveError, DataError, InputError

DEEP = "[" * 100_000


def test_depth_ignores_brackets_in_strings():
    assert json_depth('{"a": "[[[[", "b": [1, {"c": "]]"}]}') == 3
    assert json_depth('["\\"[", []]') == 2
    assert json_depth("") == 0


@pytest.mark.parametrize("seed", range(4))
def test_loads_bounded_property(seed):
    rng = np.random.default_rng(seed)
    for _ in range(20):
        depth = int(rng.integers(1, 300))
        opens = rng.choice(["[", '{"k": '], size=depth)
        doc = "".join(opens) + "1" + "".join("]" if o == "[" else "}" for o in opens[::-1])
        limit = int(rng.integers(1, 300))
        if depth <= limit:
            assert loads_bounded(doc, max_depth=limit) == json.loads(doc)
        else:
            with pytest.raises(DataError, match=f"more than {limit} levels"):
                loads_bounded(doc, max_depth=limit)
        truncated = doc[: int(rng.integers(0, len(doc)))]
        if truncated and depth <= limit:
            with pytest.raises(DataError):
                loads_bounded(truncated, max_depth=limit)


def test_constants_and_errors():
    with pytest.raises(InputError, match="NaN is not a JSON number"):
        loads_bounded('{"a": NaN}', error=InputError)
    assert np.isnan(loads_bounded('{"a": NaN}', allow_nan=True)["a"])
    with pytest.raises(DataError, match="not valid JSON"):
        loads_bounded(b"\xff\xfe")


def test_every_user_json_reader_refuses_deep_nesting(tmp_path):
    """Each reader of a user's JSON gives its own clear error, never RecursionError."""
    from spacekit.analyzer.results import read_manifest
    from spacekit.extractor.scrape_svm import read_diagnostic_json
    from spacekit.preprocessor.ingest.state import read_manifest as read_ingest_manifest
    from spacekit.preprocessor.transform import load_tx_data
    from spacekit.visualization.server import read_history

    path = tmp_path / "deep.json"
    path.write_text(DEEP)
    with pytest.raises(DataError, match="levels deep"):
        read_json_file(path)
    with pytest.raises(DataError, match="levels deep"):
        load_tx_data(path)
    with pytest.raises(DataError, match="levels deep"):
        read_history(path)
    with pytest.raises(ValueError, match="levels deep"):
        read_diagnostic_json(path)
    (tmp_path / "manifest.json").write_text(DEEP)
    with pytest.raises(ArchiveError, match="levels deep"):
        read_manifest(tmp_path)
    (tmp_path / "ingest-manifest.json").write_text(DEEP)
    assert read_ingest_manifest(tmp_path)["processed"] == []  # replaced, with a warning

"""Tests of the argument checks shared by the simulators and the datasets CLI."""

import numpy as np
import pytest

from spacekit.datasets import _args
from spacekit.datasets._args import check_int, check_out_dir, check_seed, make_out_dir
from spacekit.exceptions import InputError


@pytest.mark.parametrize(
    ("value", "minimum", "maximum", "match"),
    [
        (0, 1, None, "n must be a positive integer; received n=0"),
        (True, 1, None, "n must be a positive integer; received n=True"),
        ("3", 1, None, "received n='3'"),
        (2.0, 1, None, "received n=2.0"),
        (-1, 0, None, "n must be a non-negative integer"),
        (40, 1, 32, r"n must be an integer in \[1, 32\]"),
        (2, 5, None, "n must be an integer >= 5"),
    ],
)
def test_check_int_rejects(value, minimum, maximum, match):
    with pytest.raises(InputError, match=match):
        check_int("n", value, minimum, maximum)


def test_check_int_accepts_numpy_integers():
    assert check_int("n", np.int64(3), 1) == 3 and type(check_int("n", np.int64(3), 1)) is int
    assert check_seed(0) == 0


def test_check_out_dir(tmp_path):
    assert check_out_dir(tmp_path / "new", overwrite=False) == tmp_path / "new"
    assert not (tmp_path / "new").exists()  # nothing is created
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="out_dir must be a folder; received out_dir=.*f'"):
        check_out_dir(tmp_path / "f", overwrite=True)
    with pytest.raises(InputError, match="is not empty.*--overwrite"):
        check_out_dir(tmp_path, overwrite=False)
    assert check_out_dir(tmp_path, overwrite=True) == tmp_path


def test_make_out_dir_under_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="Cannot create out_dir=.*writable location"):
        make_out_dir(tmp_path / "f" / "sub")


def test_make_out_dir_not_writable(tmp_path, monkeypatch):
    monkeypatch.setattr(_args.os, "access", lambda path, mode: False)
    with pytest.raises(InputError, match="is not writable"):
        make_out_dir(tmp_path / "ro")

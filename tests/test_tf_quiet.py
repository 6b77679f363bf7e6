"""TensorFlow's C++ start-up log lines stay off the console of spacekit's programs."""

import os
import subprocess
import sys
import types

import pytest

from spacekit import _tf_quiet
from spacekit._tf_quiet import is_tensorflow_noise, quiet_tensorflow

ONEDNN = (
    "I0000 00:00:1796620883.044074    3802 port.cc:153] oneDNN custom operations are on. "
    "You may see slightly different numerical results.\n"
)
NOTICE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
REMAPPER = "E0000 00:00:1796620942.585950    4215 meta_optimizer.cc:967] remapper failed\n"
LATER = "W1207 05:31:02.123456    4215 cuda_executor.cc:12] could not find cuda drivers\n"


def test_noise_lines_by_level():
    assert is_tensorflow_noise(ONEDNN, 1) and is_tensorflow_noise(NOTICE, 1)
    assert is_tensorflow_noise(LATER, 2) and not is_tensorflow_noise(LATER, 1)
    assert not is_tensorflow_noise(REMAPPER, 2) and is_tensorflow_noise(REMAPPER, 3)
    # level 0 (the user asked for everything) keeps every line
    assert not any(is_tensorflow_noise(line, 0) for line in (ONEDNN, NOTICE, LATER))
    for other in ("WARNING spacekit.skopes.hst.cal.train: no bounds\n", "Error: bad input\n"):
        assert not is_tensorflow_noise(other, 3)


def test_user_level_wins(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", types.ModuleType("tensorflow"))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    quiet_tensorflow()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL")
    quiet_tensorflow()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "2"


def test_import_noise_is_dropped_and_the_rest_replayed(monkeypatch, capfd):
    def fake_import():
        os.write(2, (NOTICE + ONEDNN + "a line of the user's own\n" + REMAPPER).encode())

    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.setattr(_tf_quiet, "_import_tensorflow", fake_import)
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    quiet_tensorflow()
    err = capfd.readouterr().err
    assert err == "a line of the user's own\n" + REMAPPER


def test_importing_spacekit_leaves_the_environment_alone():
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    code = (
        "import os, spacekit, spacekit.cli, spacekit.skopes.hst.cal.train\n"
        "print(os.environ.get('TF_CPP_MIN_LOG_LEVEL'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "None"


@pytest.mark.slow
def test_hstcal_train_stderr_has_no_tensorflow_noise(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    argv = [sys.executable, "-m", "spacekit", "hstcal", "train", "--simulate", "40"]
    argv += ["--epochs", "1", "-o", str(tmp_path), "--seed", "1"]
    argv += ["--no-baseline", "--no-plots", "--no-archive", "--no-progress"]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "memory" in out.stdout
    for marker in ("port.cc", "oneDNN", "cpu_feature_guard", "absl::InitializeLog", "tensorflow:"):
        assert marker not in out.stderr, out.stderr

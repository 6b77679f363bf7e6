"""``spacekit svm predict|train`` from the command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile

import pytest
from click.testing import CliRunner

from spacekit.cli import main


def test_svm_help_is_cheap():
    code = (
        "import sys\nfrom spacekit.cli import main\n"
        "for cmd in ([], ['predict'], ['train']):\n"
        "    argv = ['svm', *cmd, '--help']\n"
        "    try:\n        main(argv, prog_name='spacekit')\n"
        "    except SystemExit:\n        pass\n"
        "print('HEAVY', [m for m in ('tensorflow', 'keras', 'dash') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout
    assert "predict" in out.stdout and "train" in out.stdout


def test_predict_command(svm_prepped, tiny_archive, tmp_path):
    data_file, img_path, labels = svm_prepped
    archive, _ = tiny_archive
    args = ["svm", "predict", str(data_file), str(img_path), "-m", str(archive), "-s", "32"]
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert f"{len(labels)} visit(s) classified" in result.output
    assert "trained on simulated data" in result.output
    assert (tmp_path / "predictions" / "clf_report.txt").is_file()


def test_predict_command_fails_when_nothing_is_usable(svm_prepped, tiny_archive, tmp_path):
    data_file, _, _ = svm_prepped
    archive, _ = tiny_archive
    (tmp_path / "img").mkdir()
    args = ["svm", "predict", str(data_file), str(tmp_path / "img"), "-m", str(archive)]
    result = CliRunner().invoke(main, [*args, "-s", "32", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "nothing to classify" in result.output


def test_train_command(svm_prepped, tmp_path):
    data_file, img_path, _ = svm_prepped
    args = ["svm", "train", str(data_file), str(img_path), "-s", "32", "-e", "1", "-b", "4"]
    args += [
        "-o",
        str(tmp_path / "run"),
        "--seed",
        "1",
        "--no-baseline",
        "--no-progress",
        "-p",
        "1",
        "--trained-on",
        "simulated",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "ROC-AUC" in result.output and "ensemble" in result.output
    assert (tmp_path / "run" / "svm_align.zip").is_file()
    with zipfile.ZipFile(tmp_path / "run" / "svm_align.zip") as zf:
        assert json.loads(zf.read("manifest.json"))["trained_on"] == "simulated"
    assert any((tmp_path / "run" / "figures").glob("test-*.html"))


@pytest.mark.slow
def test_train_prints_no_tensorflow_error_lines(svm_prepped, tmp_path):
    # TensorFlow's remapper used to fail on Conv3D + BiasAdd + LeakyRelu in every
    # training run and print "E... meta_optimizer.cc] remapper failed" (issue #12 notes).
    data_file, img_path, _ = svm_prepped
    # Every TensorFlow line shown, and oneDNN on as users have it (conftest turns it off).
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "0"
    argv = [sys.executable, "-m", "spacekit", "svm", "train", str(data_file), str(img_path)]
    argv += ["-s", "32", "-e", "1", "-b", "4", "-o", str(tmp_path / "run"), "--seed", "1"]
    argv += ["--no-baseline", "--no-progress"]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "ROC-AUC" in out.stdout
    errors = [line for line in out.stderr.splitlines() if re.match(r"[EF]\d{4} ", line)]
    assert errors == [], out.stderr
    assert "remapper failed" not in out.stderr


def test_remapper_is_off_only_inside_the_block():
    import tensorflow as tf

    from spacekit.builder._grappler import remapper_off

    options = tf.config.optimizer
    with pytest.raises(RuntimeError), remapper_off():
        assert options.get_experimental_options()["remapping"] is False
        raise RuntimeError("fit failed")
    assert options.get_experimental_options().get("remapping", True) is True
    options.set_experimental_options({"remapping": False})
    try:
        with remapper_off():
            pass
        assert options.get_experimental_options()["remapping"] is False
    finally:
        options.set_experimental_options({"remapping": True})

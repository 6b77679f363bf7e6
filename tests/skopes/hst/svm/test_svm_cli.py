"""``spacekit svm predict|train`` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

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

"""The published 1.1.4 network on our prep of the reference visit gives 1.1.4's probability."""

import zipfile

import numpy as np
import pandas as pd
import pytest

from spacekit.extractor.images import read_visit_frames
from spacekit.skopes.hst.svm.prep import run_preprocessing

VISIT = "hst_15000_01_wfc3_ir_total_ibpb01"


@pytest.mark.slow
def test_published_svm_align_probability(reference_dir, tmp_path):
    keras = pytest.importorskip("keras")
    ref = reference_dir / "svm_render"
    expected = pd.read_csv(ref / "output" / "predictions.csv", index_col="index")
    run_preprocessing(str(ref / "input"), output_path=str(tmp_path))
    data = pd.read_csv(tmp_path / "svm_data.csv", index_col="index")
    images = read_visit_frames(tmp_path / "img", VISIT)[None].astype(np.float32)
    with zipfile.ZipFile(reference_dir / "svm_align.zip") as zf:
        member = "svm_align/ensembleSVM.keras"
        (tmp_path / "ensembleSVM.keras").write_bytes(zf.read(member))
    model = keras.models.load_model(tmp_path / "ensembleSVM.keras", safe_mode=True, compile=False)
    proba = float(model.predict([data.to_numpy(np.float32), images], verbose=0)[0, 0])
    assert abs(proba - expected.loc[VISIT, "y_proba"]) < 0.02  # 1.1.4: 0.989655

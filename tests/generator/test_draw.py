"""write_frames: atomic PNGs, and leftovers of a killed writer removed on the re-run."""

import numpy as np
from PIL import Image

from spacekit.generator.draw import Frames, write_frames


def test_rewrite_removes_a_killed_writers_temporary_files(tmp_path):
    name = "hst_1_01_wfc3_ir_total_ia0m01"
    folder = tmp_path / name
    folder.mkdir()
    stale = folder / f".{name}.png.abc123.part.png"  # what atomic_path leaves on SIGKILL
    stale.write_bytes(b"half a png")
    other = folder / "notes.txt"
    other.write_text("kept")
    img = np.full((4, 4, 3), 7, dtype=np.uint8)
    paths = write_frames(Frames(name=name, images={"": img, "_gaia": img}), tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{name}.png",
        f"{name}_gaia.png",
        "notes.txt",
    ]
    assert [p.name for p in paths] == [f"{name}.png", f"{name}_gaia.png"]
    np.testing.assert_array_equal(np.asarray(Image.open(paths[0])), img)

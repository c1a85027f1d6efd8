"""Helpers shared by the reference-model tests (a module with a unique name, importable next to the tests)."""

from __future__ import annotations

import csv

import numpy as np


def make_image_folder(root, count: int = 6, size: int = 40) -> str:
    """`count` smooth random RGB PNGs of `size` px plus captions.csv (the generic folder source layout)."""
    from tipbench.io import write_png

    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    with open(root / "captions.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_name", "caption"])
        for index in range(count):
            y, x = np.mgrid[0:size, 0:size] / size
            phase = rng.uniform(0, 6, 3)
            image = 0.5 + 0.4 * np.stack([np.sin(5 * x + phase[0]), np.cos(4 * y + phase[1]),
                                          np.sin(3 * (x + y) + phase[2])], -1)
            write_png(root / f"img{index}.png", np.rint(image * 255).astype(np.uint8))
            writer.writerow([f"img{index}.png", f"a pattern number {index}"])
    return str(root)


def tiny_train_overrides(output_dir, image_folder, **extra) -> dict:
    """Overrides that point reference_model/configs/tiny.yaml at a tmp folder and output dir."""
    data = {"recipe": {"name": "tiny-test", "source": {"kind": "folder", "root": image_folder},
                       "crop": {"mode": "random", "min_short_side": 16},
                       "mixture": {"realesrgan_probability": 0.0}}}
    data.update(extra.pop("data", {}))
    return {"output_dir": str(output_dir), "data": data, "num_validation_images": 0, **extra}

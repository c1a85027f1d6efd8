"""What integrity on use costs: verifying a split's GT and LQ files against the manifest, cold (every file hashed)
and warm (stat checks against the user cache), as a ratio to decoding the same files once, which `run` and `score`
do anyway.

A synthetic split of N textured 512² GTs with 128² LQs is written to a temporary folder (the cache too), then:
cold verify, warm verify (cache in memory), warm verify from the cache file (a new process's view), decode all.

    python bench/verify.py [--items 200]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TIPBENCH_CACHE"] = str(Path(tmp) / "cache")
        import numpy as np

        from tipbench.contracts import integrity
        from tipbench.contracts.split_folder import new_item, read_split_folder, write_split_folder
        from tipbench.io import decode_png

        rng = np.random.default_rng(0)
        y, x = np.mgrid[0:512, 0:512] / 512.0
        items = []
        for index in range(args.items):
            phase = rng.uniform(0, 6, 3)
            gt = np.stack([127 + 100 * np.sin((5 + c) * x + 3 * y + phase[c]) for c in range(3)], -1)
            gt = (gt + rng.normal(0, 8, gt.shape)).clip(0, 255).astype(np.uint8)
            items.append(new_item(f"{index:06d}", index, gt=gt, lq=gt[::4, ::4].copy()))
        split = write_split_folder(Path(tmp) / "bench", items, {"split": "bench"})
        megabytes = sum(p.stat().st_size for p in split.path.rglob("*.png")) / 1e6

        def timed(function) -> float:
            start = time.perf_counter()
            function()
            return time.perf_counter() - start

        cold = timed(lambda: integrity.verify_on_use(split, split.rows, ("gt", "lq")))
        warm = timed(lambda: integrity.verify_on_use(split, split.rows, ("gt", "lq")))
        read = timed(lambda: read_split_folder(split.path))
        integrity._OPEN.clear()
        warm_file = timed(lambda: integrity.verify_on_use(split, split.rows, ("gt", "lq")))
        decode = timed(lambda: [decode_png(split.image(row, kind)) for row in split.rows for kind in ("gt", "lq")])
        print(f"{args.items} items, {2 * args.items} files, {megabytes:.1f} MB")
        for name, seconds in (("read + check manifest", read), ("verify cold (hash)", cold), ("verify warm (memory)", warm),
                              ("verify warm (cache file)", warm_file), ("decode once", decode)):
            print(f"{name:26s} {seconds * 1000:9.1f} ms   ratio to decode {seconds / decode:6.3f}")


if __name__ == "__main__":
    main()

"""Reading shards: the sample dict, seeded shuffling, DataLoader worker split, webdataset compatibility, and the
on-the-fly mode (clean shards + per-batch synthesis) reproducing the paired shards from the same recipe."""

from __future__ import annotations

import json

import numpy as np
import pytest
from recipe_helpers import write_recipe

from data_recipes.onthefly import OnTheFlyDegrader
from data_recipes.reader import SAMPLE_KEYS, collate_samples, iter_shard_samples
from data_recipes.shards import ShardsConfig, write_shards
from tipbench.errors import ManifestError

NUM_SAMPLES = 12


@pytest.fixture(scope="module")
def paired_and_clean(tmp_path_factory, captioned_folder, mix_realesrgan):
    base = tmp_path_factory.mktemp("modes")
    out = {}
    for mode in ("paired", "clean"):
        recipe = write_recipe(base / f"{mode}.yaml", captioned_folder, name=f"test-{mode}", mode=mode,
                              realesrgan=mix_realesrgan, num_samples=NUM_SAMPLES)
        write_shards(ShardsConfig(str(recipe), str(base / mode), num_shards=3, workers=1, progress=False))
        out[mode] = base / mode
    return out


def test_sample_dict_has_the_contract_keys_and_types(paired_and_clean):
    samples = list(iter_shard_samples(paired_and_clean["paired"]))
    assert samples and all(set(s) == set(SAMPLE_KEYS) for s in samples)
    for s in samples:
        assert s["gt"].dtype == np.uint8 and s["gt"].shape == (160, 160, 3)
        assert s["lq"].dtype == np.uint8 and s["lq"].ndim == 3
        assert isinstance(json.loads(s["params"]), dict)
        assert s["pipeline"] in ("param", "realesrgan")
        assert s["id"] == f"{s['index']:09d}"
    clean = list(iter_shard_samples(paired_and_clean["clean"]))
    assert [s["id"] for s in clean] == [s["id"] for s in samples]
    assert all(s["lq"] is None for s in clean)


def test_shuffle_is_seeded_and_a_permutation(paired_and_clean):
    folder = paired_and_clean["paired"]
    plain = [s["id"] for s in iter_shard_samples(folder)]
    per_shard = [[s["id"] for s in iter_shard_samples(path)] for path in sorted(folder.glob("shard-*.tar"))]
    assert plain == [key for keys in per_shard for key in keys]  # shard after shard, each in key order
    assert all(keys == sorted(keys) for keys in per_shard)
    first = [s["id"] for s in iter_shard_samples(folder, shuffle_seed=3, buffer_size=8)]
    again = [s["id"] for s in iter_shard_samples(folder, shuffle_seed=3, buffer_size=8)]
    other_epoch = [s["id"] for s in iter_shard_samples(folder, shuffle_seed=3, epoch=1, buffer_size=8)]
    assert first == again
    assert sorted(first) == sorted(plain) and first != plain
    assert other_epoch != first


def test_clean_shards_plus_on_the_fly_match_paired_shards(paired_and_clean, mix_realesrgan):
    """Same recipe, both modes: the param branch is bit-identical, the Real-ESRGAN branch within the torch backend's
    documented tolerance of the numpy backend."""
    from tipbench.degradations.realesrgan.torch_backend import BACKEND_TOLERANCE

    paired = list(iter_shard_samples(paired_and_clean["paired"]))
    clean = list(iter_shard_samples(paired_and_clean["clean"]))
    if mix_realesrgan > 0:
        assert {"param", "realesrgan"} == {s["pipeline"] for s in clean}  # both synthesis paths exercised
    for backend in ("cpu", "torch"):
        batch = OnTheFlyDegrader(device="cpu", backend=backend)(collate_samples(clean))
        for expected, lq, pipeline in zip(paired, batch["lq"], batch["pipeline"]):
            assert lq.shape == expected["lq"].shape
            diff = np.abs(lq.astype(np.int16) - expected["lq"].astype(np.int16))
            if pipeline == "param" or backend == "cpu":
                assert diff.max() == 0
            else:
                assert diff.mean() <= BACKEND_TOLERANCE["mean_abs_levels"]
                assert (diff <= 1).mean() >= BACKEND_TOLERANCE["within_one_level"]
    for key in ("semantic_prompt", "restoration_prompt", "restoration_prompt_type", "params", "pipeline"):
        assert [s[key] for s in clean] == [s[key] for s in paired]


def test_dataloader_workers_read_each_sample_once(paired_and_clean):
    from torch.utils.data import DataLoader

    from data_recipes import ShardIterableDataset

    dataset = ShardIterableDataset(paired_and_clean["clean"], shuffle_seed=0, buffer_size=4)
    loader = DataLoader(dataset, batch_size=3, num_workers=2, collate_fn=collate_samples)
    batches = list(loader)
    ids = [i for batch in batches for i in batch["id"]]
    assert sorted(ids) == sorted(s["id"] for s in iter_shard_samples(paired_and_clean["clean"]))
    assert len(ids) == len(set(ids)) == NUM_SAMPLES  # skipped draws were replaced
    # in-worker synthesis filled every param sample; Real-ESRGAN ones wait for the per-batch degrader
    for batch in batches:
        for lq, pipeline in zip(batch["lq"], batch["pipeline"]):
            assert (lq is None) == (pipeline == "realesrgan")


def test_webdataset_package_reads_the_shards(paired_and_clean):
    wds = pytest.importorskip("webdataset")
    paths = sorted(str(p) for p in paired_and_clean["paired"].glob("shard-*.tar"))
    dataset = wds.WebDataset(paths, shardshuffle=False, nodesplitter=None, workersplitter=None, empty_check=False)
    samples = list(dataset.decode("rgb8"))
    ours = list(iter_shard_samples(paired_and_clean["paired"]))
    assert [s["__key__"] for s in samples] == [s["id"] for s in ours]
    assert all((a["x.png"] == b["gt"]).all() and (a["y.png"] == b["lq"]).all() for a, b in zip(samples, ours))
    assert [a["json"]["restoration_prompt"] for a in samples] == [b["restoration_prompt"] for b in ours]


def test_unreadable_shard_is_a_clear_error(tmp_path):
    bad = tmp_path / "shard-000000.tar"
    bad.write_bytes(b"this is not a tar file" * 40)
    with pytest.raises(ManifestError, match="cannot read shard"):
        list(iter_shard_samples(bad))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ManifestError, match="no shard"):
        list(iter_shard_samples(empty))

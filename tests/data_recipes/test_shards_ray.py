"""The Ray engine (one task per shard) writes the same bytes as the local process pool. Needs the [ray] extra."""

from __future__ import annotations

import hashlib

import pytest
from recipe_helpers import write_recipe

from data_recipes.shards import ShardsConfig, main, write_shards

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def test_local_and_ray_engines_write_identical_shards(ray_cluster, tmp_path, captioned_folder, mix_realesrgan):
    recipe = write_recipe(tmp_path / "recipe.yaml", captioned_folder, realesrgan=mix_realesrgan, num_samples=24)
    local = write_shards(ShardsConfig(str(recipe), str(tmp_path / "local"), num_shards=3, workers=2, progress=False))
    on_ray = write_shards(
        ShardsConfig(str(recipe), str(tmp_path / "ray"), num_shards=3, workers=2, engine="ray", progress=False)
    )
    assert [d["sha256"] for d in on_ray] == [d["sha256"] for d in local]
    for k in range(3):
        name = f"shard-{k:06d}.tar"
        assert hashlib.sha256((tmp_path / "ray" / name).read_bytes()).digest() == hashlib.sha256(
            (tmp_path / "local" / name).read_bytes()).digest()
    assert ray_cluster.is_initialized()  # the engine leaves a cluster it did not start running


def test_ray_engine_from_the_cli(ray_cluster, tmp_path, captioned_folder):
    recipe = write_recipe(tmp_path / "recipe.yaml", captioned_folder, realesrgan=0.0, num_samples=8)
    assert main([str(recipe), "--out", str(tmp_path / "o"), "--num-shards", "2", "--engine", "ray", "-q"]) == 0
    assert sorted(p.name for p in (tmp_path / "o").glob("*.tar")) == ["shard-000000.tar", "shard-000001.tar"]

"""Real-ESRGAN sampling (protocol §4.1, §4.2, §4.6): probabilities within binomial bounds, every value
inside its range, for both parameter sets; JSON round trip; training-mode batch sharing."""

from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
import pytest

from tipbench.degradations.realesrgan import PARAMETER_SETS, params_from_dict, sample, sample_batch
from tipbench.degradations.realesrgan.params import KERNEL_FAMILIES, KERNEL_FAMILY_WEIGHTS, KERNEL_SIZES
from tipbench.errors import ConfigError
from tipbench.seeding import Stage, item_rng

N_SAMPLES = 20_000
Z = 4.5


def _binomial_ok(count: int, n: int, p: float) -> bool:
    return abs(count - n * p) <= Z * math.sqrt(n * p * (1 - p))


def _assert_rate(count: int, n: int, p: float, what: str) -> None:
    assert _binomial_ok(count, n, p), f"{what}: {count}/{n} = {count / n:.4f}, expected {p}"


def _assert_uniform(values: list[float], low: float, high: float, what: str) -> None:
    """Inside [low, high), reaching both ends, mean and both halves as a uniform law predicts (4.5σ)."""
    values = np.asarray(values)
    n, width = len(values), high - low
    assert values.min() >= low and values.max() < high, (what, values.min(), values.max())
    assert values.min() - low < 20 * width / n and high - values.max() < 20 * width / n, what
    assert abs(values.mean() - (low + high) / 2) <= Z * width / math.sqrt(12 * n), (what, values.mean())
    _assert_rate(int((values < low + width / 2).sum()), n, 0.5, f"{what} lower half")


@pytest.fixture(scope="module", params=sorted(PARAMETER_SETS))
def draws(request):
    name = request.param
    records = [sample(item_rng(0, Stage.DEGRADATION, i), param_set=name) for i in range(N_SAMPLES)]
    return PARAMETER_SETS[name], records


def _kernel_checks(kernels, ranges, what: str) -> None:
    n = len(kernels)
    _assert_rate(sum(k.kind == "sinc" for k in kernels), n, ranges.sinc_probability, f"{what} sinc")
    sizes = Counter(k.size for k in kernels)
    for size in KERNEL_SIZES:
        _assert_rate(sizes[size], n, 1 / len(KERNEL_SIZES), f"{what} size {size}")
    mixed = [k for k in kernels if k.kind != "sinc"]
    families = Counter(k.kind for k in mixed)
    for family, weight in zip(KERNEL_FAMILIES, KERNEL_FAMILY_WEIGHTS):
        _assert_rate(families[family], len(mixed), weight, f"{what} family {family}")
    for k in kernels:
        if k.kind == "sinc":
            low = math.pi / 3 if k.size < 13 else math.pi / 5
            assert low <= k.omega < math.pi, (what, k)
            continue
        assert (
            ranges.sigma[0] <= k.sigma_x < ranges.sigma[1] and ranges.sigma[0] <= k.sigma_y < ranges.sigma[1]
        )
        assert -math.pi <= k.theta < math.pi
        if k.kind.endswith("aniso"):
            continue
        assert k.sigma_y == k.sigma_x and k.theta == 0.0
    generalized = [k.beta for k in mixed if k.kind.startswith("generalized")]
    plateau = [k.beta for k in mixed if k.kind.startswith("plateau")]
    assert min(generalized) >= ranges.beta_generalized[0] and max(generalized) < ranges.beta_generalized[1]
    assert min(plateau) >= 1.0 and max(plateau) < ranges.beta_plateau[1]
    _assert_rate(sum(b < 1 for b in generalized), len(generalized), 0.5, f"{what} generalized β < 1")
    _assert_rate(sum(b == 1.0 for b in plateau), len(plateau), 0.5, f"{what} plateau β == 1 exactly")
    assert all(k.beta is None for k in mixed if k.kind in ("iso", "aniso"))


def test_kernel_statistics(draws):
    ranges, records = draws
    _kernel_checks([r.kernel1 for r in records], ranges.kernel1, "kernel1")
    _kernel_checks([r.kernel2 for r in records], ranges.kernel2, "kernel2")
    finals = [r.final_kernel for r in records]
    _assert_rate(
        sum(k.kind == "sinc" for k in finals), N_SAMPLES, ranges.final_sinc_probability, "final sinc"
    )
    assert all(k.size == 21 for k in finals if k.kind == "delta")
    _assert_uniform([k.omega for k in finals if k.kind == "sinc"], math.pi / 3, math.pi, "final ω_c")


def _stage_checks(resizes, noises, qualities, stage, what: str) -> None:
    n = len(resizes)
    directions = Counter(r.direction for r in resizes)
    for direction, p in zip(("up", "down", "keep"), stage.resize_probabilities):
        _assert_rate(directions[direction], n, p, f"{what} resize {direction}")
    modes = Counter(r.mode for r in resizes)
    for mode in ("area", "bilinear", "bicubic"):
        _assert_rate(modes[mode], n, 1 / 3, f"{what} mode {mode}")
    low, high = stage.resize_range
    _assert_uniform([r.scale for r in resizes if r.direction == "up"], 1.0, high, f"{what} up-scale")
    _assert_uniform([r.scale for r in resizes if r.direction == "down"], low, 1.0, f"{what} down-scale")
    assert all(r.scale == 1.0 for r in resizes if r.direction == "keep")
    _assert_rate(sum(z.kind == "gaussian" for z in noises), n, stage.gaussian_probability, f"{what} Gaussian")
    _assert_rate(sum(z.gray for z in noises), n, stage.gray_probability, f"{what} gray")
    _assert_uniform([z.sigma for z in noises if z.kind == "gaussian"], *stage.gaussian_sigma, f"{what} σ")
    _assert_uniform([z.scale for z in noises if z.kind == "poisson"], *stage.poisson_scale, f"{what} Poisson")
    _assert_uniform(qualities, *stage.jpeg_quality, f"{what} JPEG quality")


def test_stage_statistics(draws):
    ranges, records = draws
    _stage_checks(
        [r.resize1 for r in records], [r.noise1 for r in records], [r.jpeg1_quality for r in records],
        ranges.stage1, "stage 1",
    )  # fmt: skip
    _stage_checks(
        [r.resize2 for r in records], [r.noise2 for r in records], [r.jpeg2_quality for r in records],
        ranges.stage2, "stage 2",
    )  # fmt: skip
    _assert_rate(
        sum(r.second_blur for r in records), N_SAMPLES, ranges.second_blur_probability, "second blur"
    )
    _assert_rate(sum(r.final_order == "resize-sinc-jpeg" for r in records), N_SAMPLES, 0.5, "order A")
    modes = Counter(r.final_resize_mode for r in records)
    for mode in ("area", "bilinear", "bicubic"):
        _assert_rate(modes[mode], N_SAMPLES, 1 / 3, f"final mode {mode}")
    assert len({r.noise_seed for r in records}) == N_SAMPLES


def test_parameter_sets_hold_the_anchor_numbers():
    x4plus, stablesr = PARAMETER_SETS["realesrgan-x4plus"], PARAMETER_SETS["stablesr"]
    assert x4plus.kernel1.sigma == (0.2, 3.0) and stablesr.kernel1.sigma == (0.2, 1.5)
    assert x4plus.stage1.jpeg_quality == (30.0, 95.0) and stablesr.stage2.jpeg_quality == (60.0, 100.0)
    assert x4plus.second_blur_probability == 0.8 and stablesr.second_blur_probability == 0.5
    assert stablesr.stage2.resize_range == (0.6, 1.2) and x4plus.stage1.resize_range == (0.15, 1.5)


def test_record_json_round_trip_is_exact(draws):
    _, records = draws
    for record in records[:300]:
        text = json.dumps(record.to_dict())
        assert params_from_dict(json.loads(text)) == record


def test_different_index_gives_different_draws():
    first = sample(item_rng(0, Stage.DEGRADATION, 0))
    assert first == sample(item_rng(0, Stage.DEGRADATION, 0))
    assert first != sample(item_rng(0, Stage.DEGRADATION, 1))
    assert first != sample(item_rng(1, Stage.DEGRADATION, 0))


def test_training_batch_shares_exactly_the_anchors_batch_decisions():
    rng = np.random.default_rng(5)
    for _ in range(20):
        batch = sample_batch(rng, 6, training=True)
        shared = {(r.resize1, r.noise1.kind, r.second_blur, r.resize2, r.noise2.kind, r.final_order,
                   r.final_resize_mode) for r in batch}  # fmt: skip
        assert len(shared) == 1
        assert len({r.kernel1 for r in batch}) == 6 and len({r.jpeg1_quality for r in batch}) == 6
        assert len({r.noise_seed for r in batch}) == 6
    per_image = sample_batch(np.random.default_rng(5), 50)
    assert len({(r.resize1, r.final_order) for r in per_image}) > 10


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(jpeg1_quality=100.0), "jpeg1_quality"),
        (lambda d: d["kernel1"].update(kind="box"), "kernel kind"),
        (lambda d: d["kernel1"].update(size=8), "kernel size"),
        (lambda d: d["noise1"].update(kind="speckle"), "noise kind"),
        (lambda d: d.update(extra=1), "unknown .* key"),
        (lambda d: d["resize2"].update(mode="nearest"), "resize mode"),
        (lambda d: d.pop("noise_seed"), "incomplete"),
        (lambda d: d.update(param_set="bsrgan"), "parameter set"),
    ],
)
def test_malformed_records_are_rejected(mutate, message):
    data = json.loads(json.dumps(sample(np.random.default_rng(0)).to_dict()))
    mutate(data)
    with pytest.raises(ConfigError, match=message):
        params_from_dict(data)


def test_unknown_parameter_set_names_the_choices():
    with pytest.raises(ConfigError, match="realesrgan-x4plus, stablesr"):
        sample(np.random.default_rng(0), param_set="x2")

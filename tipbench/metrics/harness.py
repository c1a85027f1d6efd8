"""The one scoring pass: each pair decoded once, every metric updated from the same pixels, batched, GT cached.

1. a DataLoader decodes restored + reference PNGs and derives the FID (299) and CLIP (224) views in workers;
2. per batch: PSNR/SSIM (RGB, Y) and LPIPS on the uint8 pixels, Inception and CLIP on the views;
3. GT work (Inception features, CLIP image and caption embeddings) only on a GT-cache miss;
4. at the end: per-item table, FID from streamed statistics, CLIP cosines;
5. across processes (a launched group), each takes whole batches and the main one reduces (`metrics.reduce`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import torch

from tipbench.contracts.split_folder import SplitFolder
from tipbench.metrics import gt_cache, networks
from tipbench.metrics.functional.fid import FeatureStats
from tipbench.metrics.functional.psnr import _psnr_compute, _psnr_update
from tipbench.metrics.functional.ssim import _ssim_update
from tipbench.metrics.reduce import PassShare, combine
from tipbench.metrics.specs import DEFAULT_CLIP_MODEL, family_metrics
from tipbench.metrics.views import clip_view, fid_view, make_fid_resizer
from tipbench.parallel import SINGLE, Part

logger = logging.getLogger(__name__)

PIXEL_COLUMNS = family_metrics("pixel")  # psnr, ssim, psnr_y, ssim_y: always computed, in the loader workers


@dataclass(frozen=True)
class ScoreItem:
    """One pair to score: restored output, reference (GT or selective target) and the caption (c_s)."""

    id: str
    out_path: Path
    ref_path: Path
    caption: str


@dataclass(frozen=True)
class HarnessOptions:
    """What to compute and how (built by `tipbench.score` from `ScoreConfig`)."""

    lpips: bool
    fid: bool
    clip: bool
    metric_weights: networks.MetricWeights = "real"
    random_arch: networks.RandomArch = "tiny"
    clip_model: str = DEFAULT_CLIP_MODEL
    device: str = "cpu"
    batch_size: int = 16
    workers: int = 0
    reference: str = "gt"
    use_gt_cache: bool = True
    progress: bool = True
    settings: dict = field(default_factory=dict)


@dataclass
class HarnessResult:
    columns: dict[str, np.ndarray]
    fid_stats: tuple[FeatureStats, FeatureStats] | None
    weight_ids: dict[str, str]
    gt_cache: dict[str, str]


class _PairDataset(torch.utils.data.Dataset):
    """Decodes one pair per item (once) and returns its pixel tensors and the views the networks need."""

    def __init__(self, items: list[ScoreItem], fid_views: tuple[bool, bool], clip_views: tuple[bool, bool],
                 clip_preprocess=None) -> None:
        self.items, self.fid_views, self.clip_views = items, fid_views, clip_views
        self.clip_preprocess = clip_preprocess
        self.resizer = make_fid_resizer() if any(fid_views) else None

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict:
        from tipbench.io import decode_png

        item = self.items[index]
        arrays = [decode_png(path) for path in (item.out_path, item.ref_path)]
        sample = {"index": index, "out": torch.from_numpy(arrays[0]).permute(2, 0, 1),
                  "ref": torch.from_numpy(arrays[1]).permute(2, 0, 1), "pixel": pixel_scores(*arrays)}
        for key, flags, view in (("fid", self.fid_views, partial(fid_view, resizer=self.resizer)),
                                 ("clip", self.clip_views, partial(clip_view, preprocess=self.clip_preprocess))):
            for wanted, name, array in zip(flags, ("out", "ref"), arrays):
                if wanted:
                    sample[f"{key}_{name}"] = view(array)
        return sample


def pixel_scores(out: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    """PSNR/SSIM on RGB and Y of one decoded pair (runs in the loader workers, CPU float64)."""
    return {"psnr": _psnr_compute(_psnr_update(out, ref, "rgb")), "ssim": _ssim_update(out, ref, "rgb"),
            "psnr_y": _psnr_compute(_psnr_update(out, ref, "y")), "ssim_y": _ssim_update(out, ref, "y")}


def _collate(samples: list[dict]) -> dict:
    batch = {"index": [s["index"] for s in samples], "out": [s["out"] for s in samples],
             "ref": [s["ref"] for s in samples], "pixel": [s["pixel"] for s in samples]}
    for key in samples[0]:
        if key.startswith(("fid_", "clip_")):
            batch[key] = torch.stack([s[key] for s in samples])
    return batch


def _same_shape_runs(tensors: list[torch.Tensor]) -> list[slice]:
    """Consecutive runs of equal shape, so batches keep item order even when sizes differ."""
    runs, start = [], 0
    for i in range(1, len(tensors) + 1):
        if i == len(tensors) or tensors[i].shape != tensors[start].shape:
            runs.append(slice(start, i))
            start = i
    return runs


def _cache_parts(family: str, split: SplitFolder, options: HarnessOptions, weight_id: str) -> dict:
    from tipbench.metrics.versions import library_versions

    return {"family": family, "manifest_sha256": split.manifest_sha256, "subset": split.subset,
            "reference": options.reference,
            "settings": options.settings.get(family), "weight_id": weight_id, "versions": library_versions()}


def run_pass(items: list[ScoreItem], split: SplitFolder, options: HarnessOptions,
             group: Part = SINGLE) -> HarnessResult | None:
    """Score `items` (already validated) in one pass; see the module docstring.

    With a launched `group`, each process scores whole batches of the one-process pass (`tipbench.metrics.reduce`)
    and the main process gets the result in item order; the others get None.
    """
    from tipbench.metrics.clip import ClipEncoder
    from tipbench.metrics.fid import FID
    from tipbench.metrics.lpips import LPIPS

    device, ids = options.device, split.ids
    weight_ids: dict[str, str] = {}
    cache_state: dict[str, str] = {}
    lpips_metric = LPIPS(options.metric_weights, device) if options.lpips else None
    if lpips_metric is not None:
        weight_ids["lpips"] = lpips_metric.weight_id

    # GT side: cached or computed in this pass.
    fid_metric, fid_cached, fid_path = None, None, None
    if options.fid:
        fid_metric = FID(options.metric_weights, options.random_arch, device)
        weight_ids["fid"] = fid_metric.weight_id
        fid_path = gt_cache.cache_path(split.path, "fid",
                                       gt_cache.cache_key(**_cache_parts("fid", split, options, fid_metric.weight_id)))
        fid_cached = gt_cache.load(fid_path, ids) if options.use_gt_cache else None
        if fid_cached is not None:
            fid_metric.set_target_stats(FeatureStats(int(fid_cached["mean"].shape[0]), int(fid_cached["n"]),
                                                     fid_cached["mean"], fid_cached["scatter"]))
        cache_state["fid"] = "hit" if fid_cached is not None else "miss"
    encoder, clip_cached, clip_path = None, None, None
    if options.clip:
        bundle = networks.build_clip(options.clip_model, options.metric_weights, options.random_arch, device)
        encoder = ClipEncoder(bundle, device)
        weight_ids["clip"] = bundle.weight_id
        clip_path = gt_cache.cache_path(split.path, "clip",
                                        gt_cache.cache_key(**_cache_parts("clip", split, options, bundle.weight_id)))
        clip_cached = gt_cache.load(clip_path, ids) if options.use_gt_cache else None
        cache_state["clip"] = "hit" if clip_cached is not None else "miss"

    dataset = _PairDataset(items, (options.fid, options.fid and fid_cached is None),
                           (options.clip, options.clip and clip_cached is None),
                           encoder.bundle.preprocess if encoder else None)
    every_batch = [list(range(start, min(start + options.batch_size, len(items))))
                   for start in range(0, len(items), options.batch_size)]
    # an own generator: without one, iterating the loader draws a base seed from torch's global RNG (protocol §2)
    loader = torch.utils.data.DataLoader(dataset, batch_sampler=group.mine(every_batch),
                                         num_workers=options.workers, collate_fn=_collate,
                                         generator=torch.Generator().manual_seed(0))
    from tipbench.cli import progress_bar
    from tipbench.pools import sigint_held

    share = PassShare(pixel={name: [] for name in PIXEL_COLUMNS})
    with sigint_held():  # the loader forks its workers here
        batches = iter(loader)
    bar = progress_bar(batches, total=len(loader), desc="score", unit="batch", enabled=options.progress)
    for batch in bar:
        share.positions.extend(batch["index"])
        for scores in batch["pixel"]:
            for name in PIXEL_COLUMNS:
                share.pixel[name].append(scores[name])
        for run in _same_shape_runs(batch["out"]) if lpips_metric is not None else ():
            lpips_metric.update(torch.stack(batch["out"][run]).to(device), torch.stack(batch["ref"][run]).to(device))
        if fid_metric is not None:
            features = fid_metric.update_resized(batch["fid_out"], batch.get("fid_ref"))
            if features is not None:
                share.gt_features.append(features.astype(np.float32))
        if encoder is not None:
            share.clip_out.append(encoder.images(batch["clip_out"]))
            if "clip_ref" in batch:
                share.clip_gt.append(encoder.images(batch["clip_ref"]))
    if lpips_metric is not None:
        share.lpips = lpips_metric.per_item().numpy()
    if fid_metric is not None:
        share.fid_pred = fid_metric.pred_stats
        share.fid_target = fid_metric.target_stats if fid_cached is None else None
    if group.count > 1:
        shares = group.gather(share)
        if not group.is_main:
            return None
        share = combine(shares)

    columns = {name: np.asarray(values, dtype=np.float64) for name, values in share.pixel.items()}
    if lpips_metric is not None:
        columns["lpips"] = share.lpips if share.lpips is not None else np.zeros(0)
    fid_stats = None
    if fid_metric is not None:
        target = share.fid_target if share.fid_target is not None else fid_metric.target_stats
        if fid_cached is None and options.use_gt_cache:
            gt_cache.save(fid_path, ids, _cache_parts("fid", split, options, fid_metric.weight_id),
                          features=np.concatenate(share.gt_features), mean=target.mean, scatter=target.scatter,
                          n=np.asarray(target.n))
        fid_stats = (share.fid_pred, target)
    if encoder is not None:
        columns.update(_clip_columns(encoder, split, options, clip_cached, clip_path, share.clip_out, share.clip_gt))
    return HarnessResult(columns, fid_stats, weight_ids, cache_state)


def _clip_columns(encoder, split: SplitFolder, options: HarnessOptions, cached, path: Path,
                  out_embeddings: list, gt_embeddings: list) -> dict[str, np.ndarray]:
    from tipbench.metrics.clip import CLIPImageSimilarity, CLIPTextSimilarity

    if cached is not None:
        gt_images = torch.from_numpy(cached["image_embeddings"])
        texts, has_caption = torch.from_numpy(cached["text_embeddings"]), torch.from_numpy(cached["has_caption"])
    else:
        gt_images = torch.cat(gt_embeddings)
        has_caption = torch.tensor([bool(c) for c in split.semantic_prompts])
        texts = torch.zeros_like(gt_images)
        captioned = [i for i, c in enumerate(split.semantic_prompts) if c]
        for start in range(0, len(captioned), options.batch_size):
            chunk = captioned[start:start + options.batch_size]
            texts[chunk] = encoder.texts([split.semantic_prompts[i] for i in chunk])
        if options.use_gt_cache:
            gt_cache.save(path, split.ids, _cache_parts("clip", split, options, encoder.bundle.weight_id),
                          image_embeddings=gt_images.numpy(), text_embeddings=texts.numpy(),
                          has_caption=has_caption.numpy())
    out = torch.cat(out_embeddings)
    clip_i, clip_t = CLIPImageSimilarity(encoder), CLIPTextSimilarity(encoder)
    clip_i.update_embeddings(out, gt_images)
    clip_t.update_embeddings(out, texts, has_caption)
    return {"clip_i": clip_i.per_item().numpy(), "clip_t": clip_t.per_item().numpy()}

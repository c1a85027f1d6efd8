"""`make_figure`: build the grid a `FigureConfig` asks for, from any registered method (or a run's outputs)."""

from __future__ import annotations

from tipbench.errors import ConfigError
from tipbench.figures.config import FigureConfig


def _restorer(config: FigureConfig, label: str):
    """The registered method `label` (`method[@variant]`), built as `tipbench.run` builds it."""
    from tipbench.contracts.run_folder import split_method_label
    from tipbench.methods import load_restorer

    method, variant = split_method_label(label)
    return load_restorer(method, variant=variant, checkpoint=config.checkpoint, device=config.device)


def make_figure(config: FigureConfig):
    """Build the configured grid (a `GridFigure`); writing it is the caller's job."""
    if config.kind == "walk":
        from tipbench.figures.walk import DEFAULT_DEBLUR_SIGMAS, DEFAULT_DENOISE_SIGMAS, walk_grid

        lq, semantic, _ = config.input.load()
        return walk_grid(_restorer(config, config.method[0]), lq,
                         deblur_sigmas=config.deblur_sigmas or DEFAULT_DEBLUR_SIGMAS,
                         denoise_sigmas=config.denoise_sigmas or DEFAULT_DENOISE_SIGMAS,
                         semantic_prompt="", seed=config.input.seed, progress=config.progress)
    if config.kind == "semantic":
        from tipbench.figures.panels import semantic_grid

        lq, semantic, restoration = config.input.load()
        prompts = config.semantic_prompts or ("", semantic)
        chosen = restoration if config.restoration_prompt is None else config.restoration_prompt
        return semantic_grid(_restorer(config, config.method[0]), lq, list(prompts), restoration_prompt=chosen,
                             seed=config.input.seed)
    if config.kind == "compare":
        from tipbench import paths
        from tipbench.contracts.run_folder import OUT_DIR, RunKey, split_method_label
        from tipbench.figures.inputs import read_split_items
        from tipbench.figures.panels import compare_grid, restorer_source, run_output_source

        if not config.input.split or not config.ids:
            raise ConfigError("`compare` needs `--split` and at least one `--id`")
        items = read_split_items(paths.splits_dir(config.input.splits_dir) / config.input.split, list(config.ids))
        sources = []
        for label in config.method:
            method, variant = split_method_label(label)
            run_dir = RunKey(config.input.split, method, config.prompts, variant).path(paths.runs_dir(config.runs_dir))
            if (run_dir / OUT_DIR).is_dir():
                sources.append((label, run_output_source(run_dir)))
            else:
                sources.append((label, restorer_source(_restorer(config, label), config.prompts)))
        return compare_grid(items, sources, title=f"{config.input.split}, prompts: {config.prompts}")
    raise ConfigError(f"unknown figure `{config.kind}`; valid: walk, semantic, compare")

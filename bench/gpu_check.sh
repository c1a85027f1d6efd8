#!/usr/bin/env bash
# GPU checks of the reference model, for a CUDA machine whose Python has torch but may lack diffusers, transformers,
# accelerate, open_clip (and cannot reach a registry). Missing packages are installed from ./wheels, built
# beforehand on a connected machine with:
#     python bench/build_wheels.py --python-version <the GPU machine's 3.x> [--science]
# and carried along with the tree (e.g. `run(carry=["wheels"])`). Results: $OUT/gpu_model_check.json (or ./).
#
#     bash bench/gpu_check.sh [--sections tiny,sd15-infer,sd15-train,sd15-real,degrade] [--quick]
set -uo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY="${PYTHON:-python3}"

# 1. what is missing (module -> distribution name)
missing=$("$PY" - <<'PYEOF'
import importlib.util
need = {"diffusers": "diffusers", "transformers": "transformers", "accelerate": "accelerate",
        "open_clip": "open_clip_torch", "safetensors": "safetensors", "yaml": "pyyaml", "tqdm": "tqdm",
        "numpy": "numpy", "scipy": "scipy", "PIL": "pillow", "cv2": "opencv-python-headless"}
print(" ".join(dist for module, dist in need.items() if importlib.util.find_spec(module) is None))
PYEOF
)
echo "python: $("$PY" --version 2>&1); torch: $("$PY" -c 'import torch; print(torch.__version__, torch.cuda.is_available())' 2>&1)"
# 2. install them from the carried wheels (no index, no network); torch itself is never replaced
if [ -n "$missing" ]; then
  echo "installing from ./wheels: $missing"
  if [ ! -d wheels ]; then
    echo "error: missing packages ($missing) and no ./wheels; build it with bench/build_wheels.py" >&2
    exit 1
  fi
  "$PY" -m pip install --no-index --find-links wheels --no-build-isolation $missing \
    || echo "warning: some wheels failed to install; sections needing them will report errors" >&2
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
# 3. the checks (each section reports on its own; the JSON report lists figures, skips and errors)
"$PY" bench/gpu_model_check.py "$@"

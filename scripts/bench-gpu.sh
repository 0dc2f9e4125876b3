#!/usr/bin/env bash
# `npm run bench:gpu [-- --quick]`: the Node benchmarks on this machine's real GPU (Dawn on the GPU's
# Vulkan driver, not SwiftShader), for docs/PERFORMANCE.md. Needs Node 20+, `npm ci` done, and a
# Vulkan driver for the GPU (nvidia: libnvidia-gl + its ICD json; AMD/Intel: mesa-vulkan-drivers).
# Nothing is downloaded. Writes bench-output/gpu/: info.json, one JSON-lines file per suite,
# paper-plan-b20.json, and tables.md (the Markdown tables). Refuses to run on a CPU adapter unless
# ALLOW_CPU=1 (a dry run of the script itself on SwiftShader: ALLOW_CPU=1 npm run bench:gpu -- --quick).
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=""
[[ "${1:-}" == "--quick" ]] && QUICK="--quick"
OUT=bench-output/gpu
mkdir -p "$OUT"

# The GPU's Vulkan ICDs, SwiftShader and llvmpipe (CPU emulations) left out, unless the caller chose.
if [[ -z "${VK_ICD_FILENAMES:-}" && -z "${VK_DRIVER_FILES:-}" ]]; then
  icds=$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json 2>/dev/null | grep -viE 'swiftshader|lvp|llvmpipe' | paste -sd: || true)
  if [[ -n "$icds" ]]; then export VK_ICD_FILENAMES="$icds"; fi
fi
if [[ -z "${VK_ICD_FILENAMES:-}" && -z "${VK_DRIVER_FILES:-}" && "${ALLOW_CPU:-0}" != 1 ]]; then
  echo "bench:gpu: no GPU Vulkan driver found in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d;" \
    "install the GPU's Vulkan driver or set VK_ICD_FILENAMES" >&2
  exit 2
fi
export NODEVICE_SELECT=1
cp="node bin/crosspoint.mjs"

echo "== adapter (and the kernel variants probed for it)" >&2
$cp info --reprobe > "$OUT/info.json"
if grep -q '"isFallbackAdapter": true' "$OUT/info.json" && [[ "${ALLOW_CPU:-0}" != 1 ]]; then
  echo "bench:gpu: Dawn picked a CPU (fallback) adapter, not a GPU: see $OUT/info.json" >&2
  exit 3
fi
grep -E '"(vendor|architecture|device|description)"' "$OUT/info.json" >&2

# matmul GFLOP/s (compare against the GPU's fp32 peak in docs/PERFORMANCE.md), kNN, EdgeConv, conv2d.
for suite in matmul kernels train compare-matmul compare-knn compare-edgeconv compare-train-step; do
  echo "== bench $suite $QUICK" >&2
  skip=()
  # jax-js and ORT in one Node process stall (bench/compare/runtimes.ts): the jax-js rows come
  # from runs without ORT; ORT's from the full `npm run bench` if wanted.
  [[ "$suite" == compare-* ]] && skip=(--skip ort-webgpu,ort-wasm,tfjs-webgpu)
  $cp bench "$suite" $QUICK "${skip[@]}" > "$OUT/$suite.jsonl"
done

# The paper preset: planned peak bytes of a training step at batch 20 (the PyTorch reference runs
# out of memory at batch 20 on an 11 GB GPU), then a few real steps for steps/s.
echo "== paper preset at batch 20: plan and steps" >&2
$cp plan --preset paper --batch 20 > "$OUT/paper-plan-b20.json"
steps=5; [[ -n "$QUICK" ]] && steps=1
for preset in tiny paper; do
  batch=$([[ "$preset" == paper ]] && echo 20 || echo "")
  args=(pretrain --preset "$preset" --steps "$steps" --data sample --out "$OUT/$preset.ckpt" --log "$OUT/$preset-metrics.jsonl")
  [[ -n "$batch" ]] && args+=(--batch "$batch")
  [[ -n "$QUICK" && "$preset" == paper ]] && continue # the paper preset is minutes per step on a CPU adapter
  /usr/bin/time -f "%e s wall" $cp "${args[@]}" 2> "$OUT/$preset-pretrain.log" >&2 || echo "pretrain $preset failed: see $OUT/$preset-pretrain.log" >&2
done

cat "$OUT"/*.jsonl | node bench/markdown.mjs > "$OUT/tables.md"
echo "bench:gpu: tables in $OUT/tables.md; adapter in $OUT/info.json; paper plan in $OUT/paper-plan-b20.json" >&2

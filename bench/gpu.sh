#!/usr/bin/env bash
# The device benchmark in one call (see bench/gpu_prepare.sh): installs the carried loaders, unpacks the carried
# Deno, and runs the bundled bench/gpu.ts on the NVIDIA adapter. Prints the adapter, W1, W2 and a ViT-L forward;
# writes $OUT/gpu-results.json.
set -uo pipefail
cd "$(dirname "$0")/.."
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
xz -dc .gpu/deno.xz > /tmp/deno && chmod +x /tmp/deno
export OUT="${OUT:-/tmp}"
/tmp/deno run --allow-all --no-config .gpu/gpu.js 2>&1 | tee "$OUT/gpu-log.txt"

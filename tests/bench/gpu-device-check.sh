#!/usr/bin/env bash
# The GPU checks for a session that is lent a real GPU (the `device` tool: a bare x86-64 machine
# with an NVIDIA driver, CMake and ninja, but no Qt, glslc or Vulkan loader). Not run by ctest.
#
# Two steps, because the device machine cannot build the project (no Qt there):
#
#   1. Here (the development machine), build and pack:
#        tests/bench/gpu-device-check.sh pack [--validation]
#      builds the GPU tests and inkstone-cli in build-gpu/ and writes .gpucheck/bundle.tar.xz:
#      the binaries, every shared library they load (glibc and its loader too, so the host's
#      glibc version does not matter), the Vulkan loader, and with --validation the Khronos
#      validation layer (adds ~5 MB compressed). .gpucheck/ is git-ignored via .git/info/exclude.
#
#   2. On the device machine, through the device tool (carry .gpucheck):
#        run(command="bash tests/bench/gpu-device-check.sh run", carry=[".gpucheck"], timeout_s=300)
#      unpacks the bundle, points the loader at the NVIDIA driver, prints `inkstone-cli devices`,
#      runs the GPU suites (validation on when packed with it; the llama.cpp conformance over the
#      carried fixtures in full), a short bench, and copies the logs to $OUT.
#
#   `run` also works here, against lavapipe: a check of the bundle before spending device time.
#
# Later (when the Vulkan backend runs models): add `inkstone-cli bench --backend vulkan` over
# the qwen2-0.5B and llama-1B shapes in Q4_0, Q8_0 and Q4_K_M to the run step.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PACK_DIR="$ROOT/.gpucheck"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-gpu}"
TARGETS=(inkstone-cli tst_gpu_core tst_gpu_device tst_gpu_ops tst_gpu_backend tst_gpu_conformance tst_gpu_fallback)
TESTS=(tst_gpu_core tst_gpu_device tst_gpu_ops tst_gpu_backend tst_gpu_conformance tst_gpu_fallback)
FIXTURES="${INKSTONE_SHARED_DIR:-$ROOT/../shared}/fixtures/llamacpp"
# The fixture models that travel (the 64 MiB limit leaves no room for all of them): every
# tiny-llama quantization, the F32 master, and each other architecture the backend runs.
FIXTURE_GLOBS=(tiny-llama-q* tiny-llama-f32.* tiny-qwen2-* tiny-qwen3-* tiny-phi3-*)

pack() {
    local validation=0
    [[ "${1:-}" == "--validation" ]] && validation=1
    # An existing build folder keeps its own settings; a new one is configured without the GUI.
    if [[ -f "$BUILD_DIR/CMakeCache.txt" ]]; then
        cmake -S "$ROOT" -B "$BUILD_DIR" >/dev/null
    else
        cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DINKSTONE_BUILD_GUI=OFF >/dev/null
    fi
    ninja -C "$BUILD_DIR" -j2 "${TARGETS[@]}"

    if [[ -d "$ROOT/.git/info" ]] && ! grep -qx '/.gpucheck/' "$ROOT/.git/info/exclude" 2>/dev/null; then
        echo '/.gpucheck/' >>"$ROOT/.git/info/exclude"
    fi
    local stage
    stage="$(mktemp -d)"
    mkdir -p "$stage/bin" "$stage/lib" "$stage/layers"
    cp "$BUILD_DIR/app/inkstone-cli" "$stage/bin/"
    for t in "${TESTS[@]}"; do cp "$BUILD_DIR/tests/gpu/$t" "$stage/bin/"; done
    # Every library the binaries load, plus the loader they dlopen at run time.
    local vulkan
    vulkan="$(ldconfig -p | awk '/libvulkan.so.1 .*x86-64/ {print $NF; exit}')"
    [[ -n "$vulkan" ]] || { echo "error: libvulkan.so.1 not found here (apt-get install libvulkan1)" >&2; exit 2; }
    cp -L "$vulkan" "$stage/lib/libvulkan.so.1"
    for f in "$stage"/bin/* "$stage/lib/libvulkan.so.1"; do
        ldd "$f" | awk '/=> \// {print $3} /ld-linux/ && !/=>/ {print $1}'
    done | sort -u | while read -r lib; do cp -L "$lib" "$stage/lib/"; done
    if [[ $validation == 1 ]]; then
        local json=/usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json
        [[ -f "$json" ]] || { echo "error: validation layer not installed here (vulkan-validationlayers)" >&2; exit 2; }
        local so
        so="$(ldconfig -p | awk '/libVkLayer_khronos_validation.so / {print $NF; exit}')"
        cp -L "$so" "$stage/layers/"
        sed 's#"library_path": *"[^"]*"#"library_path": "./libVkLayer_khronos_validation.so"#' "$json" >"$stage/layers/VkLayer_khronos_validation.json"
    fi
    if [[ -d "$FIXTURES" ]]; then
        mkdir -p "$stage/shared/fixtures/llamacpp"
        for g in "${FIXTURE_GLOBS[@]}"; do cp "$FIXTURES"/$g "$stage/shared/fixtures/llamacpp/"; done
    else
        echo "note: no fixtures at $FIXTURES: the conformance suite will skip on the device"
    fi
    mkdir -p "$PACK_DIR"
    tar -C "$stage" -cJf "$PACK_DIR/bundle.tar.xz" .
    rm -rf "$stage"
    ls -la "$PACK_DIR/bundle.tar.xz"
}

run() {
    [[ -f "$PACK_DIR/bundle.tar.xz" ]] || { echo "error: no $PACK_DIR/bundle.tar.xz: run '$0 pack' first and carry .gpucheck" >&2; exit 2; }
    local dir
    dir="$(mktemp -d)"
    tar -C "$dir" -xJf "$PACK_DIR/bundle.tar.xz"
    local out="${OUT:-$dir/out}"
    mkdir -p "$out"
    # The device machine's NVIDIA driver lives outside the loader's default search path.
    local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    if [[ -f "$icd" && -z "${VK_DRIVER_FILES:-}" ]]; then
        export VK_DRIVER_FILES="$icd"
    fi
    if [[ -f "$dir/layers/VkLayer_khronos_validation.json" ]]; then
        export VK_ADD_LAYER_PATH="$dir/layers"
    else
        export INKSTONE_VULKAN_VALIDATION=0
        echo "note: bundle packed without the validation layer: suites run with validation off"
    fi
    # The bundled glibc loader runs the binaries against the bundled libraries only.
    local ldso
    ldso="$(ls "$dir"/lib/ld-linux-x86-64.so.* | head -1)"
    launch() { "$ldso" --library-path "$dir/lib" "$@"; }

    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | tee "$out/nvidia-smi.txt" || true
    echo "== inkstone-cli devices"
    launch "$dir/bin/inkstone-cli" devices 2>&1 | tee "$out/devices.txt"
    launch "$dir/bin/inkstone-cli" devices --json >"$out/devices.json" 2>&1 || true

    # The whole conformance set travels, so check all of it, every greedy step, both KV types.
    export INKSTONE_SHARED_DIR="$dir/shared" INKSTONE_GPU_CONFORMANCE=full
    local failed=0
    for t in "${TESTS[@]}"; do
        echo "== $t"
        local rc=0
        (cd "$dir" && launch "$dir/bin/$t" -o "$out/$t.txt,txt" -o -,txt) || rc=$?
        case $rc in
            0) echo "$t: passed" ;;
            77) echo "$t: SKIPPED (see $out/$t.txt)"; failed=1 ;;
            *) echo "$t: FAILED (exit $rc)"; failed=1 ;;
        esac
    done
    # Speed on the fixture models (tiny: dispatch overhead, not bandwidth). Real-model benches
    # (qwen2-0.5B, llama-1B in Q4_0/Q8_0/Q4_K_M) need those files carried or generated; see
    # docs/gpu.md.
    local fx="$dir/shared/fixtures/llamacpp"
    if [[ -d "$fx" ]]; then
        for m in tiny-llama-q4_0 tiny-llama-q8_0 tiny-llama-q4_k_m; do
            echo "== bench $m"
            launch "$dir/bin/inkstone-cli" bench -m "$fx/$m.gguf" --backend vulkan -p 64 -n 64 -r 3 2>&1 | tee -a "$out/bench.txt" || failed=1
        done
    fi
    echo "logs in $out"
    return $failed
}

case "${1:-}" in
    pack) shift; pack "$@" ;;
    run) shift; run "$@" ;;
    *) sed -n '2,30p' "$0"; exit 1 ;;
esac

/**
 * Acquiring a WebGPU device with the adapter's largest limits.
 *
 * Deno exposes `navigator.gpu` without flags. On a machine without a GPU, Mesa's software drivers provide an
 * adapter: the GL llvmpipe one ships with most Linux images, the Vulkan one (lavapipe) comes with
 * `apt-get install mesa-vulkan-drivers libvulkan1`.
 */

import { EchoJepaError } from "@echojepa/core";

/** Thrown when WebGPU or an adapter is missing, with what to install. */
export class WebGPUUnavailableError extends EchoJepaError {
  constructor(message: string) {
    super(message);
    this.name = "WebGPUUnavailableError";
  }
}

/** Facts about the device in use. */
export interface DeviceInfo {
  /** Adapter description, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
  adapter: string;
  /** True for software adapters (llvmpipe, lavapipe, WARP). */
  isFallback: boolean;
  /** Whether the `shader-f16` feature was enabled. */
  f16: boolean;
  /** Largest storage buffer binding in bytes. */
  maxStorageBufferBindingSize: number;
  /** Largest buffer in bytes. */
  maxBufferSize: number;
}

const HOW_TO_INSTALL = "On Linux without a GPU install Mesa's software drivers " +
  "(`apt-get install mesa-vulkan-drivers libvulkan1`, or the GL llvmpipe driver `libgl1-mesa-dri`); " +
  "with a GPU install its Vulkan driver. In a browser, use one with WebGPU enabled (Chrome/Edge ≥ 113).";

/**
 * Requests an adapter and a device with the adapter's largest buffer and binding limits, enabling `shader-f16`
 * when the adapter has it.
 */
export async function requestDevice(): Promise<{ device: GPUDevice; info: DeviceInfo }> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    throw new WebGPUUnavailableError(
      `navigator.gpu is missing: this runtime has no WebGPU. ${HOW_TO_INSTALL}`,
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    throw new WebGPUUnavailableError(`no WebGPU adapter was found. ${HOW_TO_INSTALL}`);
  }
  const limits = adapter.limits;
  const requiredLimits: Record<string, number> = {
    maxBufferSize: limits.maxBufferSize,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: limits.maxComputeWorkgroupSizeY,
  };
  const f16 = adapter.features.has("shader-f16");
  const device = await adapter.requestDevice({
    requiredLimits,
    requiredFeatures: f16 ? ["shader-f16"] : [],
  });
  const ai = adapter.info;
  return {
    device,
    info: {
      adapter: ai?.description || ai?.device || ai?.vendor || "unknown adapter",
      isFallback: Boolean((ai as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter),
      f16,
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.limits.maxBufferSize,
    },
  };
}

/** What the best WebGPU adapter is, without creating a device (null: no WebGPU or no adapter). */
export async function probeAdapter(): Promise<{ description: string; software: boolean } | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) return null;
  const ai = adapter.info;
  const description = ai?.description || ai?.device || ai?.vendor || "unknown adapter";
  const fallback = Boolean((ai as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter);
  return { description, software: fallback || isSoftwareAdapterName(description) };
}

/** Whether an adapter description names a software rasteriser (Mesa llvmpipe/lavapipe, SwiftShader, WARP). */
export function isSoftwareAdapterName(description: string): boolean {
  return /llvmpipe|lavapipe|swiftshader|warp/i.test(description);
}

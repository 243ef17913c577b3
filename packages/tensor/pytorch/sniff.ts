/**
 * What a weights file is, from its first bytes, and what to tell a user whose file this project cannot read.
 *
 * @module
 */

import { TorchCheckpointError } from "./errors.ts";

/** File kinds recognised by their content. */
export type WeightsFileKind =
  | "pytorch-zip"
  | "safetensors"
  | "pytorch-legacy"
  | "pytorch-tar"
  | "pickle"
  | "numpy"
  | "hdf5"
  | "unknown";

/** Bytes {@link sniffWeightsFile} needs from the start of the file. */
export const SNIFF_BYTES = 512;

const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/** Classifies a file from its first {@link SNIFF_BYTES} bytes (fewer when the file is shorter) and its size. */
export function sniffWeightsFile(head: Uint8Array, size: number): WeightsFileKind {
  const starts = (sig: number[]): boolean => sig.every((b, i) => head[i] === b);
  if (starts([0x50, 0x4b, 0x03, 0x04]) || starts([0x50, 0x4b, 0x05, 0x06])) return "pytorch-zip";
  if (starts(LEGACY_MAGIC)) return "pytorch-legacy";
  if (head.length >= 262 && new TextDecoder().decode(head.subarray(257, 262)) === "ustar") {
    return "pytorch-tar";
  }
  if (starts([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return "numpy";
  if (starts([0x89, 0x48, 0x44, 0x46])) return "hdf5";
  if (head.length >= 9) {
    const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
    if (n > 1 && 8 + n <= size && head[8] === 0x7b) return "safetensors";
  }
  if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return "pickle";
  return "unknown";
}

const CONVERT = `python3 -c "import torch; torch.save(torch.load('IN.pt', map_location='cpu'), 'OUT.pt')"`;

/** The error for a file this reader will not open, saying what it is and how to convert it. */
export function unreadableFileError(kind: WeightsFileKind, name: string): TorchCheckpointError {
  switch (kind) {
    case "pytorch-legacy":
    case "pytorch-tar":
      return new TorchCheckpointError(
        "legacy-format",
        `${name} is a PyTorch checkpoint in the legacy ${
          kind === "pytorch-tar" ? "tar" : "pickle"
        } serialization (torch.save before PyTorch 1.6 or with _use_new_zipfile_serialization=False), which this ` +
          `reader does not open. Re-save it in the zip format with PyTorch (only for a file you trust: loading a ` +
          `legacy file runs its pickle): ${CONVERT}`,
      );
    case "pickle":
      return new TorchCheckpointError(
        "not-a-checkpoint",
        `${name} is a bare Python pickle, not a torch.save zip archive; if it holds tensors, re-save it with ` +
          `torch.save in PyTorch ≥ 1.6 (only for a file you trust): ${CONVERT}`,
      );
    case "numpy":
      return new TorchCheckpointError(
        "not-a-checkpoint",
        `${name} is a NumPy .npy array, not a checkpoint; save the weights with torch.save or safetensors`,
      );
    case "hdf5":
      return new TorchCheckpointError(
        "not-a-checkpoint",
        `${name} is an HDF5 file (Keras/TensorFlow?), not a PyTorch or safetensors checkpoint`,
      );
    default:
      return new TorchCheckpointError(
        "not-a-checkpoint",
        `${name} is neither a PyTorch checkpoint (a torch.save zip archive) nor a safetensors file`,
      );
  }
}

/**
 * The one error type of the PyTorch checkpoint reader and writer, with a machine-readable kind so callers (and
 * tests) can tell a hostile file from a damaged one from one in a format we do not read.
 *
 * @module
 */

import { EchoJepaError } from "@echojepa/core";

/** What went wrong with a PyTorch checkpoint. */
export type TorchCheckpointErrorKind =
  /** Not a PyTorch file at all (or a format this reader does not know). */
  | "not-a-checkpoint"
  /** A PyTorch file in the pre-1.6 serialization (tar or bare pickle); needs converting. */
  | "legacy-format"
  /** The pickle names a global outside the allowed list (would construct or call something). */
  | "forbidden-global"
  /** The file ends early. */
  | "truncated"
  /** Inconsistent structure: bad zip records, CRC mismatch, malformed pickle, out-of-range views. */
  | "corrupt"
  /** Well-formed but uses something this reader does not support (big-endian data, an exotic dtype). */
  | "unsupported";

/** An error reading or writing a PyTorch checkpoint; `kind` says which class of problem it is. */
export class TorchCheckpointError extends EchoJepaError {
  /** The class of problem. */
  readonly kind: TorchCheckpointErrorKind;

  constructor(kind: TorchCheckpointErrorKind, message: string) {
    super(message);
    this.name = "TorchCheckpointError";
    this.kind = kind;
  }
}

/**
 * PyTorch checkpoints on the host: reading the zip format `torch.save` writes (restricted unpickler, lazy
 * per-storage reads) and writing files `torch.load(weights_only=True)` accepts.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./byte_source.ts";
export * from "./host_tensor.ts";
export * from "./pickle_reader.ts";
export * from "./sniff.ts";
export * from "./torch_load.ts";
export * from "./torch_save.ts";
export * from "./optim_state.ts";

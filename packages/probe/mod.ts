/**
 * @module
 * @echojepa/probe — frozen-backbone evaluation as EchoJEPA does it: attentive, linear/MLP and multi-view probes, the
 * parallel lr × weight-decay grid protocol with best-on-validation selection, label-fraction subsets, and metrics.
 *
 * ```ts
 * import { init, tensor } from "@echojepa/tensor";
 * import { LinearProbe, trainProbes } from "@echojepa/probe";
 * await init();
 * // Three samples of 2 tokens × 4 dims whose first feature encodes the class.
 * const data = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
 * const feats = (i: number) => [...data[i % 3], ...data[i % 3]];
 * const result = await trainProbes({
 *   task: { type: "classification", numClasses: 3 },
 *   makeProbe: () => new LinearProbe({ dim: 4, outputs: 3, kind: "classifier" }),
 *   apply: (probe, batch) => probe.forward(batch.x, batch.mask),
 *   makeBatch: (_split, idx) => ({ x: tensor(idx.flatMap(feats), [idx.length, 2, 4]), mask: null }),
 *   labels: { train: [0, 1, 2, 0, 1, 2], val: [0, 1, 2], test: [0, 1, 2] },
 *   lrs: [0.05], weightDecays: [0], epochs: 30, batchSize: 6,
 * });
 * console.log(result.test); // accuracy 1 on this toy task
 * ```
 */
export * from "./metrics.ts";
export * from "./fractions.ts";
export * from "./attentive_probe.ts";
export * from "./linear_probe.ts";
export * from "./multiview.ts";
export * from "./train.ts";
export * from "./features.ts";
export * from "./torch_probe_file.ts";
export * from "./standardize.ts";
export * from "./knn.ts";
export * from "./label_draws.ts";
export * from "./paired_bootstrap.ts";
export * from "./frozen_protocol.ts";
export * from "./silhouette.ts";

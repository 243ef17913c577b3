import { pretrain, resolveConfig } from "./mod.ts";
const cfg = resolveConfig("micro", {
  optim: { epochs: 1, itersPerEpoch: 12 },
  data: { phantomClips: 8 },
  run: { logEvery: 1, outDir: "/tmp/jepa-smoke" },
});
const t0 = performance.now();
const r = await pretrain(cfg, {
  onStep: (m) => console.log(m.step, m.elapsedSeconds.toFixed(1), m.loss.toFixed(4)),
});
console.log("total s", (performance.now() - t0) / 1000, r.lossHistory);

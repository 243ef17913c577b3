/**
 * ViT configuration: the reference's named variants (V-JEPA 2 `src/models/vision_transformer.py` factory
 * functions), custom sizes, and the derived quantities (head dim, MLP width, token grid, parameter count).
 */

/** How token positions enter the model. */
export type PositionEncoding = "rope" | "sincos";

/** Everything that fixes the architecture and the parameter shapes of a video ViT. */
export interface VitConfig {
  /** Token width D. */
  embedDim: number;
  /** Number of transformer blocks. */
  depth: number;
  /** Attention heads; `embedDim` must divide by it. */
  numHeads: number;
  /** MLP hidden width (the reference's `int(embedDim · mlp_ratio)`). */
  mlpHidden: number;
  /** Frames per tubelet (Conv3d temporal kernel and stride). */
  tubeletSize: number;
  /** Pixels per patch side (Conv3d spatial kernel and stride). */
  patchSize: number;
  /** Input channels (3 for RGB clips). */
  inChannels: number;
  /** LayerNorm epsilon of the blocks and the final norm. */
  layerNormEps: number;
  /** Bias on the fused qkv projection. */
  qkvBias: boolean;
  /**
   * "rope" (V-JEPA 2 / EchoJEPA: 3-axis rotary on q and k, no absolute embedding) or "sincos" (V-JEPA 1: fixed 3-D
   * sin-cos table `pos_embed` added after the patch embedding).
   */
  positionEncoding: PositionEncoding;
  /** Sin-cos only: frames of the clip the `pos_embed` table is built for (resized for other inputs). */
  numFrames: number;
  /** Sin-cos only: square frame side in pixels the `pos_embed` table is built for. */
  imageSize: number;
  /** Sin-cos only: equal dims for the time/height/width parts (V-JEPA configs set `uniform_power: true`). */
  uniformPower: boolean;
}

/** Names of the reference's variants. */
export type VitVariant = "tiny" | "small" | "base" | "large" | "huge" | "giant";

/** Width, depth, heads and MLP width of each reference variant. */
export const VIT_VARIANTS: Readonly<
  Record<VitVariant, Readonly<Pick<VitConfig, "embedDim" | "depth" | "numHeads" | "mlpHidden">>>
> = {
  tiny: { embedDim: 192, depth: 12, numHeads: 3, mlpHidden: 768 },
  small: { embedDim: 384, depth: 12, numHeads: 6, mlpHidden: 1536 },
  base: { embedDim: 768, depth: 12, numHeads: 12, mlpHidden: 3072 },
  large: { embedDim: 1024, depth: 24, numHeads: 16, mlpHidden: 4096 },
  huge: { embedDim: 1280, depth: 32, numHeads: 16, mlpHidden: 5120 },
  // `vit_giant_xformers` (V-JEPA 2 g, EchoJEPA-G): 22 heads of 64, mlp_ratio 48/11 → 6144.
  giant: { embedDim: 1408, depth: 40, numHeads: 22, mlpHidden: 6144 },
};

const DEFAULTS: Omit<VitConfig, "embedDim" | "depth" | "numHeads" | "mlpHidden"> = {
  tubeletSize: 2,
  patchSize: 16,
  inChannels: 3,
  layerNormEps: 1e-6,
  qkvBias: true,
  positionEncoding: "rope",
  numFrames: 16,
  imageSize: 224,
  uniformPower: true,
};

/**
 * A full configuration from a variant name or explicit sizes, with the reference's defaults (tubelet 2, patch 16,
 * RoPE, LayerNorm eps 1e-6, qkv bias) for everything not given. Without `mlpHidden`, a custom size uses 4·D.
 */
export function vitConfig(
  base: VitVariant | (Partial<VitConfig> & Pick<VitConfig, "embedDim" | "depth" | "numHeads">),
  overrides: Partial<VitConfig> = {},
): VitConfig {
  let sizes: Partial<VitConfig>;
  if (typeof base === "string") {
    if (!(base in VIT_VARIANTS)) {
      throw new RangeError(
        `vitConfig: unknown variant "${base}" (known: ${Object.keys(VIT_VARIANTS).join(", ")})`,
      );
    }
    sizes = VIT_VARIANTS[base];
  } else {
    sizes = base;
  }
  const merged = { ...DEFAULTS, ...sizes, ...overrides } as VitConfig;
  merged.mlpHidden ??= 4 * merged.embedDim;
  validateConfig(merged);
  return merged;
}

/** Throws a clear error for sizes the model cannot be built with. */
export function validateConfig(c: VitConfig): void {
  const positive: (keyof VitConfig)[] = [
    "embedDim",
    "depth",
    "numHeads",
    "mlpHidden",
    "tubeletSize",
    "patchSize",
    "inChannels",
  ];
  for (const k of positive) {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v <= 0) {
      throw new RangeError(`vitConfig: ${k} must be a positive integer, got ${v}`);
    }
  }
  if (c.embedDim % c.numHeads !== 0) {
    throw new RangeError(`vitConfig: embedDim ${c.embedDim} does not divide into ${c.numHeads} heads`);
  }
  if (c.positionEncoding !== "rope" && c.positionEncoding !== "sincos") {
    throw new RangeError(
      `vitConfig: positionEncoding must be "rope" or "sincos", got "${c.positionEncoding}"`,
    );
  }
  if (c.positionEncoding === "sincos") {
    if (c.numFrames % c.tubeletSize !== 0 || c.imageSize % c.patchSize !== 0) {
      throw new RangeError(
        `vitConfig: the sin-cos table needs numFrames ${c.numFrames} divisible by tubeletSize ${c.tubeletSize} ` +
          `and imageSize ${c.imageSize} divisible by patchSize ${c.patchSize}`,
      );
    }
  }
}

/** Per-head width. */
export function headDim(c: VitConfig): number {
  return c.embedDim / c.numHeads;
}

/** Values in one flattened tubelet patch: channels · tubelet · patch · patch (1536 for the reference). */
export function patchVolume(c: VitConfig): number {
  return c.inChannels * c.tubeletSize * c.patchSize * c.patchSize;
}

/** The token grid of a clip: tubelets along time, patches along height and width. */
export interface TokenGrid {
  /** Tubelets along time (T / tubelet). */
  t: number;
  /** Patches along height (H / patch). */
  h: number;
  /** Patches along width (W / patch). */
  w: number;
}

/** Token grid of a `[B, C, T, H, W]` clip; throws if a size does not divide by the tubelet or patch size. */
export function tokenGrid(c: VitConfig, frames: number, height: number, width: number): TokenGrid {
  if (frames % c.tubeletSize !== 0 || height % c.patchSize !== 0 || width % c.patchSize !== 0) {
    throw new RangeError(
      `tokenGrid: a clip of ${frames} frames × ${height} × ${width} does not divide into tubelets of ` +
        `${c.tubeletSize} frames × ${c.patchSize} × ${c.patchSize} pixels`,
    );
  }
  return { t: frames / c.tubeletSize, h: height / c.patchSize, w: width / c.patchSize };
}

/** Tokens in a grid. */
export function tokenCount(g: TokenGrid): number {
  return g.t * g.h * g.w;
}

/**
 * Shapes of every parameter, keyed by the reference's state-dict names (without `module.`/`backbone.`), in the
 * order of the reference's `state_dict()`. `pos_embed` appears only for sin-cos models.
 */
export function parameterShapes(c: VitConfig): Map<string, number[]> {
  const D = c.embedDim;
  const shapes = new Map<string, number[]>();
  // PyTorch lists a module's own parameters before its children's, so `pos_embed` comes first.
  if (c.positionEncoding === "sincos") {
    const g = tokenGrid(c, c.numFrames, c.imageSize, c.imageSize);
    shapes.set("pos_embed", [1, tokenCount(g), D]);
  }
  shapes.set("patch_embed.proj.weight", [D, c.inChannels, c.tubeletSize, c.patchSize, c.patchSize]);
  shapes.set("patch_embed.proj.bias", [D]);
  for (let i = 0; i < c.depth; i++) {
    const b = `blocks.${i}`;
    shapes.set(`${b}.norm1.weight`, [D]);
    shapes.set(`${b}.norm1.bias`, [D]);
    shapes.set(`${b}.attn.qkv.weight`, [3 * D, D]);
    if (c.qkvBias) shapes.set(`${b}.attn.qkv.bias`, [3 * D]);
    shapes.set(`${b}.attn.proj.weight`, [D, D]);
    shapes.set(`${b}.attn.proj.bias`, [D]);
    shapes.set(`${b}.norm2.weight`, [D]);
    shapes.set(`${b}.norm2.bias`, [D]);
    shapes.set(`${b}.mlp.fc1.weight`, [c.mlpHidden, D]);
    shapes.set(`${b}.mlp.fc1.bias`, [c.mlpHidden]);
    shapes.set(`${b}.mlp.fc2.weight`, [D, c.mlpHidden]);
    shapes.set(`${b}.mlp.fc2.bias`, [D]);
  }
  shapes.set("norm.weight", [D]);
  shapes.set("norm.bias", [D]);
  return shapes;
}

/** Number of trainable parameters (the fixed sin-cos `pos_embed` is not counted). */
export function parameterCount(c: VitConfig): number {
  let n = 0;
  for (const [name, shape] of parameterShapes(c)) {
    if (name !== "pos_embed") n += shape.reduce((a, b) => a * b, 1);
  }
  return n;
}

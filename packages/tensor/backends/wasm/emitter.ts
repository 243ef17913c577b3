/**
 * A small WebAssembly bytecode emitter: enough of the binary format to build one module of kernels at run time
 * (function types, one imported shared memory, functions with locals, exports) and the scalar and SIMD128
 * instructions the kernels use. Generating bytes from TypeScript keeps the package plain `.ts` (JSR cannot publish
 * a `.wasm` that imports its memory) and needs no build step.
 *
 * Instructions are written as method calls on a {@link FunctionBuilder} in stack order, e.g.
 * `f.get(x).get(y).f32Add()`; structured control takes callbacks (`f.loop(() => ...)`).
 */

/** Value types. */
export const I32 = 0x7f;
/** 32-bit float. */
export const F32 = 0x7d;
/** 128-bit vector. */
export const V128 = 0x7b;
/** A value type byte. */
export type ValType = typeof I32 | typeof F32 | typeof V128;

function uleb(out: number[], v: number): void {
  v >>>= 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

const f32Bytes = new Uint8Array(4);
const f32View = new DataView(f32Bytes.buffer);

/** Builds one function's body. Locals are numbered after the parameters. */
export class FunctionBuilder {
  /** The body's instruction bytes (without the local declarations). */
  readonly code: number[] = [];
  readonly #locals: ValType[] = [];

  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[]) {}

  /** Declares a local of `type` and returns its index. */
  local(type: ValType): number {
    this.#locals.push(type);
    return this.params.length + this.#locals.length - 1;
  }

  /** The encoded body: local declarations, code, `end`. */
  body(): number[] {
    const out: number[] = [];
    uleb(out, this.#locals.length);
    for (const t of this.#locals) {
      out.push(1, t);
    }
    out.push(...this.code, 0x0b);
    return out;
  }

  #op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  #simd(op: number): this {
    this.code.push(0xfd);
    uleb(this.code, op);
    return this;
  }
  #mem(op: number, align: number, offset: number, simd = false): this {
    if (simd) this.#simd(op);
    else this.code.push(op);
    uleb(this.code, align);
    uleb(this.code, offset);
    return this;
  }

  // ------------------------------------------------------------------ locals and constants
  /** local.get */
  get(i: number): this {
    this.code.push(0x20);
    uleb(this.code, i);
    return this;
  }
  /** local.set */
  set(i: number): this {
    this.code.push(0x21);
    uleb(this.code, i);
    return this;
  }
  /** local.tee */
  tee(i: number): this {
    this.code.push(0x22);
    uleb(this.code, i);
    return this;
  }
  /** i32.const */
  i32(v: number): this {
    this.code.push(0x41);
    sleb(this.code, v);
    return this;
  }
  /** f32.const */
  f32(v: number): this {
    f32View.setFloat32(0, v, true);
    return this.#op(0x43, ...f32Bytes);
  }
  /** drop */
  drop(): this {
    return this.#op(0x1a);
  }

  // ------------------------------------------------------------------ control
  /** block … end; `br 0` inside leaves it. */
  block(body: () => void): this {
    this.#op(0x02, 0x40);
    body();
    return this.#op(0x0b);
  }
  /** loop … end; `br 0` inside repeats it. */
  loop(body: () => void): this {
    this.#op(0x03, 0x40);
    body();
    return this.#op(0x0b);
  }
  /** if … (else …) end on the i32 on the stack. */
  if(then: () => void, otherwise?: () => void): this {
    this.#op(0x04, 0x40);
    then();
    if (otherwise) {
      this.#op(0x05);
      otherwise();
    }
    return this.#op(0x0b);
  }
  /** br depth */
  br(depth: number): this {
    return this.#op(0x0c, depth);
  }
  /** br_if depth */
  brIf(depth: number): this {
    return this.#op(0x0d, depth);
  }
  /** return */
  ret(): this {
    return this.#op(0x0f);
  }

  /**
   * A counted loop: `for (i = from; i < to; i += step) body()`, with `from`, `to` pushed by the callbacks.
   * Skips the body entirely when from ≥ to.
   */
  for(i: number, from: () => void, to: number, step: number, body: () => void): this {
    from();
    this.set(i);
    return this.block(() => {
      this.get(i).get(to).i32GeS().brIf(0);
      this.loop(() => {
        body();
        this.get(i).i32(step).i32Add().tee(i).get(to).i32LtS().brIf(0);
      });
    });
  }

  // ------------------------------------------------------------------ i32
  /** i32.add */
  i32Add(): this {
    return this.#op(0x6a);
  }
  /** i32.sub */
  i32Sub(): this {
    return this.#op(0x6b);
  }
  /** i32.mul */
  i32Mul(): this {
    return this.#op(0x6c);
  }
  /** i32.shl */
  i32Shl(): this {
    return this.#op(0x74);
  }
  /** i32.eqz */
  i32Eqz(): this {
    return this.#op(0x45);
  }
  /** i32.lt_s */
  i32LtS(): this {
    return this.#op(0x48);
  }
  /** i32.ge_s */
  i32GeS(): this {
    return this.#op(0x4e);
  }
  /** i32.gt_s */
  i32GtS(): this {
    return this.#op(0x4a);
  }
  /** i32.load */
  i32Load(offset = 0): this {
    return this.#mem(0x28, 2, offset);
  }

  // ------------------------------------------------------------------ f32
  /** f32.load */
  f32Load(offset = 0): this {
    return this.#mem(0x2a, 2, offset);
  }
  /** f32.store */
  f32Store(offset = 0): this {
    return this.#mem(0x38, 2, offset);
  }
  /** f32.add */
  f32Add(): this {
    return this.#op(0x92);
  }
  /** f32.mul */
  f32Mul(): this {
    return this.#op(0x94);
  }

  // ------------------------------------------------------------------ SIMD128
  /** v128.load (address on the stack + offset) */
  v128Load(offset = 0): this {
    return this.#mem(0x00, 4, offset, true);
  }
  /** v128.store */
  v128Store(offset = 0): this {
    return this.#mem(0x0b, 4, offset, true);
  }
  /** v128.load32_splat: one f32 from memory into all four lanes. */
  v128Load32Splat(offset = 0): this {
    return this.#mem(0x09, 2, offset, true);
  }
  /** f32x4.splat */
  f32x4Splat(): this {
    return this.#simd(0x13);
  }
  /** f32x4.extract_lane */
  f32x4ExtractLane(lane: number): this {
    return this.#simd(0x1f).#op(lane);
  }
  /** f32x4.add */
  f32x4Add(): this {
    return this.#simd(0xe4);
  }
  /** f32x4.sub */
  f32x4Sub(): this {
    return this.#simd(0xe5);
  }
  /** f32x4.mul */
  f32x4Mul(): this {
    return this.#simd(0xe6);
  }
  /** f32x4.max */
  f32x4Max(): this {
    return this.#simd(0xe9);
  }
  /** f32x4.div */
  f32x4Div(): this {
    return this.#simd(0xe7);
  }
  /** f32x4.min */
  f32x4Min(): this {
    return this.#simd(0xe8);
  }
  /** f32x4.abs */
  f32x4Abs(): this {
    return this.#simd(0xe0);
  }
  /** f32x4.neg */
  f32x4Neg(): this {
    return this.#simd(0xe1);
  }
  /** f32x4.nearest: round to nearest, ties to even. */
  f32x4Nearest(): this {
    return this.#simd(0x6a);
  }
  /** i32x4.splat */
  i32x4Splat(): this {
    return this.#simd(0x11);
  }
  /** i32x4.add */
  i32x4Add(): this {
    return this.#simd(0xae);
  }
  /** i32x4.shl by the i32 on top of the stack. */
  i32x4Shl(): this {
    return this.#simd(0xab);
  }
  /** i32x4.trunc_sat_f32x4_s */
  i32x4TruncSatF32x4S(): this {
    return this.#simd(0xf8);
  }
  /** v128.and */
  v128And(): this {
    return this.#simd(0x4e);
  }
  /** v128.xor */
  v128Xor(): this {
    return this.#simd(0x51);
  }
  /** f32x4.relaxed_madd: a·b + c (fused or not, the runtime's choice); needs relaxed SIMD. */
  f32x4RelaxedMadd(): this {
    return this.#simd(0x105);
  }
}

/** One exported function of a module. */
interface ModuleFunction {
  name: string;
  fn: FunctionBuilder;
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  out.push(...content);
}

function name(out: number[], s: string): void {
  const b = new TextEncoder().encode(s);
  uleb(out, b.length);
  out.push(...b);
}

/** Builds a module that imports one memory as `env.memory` and exports every function added. */
export class ModuleBuilder {
  readonly #functions: ModuleFunction[] = [];

  /**
   * @param memoryPages minimum pages of the imported memory
   * @param maxPages maximum pages
   * @param shared whether the memory is shared (threads)
   */
  constructor(readonly memoryPages: number, readonly maxPages: number, readonly shared: boolean) {}

  /** Adds an exported function. */
  add(exportName: string, fn: FunctionBuilder): void {
    this.#functions.push({ name: exportName, fn });
  }

  /** The module's bytes. */
  bytes(): Uint8Array {
    const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const types: number[] = [];
    uleb(types, this.#functions.length);
    for (const { fn } of this.#functions) {
      types.push(0x60);
      uleb(types, fn.params.length);
      types.push(...fn.params);
      uleb(types, fn.results.length);
      types.push(...fn.results);
    }
    section(out, 1, types);
    const imports: number[] = [1];
    name(imports, "env");
    name(imports, "memory");
    imports.push(0x02, this.shared ? 0x03 : 0x01);
    uleb(imports, this.memoryPages);
    uleb(imports, this.maxPages);
    section(out, 2, imports);
    const funcs: number[] = [];
    uleb(funcs, this.#functions.length);
    this.#functions.forEach((_, i) => uleb(funcs, i));
    section(out, 3, funcs);
    const exports: number[] = [];
    uleb(exports, this.#functions.length);
    this.#functions.forEach((f, i) => {
      name(exports, f.name);
      exports.push(0x00);
      uleb(exports, i);
    });
    section(out, 7, exports);
    const code: number[] = [];
    uleb(code, this.#functions.length);
    for (const { fn } of this.#functions) {
      const body = fn.body();
      uleb(code, body.length);
      code.push(...body);
    }
    section(out, 10, code);
    return new Uint8Array(out);
  }
}

/**
 * A restricted unpickler for the `data.pkl` of a PyTorch checkpoint.
 *
 * Python's pickle is a small stack machine whose GLOBAL opcode imports any name and whose REDUCE opcode calls it,
 * which is how a checkpoint can run `os.system` on load. This reader interprets the opcodes itself and knows a
 * fixed list of globals, each bound to a handler written here (see {@link ALLOWED_GLOBALS}): an OrderedDict, the
 * tensor and parameter rebuild functions, the storage types, `_codecs.encode` (protocol 2's way of writing bytes)
 * and `builtins.set`. Any other global is an error naming it, raised the moment the GLOBAL opcode is read, before
 * anything could use it; NEWOBJ, INST, OBJ and the extension registry (which construct arbitrary classes) are
 * refused outright. Nothing is ever looked up or called by name.
 *
 * Values come back as plain data: dicts as `Map` (keys may be numbers, e.g. an optimizer's `state`), lists as
 * arrays, tuples as frozen arrays, ints as numbers (bigint beyond 2^53), strings, `Uint8Array` for bytes, `null`,
 * booleans, and {@link TorchTensorRef} for tensors (whose data is read later, only if wanted).
 *
 * @module
 */

import { TorchCheckpointError } from "./errors.ts";

/** Element types of PyTorch storages this reader understands. */
export type TorchDType =
  | "float32"
  | "float16"
  | "bfloat16"
  | "float64"
  | "int64"
  | "int32"
  | "uint8"
  | "bool";

/** Bytes per element of each storage type. */
export const TORCH_DTYPE_BYTES: Record<TorchDType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};

/** The storage-class names PyTorch pickles, by dtype. */
export const TORCH_STORAGE_CLASSES: Record<TorchDType, string> = {
  float32: "FloatStorage",
  float16: "HalfStorage",
  bfloat16: "BFloat16Storage",
  float64: "DoubleStorage",
  int64: "LongStorage",
  int32: "IntStorage",
  uint8: "ByteStorage",
  bool: "BoolStorage",
};

/** One storage of the archive (a `data/<key>` entry) as the pickle refers to it. */
export class TorchStorageRef {
  /** Entry name under `data/`. */
  readonly key: string;
  /** Element type. */
  readonly dtype: TorchDType;
  /** Elements in the storage. */
  readonly numel: number;

  constructor(key: string, dtype: TorchDType, numel: number) {
    this.key = key;
    this.dtype = dtype;
    this.numel = numel;
  }
}

/** A tensor as the pickle describes it: a strided view into a storage. Its data is not read yet. */
export class TorchTensorRef {
  /** The storage it views (shared with other tensors when they view the same storage). */
  readonly storage: TorchStorageRef;
  /** First element, in elements from the start of the storage. */
  readonly offset: number;
  /** Shape. */
  readonly shape: number[];
  /** Strides in elements. */
  readonly stride: number[];
  /** Whether it was saved as requiring gradients (parameters). */
  requiresGrad: boolean;

  constructor(
    storage: TorchStorageRef,
    offset: number,
    shape: number[],
    stride: number[],
    requiresGrad: boolean,
  ) {
    this.storage = storage;
    this.offset = offset;
    this.shape = shape;
    this.stride = stride;
    this.requiresGrad = requiresGrad;
  }
}

/** Any value a checkpoint's pickle can hold under the restricted rules. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | TorchTensorRef
  | TorchStorageRef;

/** The globals that may appear, and what each becomes. */
export const ALLOWED_GLOBALS: readonly string[] = [
  "collections.OrderedDict",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_parameter",
  "torch._utils._rebuild_parameter_with_state",
  "_codecs.encode",
  "builtins.set",
  ...Object.values(TORCH_STORAGE_CLASSES).map((c) => `torch.${c}`),
];

/** A global the pickle pushed: which allowed name it is. Only our handlers below give it meaning. */
class AllowedGlobal {
  constructor(readonly name: string) {}
}

const MARK = Symbol("mark");
type StackItem = PickleValue | AllowedGlobal | typeof MARK;

const STORAGE_DTYPES = new Map<string, TorchDType>(
  Object.entries(TORCH_STORAGE_CLASSES).map(([d, c]) => [`torch.${c}`, d as TorchDType]),
);

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** Name of the source in error messages. */
  source?: string;
  /** Turns a persistent id into a storage; default: refuse persistent ids. */
  persistentLoad?: (pid: readonly PickleValue[], dtype: TorchDType) => TorchStorageRef;
}

/** Runs the restricted unpickler over `bytes`; see the module documentation for what it accepts. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}): PickleValue {
  const source = options.source ?? "pickle";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder("utf-8");
  let pos = 0;
  let stack: StackItem[] = [];
  const metastack: StackItem[][] = [];
  const memo = new Map<number, StackItem>();

  const fail = (kind: "corrupt" | "forbidden-global" | "unsupported", msg: string): never => {
    throw new TorchCheckpointError(kind, `${source}: ${msg}`);
  };
  const need = (n: number): number => {
    if (pos + n > bytes.length) {
      throw new TorchCheckpointError("truncated", `${source}: pickle ends inside an opcode at byte ${pos}`);
    }
    const at = pos;
    pos += n;
    return at;
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new TorchCheckpointError("truncated", `${source}: pickle ends inside a text argument`);
    const s = decoder.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): StackItem => {
    if (stack.length === 0) fail("corrupt", `pickle stack underflow at byte ${pos}`);
    return stack.pop()!;
  };
  const top = (): StackItem => {
    if (stack.length === 0) fail("corrupt", `pickle stack underflow at byte ${pos}`);
    return stack[stack.length - 1];
  };
  const popMark = (): StackItem[] => {
    const items = stack;
    if (metastack.length === 0) fail("corrupt", `pickle MARK missing at byte ${pos}`);
    stack = metastack.pop()!;
    return items;
  };
  // A persistent id tuple carries the storage class itself: the one place a global may sit inside a value.
  const tupleItem = (x: StackItem): PickleValue =>
    x instanceof AllowedGlobal && STORAGE_DTYPES.has(x.name)
      ? x as unknown as PickleValue
      : value(x, "tuple item");
  const value = (x: StackItem, what: string): PickleValue => {
    if (x === MARK || x instanceof AllowedGlobal) {
      fail(
        "corrupt",
        `${what}: a ${x === MARK ? "mark" : `global ${(x as AllowedGlobal).name}`} is not a value`,
      );
    }
    return x as PickleValue;
  };
  const pushGlobal = (module: string, name: string): void => {
    const full = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.includes(full)) {
      fail(
        "forbidden-global",
        `refusing global "${full}": a checkpoint may only name ${ALLOWED_GLOBALS.join(", ")} ` +
          `(this file would construct or call something else when loaded by PyTorch without weights_only)`,
      );
    }
    stack.push(new AllowedGlobal(full));
  };
  const setItem = (dict: StackItem, k: StackItem, v: StackItem): void => {
    if (!(dict instanceof Map)) fail("corrupt", `SETITEM on a ${describe(dict)}, not a dict`);
    (dict as Map<PickleValue, PickleValue>).set(value(k, "dict key"), value(v, "dict value"));
  };
  const int = (v: bigint): number | bigint =>
    v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  const long = (at: number, n: number): number | bigint => {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]);
    if (n > 0 && bytes[at + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return int(v);
  };

  const reduce = (fn: StackItem, args: StackItem): PickleValue => {
    if (!(fn instanceof AllowedGlobal)) fail("corrupt", `REDUCE on a ${describe(fn)}, not an allowed global`);
    const g = fn as AllowedGlobal;
    if (!Array.isArray(args)) fail("corrupt", `REDUCE of ${g.name} without an argument tuple`);
    const a = args as PickleValue[];
    switch (g.name) {
      case "collections.OrderedDict": {
        const m = new Map<PickleValue, PickleValue>();
        if (a.length > 0 && Array.isArray(a[0])) {
          for (const pair of a[0] as PickleValue[]) {
            if (!Array.isArray(pair) || pair.length !== 2) fail("corrupt", "OrderedDict item is not a pair");
            m.set((pair as PickleValue[])[0], (pair as PickleValue[])[1]);
          }
        }
        return m;
      }
      case "torch._utils._rebuild_tensor_v2":
        return rebuildTensor(a, fail);
      case "torch._utils._rebuild_parameter":
      case "torch._utils._rebuild_parameter_with_state": {
        const t = a[0];
        if (!(t instanceof TorchTensorRef)) fail("corrupt", `${g.name} of a ${describe(t)}, not a tensor`);
        (t as TorchTensorRef).requiresGrad = a[1] === true;
        return t;
      }
      case "_codecs.encode": {
        if (typeof a[0] !== "string") fail("corrupt", "_codecs.encode of a non-string");
        const s = a[0] as string;
        const out = new Uint8Array(s.length);
        for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
        return out;
      }
      case "builtins.set":
        return Array.isArray(a[0]) ? [...(a[0] as PickleValue[])] : [];
      default:
        return fail("corrupt", `${g.name} cannot be called (it is a storage type)`);
    }
  };

  for (;;) {
    const at = need(1);
    const op = bytes[at];
    switch (op) {
      case 0x80: // PROTO
        need(1);
        break;
      case 0x95: // FRAME
        need(8);
        break;
      case 0x2e: { // STOP
        const result = value(pop(), "result");
        return result;
      }
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(bytes[need(1)]);
        break;
      case 0x4d: // BININT2
        stack.push(view.getUint16(need(2), true));
        break;
      case 0x8a: { // LONG1
        const n = bytes[need(1)];
        stack.push(long(need(n), n));
        break;
      }
      case 0x8b: { // LONG4
        const n = view.getInt32(need(4), true);
        if (n < 0 || n > 1024) fail("corrupt", `LONG4 of ${n} bytes`);
        stack.push(long(need(n), n));
        break;
      }
      case 0x49: { // INT (text; "01"/"00" are True/False)
        const s = line();
        if (s === "01") stack.push(true);
        else if (s === "00") stack.push(false);
        else {
          if (!/^[-+]?\d+$/.test(s)) fail("corrupt", `INT "${s}" is not an integer`);
          stack.push(int(BigInt(s)));
        }
        break;
      }
      case 0x4c: { // LONG (text)
        const s = line().replace(/L$/, "");
        if (!/^[-+]?\d+$/.test(s)) fail("corrupt", `LONG "${s}" is not an integer`);
        stack.push(int(BigInt(s)));
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x46: { // FLOAT (text)
        const s = line();
        const v = Number(s);
        if (Number.isNaN(v) && !/nan/i.test(s)) fail("corrupt", `FLOAT "${s}" is not a number`);
        stack.push(v);
        break;
      }
      case 0x58: { // BINUNICODE
        const n = view.getUint32(need(4), true);
        stack.push(decoder.decode(bytes.subarray(need(n), pos)));
        break;
      }
      case 0x8c: { // SHORT_BINUNICODE
        const n = bytes[need(1)];
        stack.push(decoder.decode(bytes.subarray(need(n), pos)));
        break;
      }
      case 0x8d: { // BINUNICODE8
        const n = Number(view.getBigUint64(need(8), true));
        stack.push(decoder.decode(bytes.subarray(need(n), pos)));
        break;
      }
      case 0x55: { // SHORT_BINSTRING (Python 2 str: bytes)
        const n = bytes[need(1)];
        stack.push(bytes.slice(need(n), pos));
        break;
      }
      case 0x54: { // BINSTRING
        const n = view.getInt32(need(4), true);
        if (n < 0) fail("corrupt", "negative BINSTRING length");
        stack.push(bytes.slice(need(n), pos));
        break;
      }
      case 0x43: { // SHORT_BINBYTES
        const n = bytes[need(1)];
        stack.push(bytes.slice(need(n), pos));
        break;
      }
      case 0x42: { // BINBYTES
        const n = view.getUint32(need(4), true);
        stack.push(bytes.slice(need(n), pos));
        break;
      }
      case 0x8e: { // BINBYTES8
        const n = Number(view.getBigUint64(need(8), true));
        stack.push(bytes.slice(need(n), pos));
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(tuple([]));
        break;
      case 0x74: { // TUPLE (pop the mark before touching `stack`: popMark replaces it)
        const items = popMark().map(tupleItem);
        stack.push(tuple(items));
        break;
      }
      case 0x85: // TUPLE1
        stack.push(tuple([tupleItem(pop())]));
        break;
      case 0x86: { // TUPLE2
        const b = tupleItem(pop());
        const a = tupleItem(pop());
        stack.push(tuple([a, b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = value(pop(), "tuple item");
        const b = tupleItem(pop());
        const a = tupleItem(pop());
        stack.push(tuple([a, b, c]));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: { // LIST
        const items = popMark().map((x) => value(x, "list item"));
        stack.push(items);
        break;
      }
      case 0x61: { // APPEND
        const v = value(pop(), "list item");
        const list = top();
        if (!Array.isArray(list) || Object.isFrozen(list)) fail("corrupt", `APPEND to a ${describe(list)}`);
        (list as PickleValue[]).push(v);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark().map((x) => value(x, "list item"));
        const list = top();
        if (!Array.isArray(list) || Object.isFrozen(list)) fail("corrupt", `APPENDS to a ${describe(list)}`);
        for (const v of items) (list as PickleValue[]).push(v);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: { // DICT
        const items = popMark();
        const m = new Map<PickleValue, PickleValue>();
        for (let i = 0; i + 1 < items.length; i += 2) setItem(m, items[i], items[i + 1]);
        stack.push(m);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItem(top(), k, v);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        if (items.length % 2) fail("corrupt", "SETITEMS with an odd number of items");
        const dict = top();
        for (let i = 0; i < items.length; i += 2) setItem(dict, items[i], items[i + 1]);
        break;
      }
      case 0x8f: // EMPTY_SET (a set becomes a list)
        stack.push([]);
        break;
      case 0x90: { // ADDITEMS
        const items = popMark().map((x) => value(x, "set item"));
        const set = top();
        if (!Array.isArray(set)) fail("corrupt", `ADDITEMS to a ${describe(set)}`);
        for (const v of items) (set as PickleValue[]).push(v);
        break;
      }
      case 0x91: { // FROZENSET
        const items = popMark().map((x) => value(x, "set item"));
        stack.push(tuple(items));
        break;
      }
      case 0x63: { // GLOBAL
        const module = line();
        const name = line();
        pushGlobal(module, name);
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") {
          fail("corrupt", "STACK_GLOBAL of non-strings");
        }
        pushGlobal(module as string, name as string);
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(reduce(fn, args));
        break;
      }
      case 0x62: { // BUILD
        const state = value(pop(), "BUILD state");
        const obj = top();
        // An OrderedDict's state is its __dict__ (a state dict's `_metadata`): nothing a value needs.
        if (obj instanceof Map && (state === null || state instanceof Map)) break;
        if (obj instanceof TorchTensorRef && state === null) break;
        fail("corrupt", `BUILD on a ${describe(obj)} (only dicts carry state here)`);
        break;
      }
      case 0x51: { // BINPERSID
        const pid = value(pop(), "persistent id");
        stack.push(persistent(pid, options, fail));
        break;
      }
      case 0x50: // PERSID (text ids are not how torch writes storages)
        fail("unsupported", "text persistent ids (PERSID) are not PyTorch storages");
        break;
      case 0x71: // BINPUT
        memo.set(bytes[need(1)], top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(view.getUint32(need(4), true), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x70: // PUT
        memo.set(Number(line()), top());
        break;
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
      case 0x67: { // GET
        const k = op === 0x68 ? bytes[need(1)] : op === 0x6a ? view.getUint32(need(4), true) : Number(line());
        if (!memo.has(k)) fail("corrupt", `memo ${k} read before it was written`);
        stack.push(memo.get(k)!);
        break;
      }
      case 0x81: // NEWOBJ
      case 0x92: // NEWOBJ_EX
      case 0x69: // INST
      case 0x6f: // OBJ
        fail(
          "forbidden-global",
          `opcode 0x${op.toString(16)} constructs an object; a checkpoint never needs it`,
        );
        break;
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
        fail("forbidden-global", "the pickle uses the extension registry (names a global by number)");
        break;
      default:
        fail("corrupt", `unknown pickle opcode 0x${op.toString(16)} at byte ${at}`);
    }
  }
}

/** A Python tuple: a frozen array (so writers can tell it from a list). */
function tuple(items: PickleValue[]): PickleValue[] {
  return Object.freeze(items) as unknown as PickleValue[];
}

function describe(x: unknown): string {
  if (x === null) return "None";
  if (x === MARK) return "mark";
  if (x instanceof AllowedGlobal) return `global ${x.name}`;
  if (x instanceof Map) return "dict";
  if (x instanceof TorchTensorRef) return "tensor";
  if (x instanceof TorchStorageRef) return "storage";
  if (Array.isArray(x)) return Object.isFrozen(x) ? "tuple" : "list";
  return typeof x;
}

type Fail = (kind: "corrupt" | "forbidden-global" | "unsupported", msg: string) => never;

function persistent(pid: PickleValue, options: UnpickleOptions, fail: Fail): TorchStorageRef {
  if (!Array.isArray(pid) || pid.length < 5) fail("corrupt", "a persistent id that is not a storage tuple");
  const [tag, cls] = pid as PickleValue[];
  const tagText = tag instanceof Uint8Array ? new TextDecoder().decode(tag) : tag;
  if (tagText !== "storage") fail("unsupported", `persistent id "${String(tagText)}" is not a storage`);
  const dtype = cls instanceof AllowedGlobal ? STORAGE_DTYPES.get(cls.name) : undefined;
  if (!dtype) fail("corrupt", `storage of ${describe(cls)}, not a storage type`);
  if (!options.persistentLoad) {
    fail("unsupported", "this pickle refers to tensor storages but none were supplied");
  }
  return options.persistentLoad!(pid as PickleValue[], dtype!);
}

function ints(x: PickleValue, what: string, fail: Fail): number[] {
  if (!Array.isArray(x) || !x.every((v) => typeof v === "number" && Number.isSafeInteger(v))) {
    fail("corrupt", `tensor ${what} is not a tuple of integers`);
  }
  return [...(x as number[])];
}

function rebuildTensor(a: PickleValue[], fail: Fail): TorchTensorRef {
  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
  const [storage, offset, size, stride, requiresGrad] = a;
  if (!(storage instanceof TorchStorageRef)) fail("corrupt", "_rebuild_tensor_v2 without a storage");
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
    fail("corrupt", "_rebuild_tensor_v2 with a bad storage offset");
  }
  const shape = ints(size, "size", fail);
  const strides = ints(stride, "stride", fail);
  if (shape.length !== strides.length || shape.some((s) => s < 0)) {
    fail("corrupt", "tensor size and stride disagree");
  }
  return new TorchTensorRef(
    storage as TorchStorageRef,
    offset as number,
    shape,
    strides,
    requiresGrad === true,
  );
}

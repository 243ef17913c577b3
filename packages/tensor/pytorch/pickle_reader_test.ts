import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { TorchCheckpointError } from "./errors.ts";
import { unpickle } from "./pickle_reader.ts";

const enc = (s: string): number[] => [...new TextEncoder().encode(s)];
const pickle = (...parts: (number | number[] | string)[]): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? enc(p) : Array.isArray(p) ? p : [p])));

function refused(bytes: Uint8Array, name: RegExp): void {
  throws(
    () => unpickle(bytes),
    (e: unknown) =>
      e instanceof TorchCheckpointError && e.kind === "forbidden-global" && name.test(e.message),
  );
}

Deno.test("GLOBAL os system + REDUCE is refused by name before anything runs", () => {
  // cos\nsystem\n(S'touch /tmp/x'\ntR.
  refused(
    pickle(0x80, 2, "cos\nsystem\n", 0x28, 0x58, [12, 0, 0, 0], "touch /tmp/x", 0x74, 0x52, 0x2e),
    /"os\.system"/,
  );
  refused(pickle(0x80, 2, "cposix\nsystem\n", 0x29, 0x52, 0x2e), /"posix\.system"/);
});

Deno.test("builtins eval/exec/getattr and STACK_GLOBAL imports are refused by name", () => {
  refused(
    pickle(0x80, 2, "cbuiltins\neval\n", 0x58, [4, 0, 0, 0], "1+1)", 0x85, 0x52, 0x2e),
    /builtins\.eval/,
  );
  refused(pickle(0x80, 4, 0x8c, 8, "builtins", 0x8c, 4, "exec", 0x93, 0x2e), /builtins\.exec/);
  refused(pickle(0x80, 2, "cbuiltins\ngetattr\n", 0x2e), /builtins\.getattr/);
  refused(pickle(0x80, 2, "ctorch\nload\n", 0x2e), /torch\.load/);
});

Deno.test("object construction opcodes and the extension registry are refused", () => {
  refused(pickle(0x80, 2, "ccollections\nOrderedDict\n", 0x29, 0x81, 0x2e), /constructs an object/);
  refused(pickle(0x80, 2, 0x82, 1, 0x2e), /extension registry/);
  refused(pickle(0x28, "ios\nsystem\n", 0x2e), /constructs an object/);
});

Deno.test("plain values: dicts, lists, tuples, ints of every width, floats, strings, bytes", () => {
  const v = unpickle(pickle(
    0x80,
    2,
    0x7d,
    0x28,
    0x58,
    [1, 0, 0, 0],
    "a",
    0x4a,
    [0xff, 0xff, 0xff, 0xff], // -1
    0x58,
    [1, 0, 0, 0],
    "b",
    0x47,
    [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], // 1.5
    0x58,
    [1, 0, 0, 0],
    "c",
    0x5d,
    0x28,
    0x4b,
    7,
    0x4d,
    [0x34, 0x12],
    0x4e,
    0x88,
    0x65, // [7, 0x1234, None, True]
    0x58,
    [1, 0, 0, 0],
    "d",
    0x8a,
    9,
    [0, 0, 0, 0, 0, 0, 0, 0, 1], // LONG1 2^64 …
    0x43,
    2,
    [1, 2],
    0x86, // … and bytes, as a pair
    0x75,
    0x2e,
  )) as Map<string, unknown>;
  strictEqual(v.get("a"), -1);
  strictEqual(v.get("b"), 1.5);
  deepStrictEqual(v.get("c"), [7, 0x1234, null, true]);
  const pair = v.get("d") as unknown[];
  strictEqual(pair[0], 2n ** 64n);
  deepStrictEqual(pair[1], new Uint8Array([1, 2]));
  ok(Object.isFrozen(pair));
});

Deno.test("malformed pickles give corrupt/truncated errors, not crashes", () => {
  const kinds = [
    pickle(0x80, 2, 0x52, 0x2e), // REDUCE on an empty stack
    pickle(0x80, 2, 0x4a, 1), // truncated BININT
    pickle(0x80, 2, 0xff), // unknown opcode
    pickle(0x80, 2, 0x68, 3, 0x2e), // memo read before write
    pickle(0x80, 2, 0x4b, 1, 0x4b, 2, 0x73, 0x2e), // SETITEM on an int
    pickle(0x80, 2), // no STOP
  ].map((b) => {
    try {
      unpickle(b);
      return "none";
    } catch (e) {
      ok(e instanceof TorchCheckpointError, String(e));
      return e.kind;
    }
  });
  deepStrictEqual(kinds, ["corrupt", "truncated", "corrupt", "corrupt", "corrupt", "truncated"]);
});

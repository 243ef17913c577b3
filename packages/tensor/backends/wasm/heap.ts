/**
 * The allocator of tensor storage inside the wasm backend's one memory: 64-byte-aligned blocks in size classes
 * (64-byte steps up to 64 KiB, then eight classes per power of two: ≤ 12.5 % slack), a free list per class and a
 * bump pointer. Training allocates the same sizes every step, so after the first step every allocation is a
 * free-list pop and the memory stops growing. The memory grows (by at least half its size) only when the bump
 * pointer passes its end; the caller re-creates views afterwards ({@link ThreadRuntime.refresh}).
 */

import { MAX_PAGES, PAGE_BYTES } from "./kernel_module.ts";

/** Bytes kept readable past the last block: kernels may read (never write) a little past a tensor's end. */
export const TAIL_SLACK = 4096;
/** Alignment of every block. */
export const ALIGN = 64;

/** The size class (capacity in bytes) a request of `bytes` gets. */
export function sizeClass(bytes: number): number {
  const b = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  if (b <= 65536) return b;
  const step = 2 ** (Math.floor(Math.log2(b - 1)) - 3);
  return Math.ceil(b / step) * step;
}

/** A block of the heap. */
export interface HeapBlock {
  /** Byte address in the memory. */
  ptr: number;
  /** Capacity (its size class). */
  cap: number;
}

/** Size-class allocator over a `WebAssembly.Memory`. */
export class Heap {
  readonly #free = new Map<number, number[]>();
  #top: number;
  /** Bytes in blocks handed out and not freed. */
  liveBytes = 0;
  /** Bytes in freed blocks kept for reuse. */
  pooledBytes = 0;
  /** Blocks handed out and not freed. */
  liveBlocks = 0;

  /**
   * @param memory the memory to allocate in
   * @param base first byte the heap may use (below it: the backend's fixed scratch)
   */
  constructor(readonly memory: WebAssembly.Memory, base: number) {
    this.#top = Math.ceil(base / ALIGN) * ALIGN;
  }

  /** Allocates at least `bytes` bytes; grows the memory when needed. */
  alloc(bytes: number): HeapBlock {
    const cap = sizeClass(bytes);
    const list = this.#free.get(cap);
    let ptr = list?.pop();
    if (ptr === undefined) {
      ptr = this.#top;
      this.#ensure(ptr + cap + TAIL_SLACK);
      this.#top = ptr + cap;
    } else {
      this.pooledBytes -= cap;
    }
    this.liveBytes += cap;
    this.liveBlocks++;
    return { ptr, cap };
  }

  /** Returns a block to its class's free list. */
  free(block: HeapBlock): void {
    let list = this.#free.get(block.cap);
    if (!list) this.#free.set(block.cap, list = []);
    list.push(block.ptr);
    this.liveBytes -= block.cap;
    this.pooledBytes += block.cap;
    this.liveBlocks--;
  }

  /** Forgets free blocks at the top of the heap so that the bump pointer can reuse their bytes for any class. */
  trim(): void {
    const byPtr = new Map<number, number>();
    for (const [cap, list] of this.#free) for (const p of list) byPtr.set(p, cap);
    let changed = true;
    while (changed) {
      changed = false;
      for (const [p, cap] of byPtr) {
        if (p + cap === this.#top) {
          this.#top = p;
          byPtr.delete(p);
          this.pooledBytes -= cap;
          changed = true;
        }
      }
    }
    this.#free.clear();
    for (const [p, cap] of byPtr) {
      let list = this.#free.get(cap);
      if (!list) this.#free.set(cap, list = []);
      list.push(p);
    }
  }

  #ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pagesNow = have / PAGE_BYTES;
    const need = Math.ceil((end - have) / PAGE_BYTES);
    const grow = Math.min(Math.max(need, Math.ceil(pagesNow / 2)), MAX_PAGES - pagesNow);
    if (grow < need) throw new Error(`wasm backend: out of memory (asked for ${end} bytes of at most 4 GiB)`);
    this.memory.grow(grow);
  }
}

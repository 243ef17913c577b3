/**
 * A small stderr progress line (count, percentage, rate, ETA) for long CLI work; redraws in place on a
 * terminal and prints occasional plain lines otherwise (logs, CI).
 * @module
 */

/** A progress reporter writing to stderr. */
export interface ProgressBar {
  /** Reports `done` of `total`, with an optional suffix (e.g. "3 skipped"). */
  update(done: number, total: number, suffix?: string): void;
  /** Ends the line. */
  finish(): void;
}

/** Creates a progress reporter labelled `label`. */
export function createProgressBar(label: string): ProgressBar {
  const encoder = new TextEncoder();
  const interactive = Deno.stderr.isTerminal();
  const started = performance.now();
  let lastPrint = 0;
  let lastLine = "";
  const write = (text: string): void => {
    Deno.stderr.writeSync(encoder.encode(text));
  };
  return {
    update(done: number, total: number, suffix = ""): void {
      const now = performance.now();
      if (now - lastPrint < (interactive ? 100 : 5000) && done < total) return;
      lastPrint = now;
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const eta = rate > 0 ? (total - done) / rate : 0;
      const width = 24;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      const bar = "#".repeat(filled) + "-".repeat(width - filled);
      const percent = total > 0 ? ((100 * done) / total).toFixed(1) : "0.0";
      lastLine =
        `${label} [${bar}] ${done}/${total} ${percent}% ${rate.toFixed(1)}/s ETA ${eta.toFixed(0)}s` +
        (suffix ? ` ${suffix}` : "");
      write(interactive ? `\r${lastLine}\x1b[K` : `${lastLine}\n`);
    },
    finish(): void {
      if (interactive && lastLine) write("\n");
    },
  };
}

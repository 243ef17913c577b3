/**
 * A minimal lossless JPEG encoder (ITU T.81 process 14, first-order prediction "selection value 1", no point
 * transform) for 8-bit grey or interleaved RGB frames: what DICOM's JPEG Lossless SV1 transfer syntax
 * (1.2.840.10008.1.2.4.70) holds. It uses one fixed Huffman table with a 5-bit code for every difference
 * category, trading a little size for simplicity; any conforming decoder reads it.
 * @module
 */

class BitSink {
  bytes: number[] = [];
  #buffer = 0;
  #bits = 0;
  bits(value: number, size: number): void {
    for (let i = size - 1; i >= 0; i--) {
      this.#buffer = (this.#buffer << 1) | ((value >> i) & 1);
      if (++this.#bits === 8) {
        this.bytes.push(this.#buffer);
        if (this.#buffer === 0xff) this.bytes.push(0); // byte stuffing
        this.#buffer = 0;
        this.#bits = 0;
      }
    }
  }
  flush(): void {
    if (this.#bits > 0) this.bits((1 << (8 - this.#bits)) - 1, 8 - this.#bits);
  }
}

function category(diff: number): number {
  let v = Math.abs(diff);
  let n = 0;
  while (v) {
    n++;
    v >>= 1;
  }
  return n;
}

/** Encodes 8-bit grey (`channels` 1) or RGB (`channels` 3, interleaved) pixels as a lossless JPEG. */
export function encodeLosslessJpeg(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
): Uint8Array {
  if (pixels.length !== width * height * channels) {
    throw new RangeError(`encodeLosslessJpeg: ${pixels.length} bytes for ${width}x${height}x${channels}`);
  }
  const header: number[] = [0xff, 0xd8];
  // SOF3: precision 8, size, components with 1x1 sampling.
  header.push(
    0xff,
    0xc3,
    0,
    8 + 3 * channels,
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    channels,
  );
  for (let c = 0; c < channels; c++) header.push(c + 1, 0x11, 0);
  // DHT: one DC-class table (id 0) with 17 codes of length 5 for categories 0..16.
  const counts = new Array(16).fill(0);
  counts[4] = 17;
  header.push(0xff, 0xc4, 0, 2 + 1 + 16 + 17, 0x00, ...counts);
  for (let s = 0; s <= 16; s++) header.push(s);
  // SOS: all components, table 0, predictor 1 (left), Se 0, no point transform.
  header.push(0xff, 0xda, 0, 6 + 2 * channels, channels);
  for (let c = 0; c < channels; c++) header.push(c + 1, 0x00);
  header.push(1, 0, 0);
  const sink = new BitSink();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const at = (y * width + x) * channels + c;
        // Predictors: 128 for the first sample, the left sample on the first row, the sample above at the start
        // of each later row, else the left sample (selection value 1).
        const predicted = x === 0 && y === 0
          ? 128
          : y === 0
          ? pixels[at - channels]
          : x === 0
          ? pixels[at - width * channels]
          : pixels[at - channels];
        const diff = pixels[at] - predicted;
        const size = category(diff);
        sink.bits(size, 5); // code of category s is s itself (canonical 5-bit code)
        if (size) sink.bits(diff < 0 ? diff - 1 : diff, size);
      }
    }
  }
  sink.flush();
  return Uint8Array.from([...header, ...sink.bytes, 0xff, 0xd9]);
}

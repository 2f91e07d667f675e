import { deflateSync } from 'node:zlib';

export interface PngEncoder {
  /** An RGB gradient PNG whose colours derive from `seed`, so the same prompt gives the same picture. */
  gradient(width: number, height: number, seed: number): Buffer<ArrayBuffer>;
}

/** CRC-32 (IEEE) with its table built once per encoder, not at import time. */
function createCrc32(): (parts: readonly Uint8Array[]) => number {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (parts) => {
    let crc = 0xffffffff;
    for (const part of parts) {
      for (let i = 0; i < part.length; i++) crc = (table[(crc ^ (part[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
    }
    return (crc ^ 0xffffffff) >>> 0;
  };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function createPngEncoder(): PngEncoder {
  const crc32 = createCrc32();
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc32([head.subarray(4), data]), 0);
    return Buffer.concat([head, data, tail]);
  };
  return {
    gradient(width, height, seed) {
      const r0 = seed & 0xff;
      const g0 = (seed >>> 8) & 0xff;
      const b0 = (seed >>> 16) & 0xff;
      const stride = 1 + width * 3;
      const raw = Buffer.alloc(stride * height); // filter byte 0 (None) per row comes free
      for (let y = 0; y < height; y++) {
        let o = y * stride + 1;
        for (let x = 0; x < width; x++) {
          raw[o++] = (r0 + Math.floor((x * 255) / width)) & 0xff;
          raw[o++] = (g0 + Math.floor((y * 255) / height)) & 0xff;
          raw[o++] = (b0 + Math.floor(((x + y) * 127) / (width + height))) & 0xff;
        }
      }
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(width, 0);
      ihdr.writeUInt32BE(height, 4);
      ihdr[8] = 8; // bit depth
      ihdr[9] = 2; // colour type RGB; compression, filter, interlace stay 0
      return Buffer.concat([
        Buffer.from(PNG_SIGNATURE),
        chunk('IHDR', ihdr),
        chunk('IDAT', deflateSync(raw)),
        chunk('IEND', Buffer.alloc(0)),
      ]);
    },
  };
}

const WAV_RATE = 8000;

/** 16-bit mono PCM WAV with a quiet 440 Hz tone; small on purpose (8 kHz). */
export function toneWav(seconds: number): Buffer<ArrayBuffer> {
  const samples = Math.max(1, Math.round(seconds * WAV_RATE));
  const out = Buffer.alloc(44 + samples * 2);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write('WAVEfmt ', 8, 'latin1');
  out.writeUInt32LE(16, 16); // fmt chunk size
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(WAV_RATE, 24);
  out.writeUInt32LE(WAV_RATE * 2, 28); // byte rate
  out.writeUInt16LE(2, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(samples * 2, 40);
  const step = (2 * Math.PI * 440) / WAV_RATE;
  for (let i = 0; i < samples; i++) out.writeInt16LE(Math.round(Math.sin(i * step) * 3000), 44 + i * 2);
  return out;
}

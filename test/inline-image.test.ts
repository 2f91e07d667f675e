import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { INLINE_LIMIT_BYTES, inlineImage } from '../src/mcp/inline-image.js';

/** A photo-like image that does not compress: PNG of gaussian noise, several MB. */
const noisyPng = (edge: number) =>
  sharp({
    create: {
      width: edge,
      height: edge,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .png()
    .toBuffer();

describe('inlineImage', () => {
  it('passes small images through untouched', async () => {
    const small = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#3366ff' } })
      .png()
      .toBuffer();
    const result = await inlineImage(small, 'image/png');
    expect(result).toEqual({ data: small, mimeType: 'image/png', downscaled: false });
  });

  it('re-encodes a large image as a JPEG under the limit, no larger than 1024 px, same aspect ratio', async () => {
    const big = await noisyPng(1600);
    expect(big.length).toBeGreaterThan(INLINE_LIMIT_BYTES);
    const result = await inlineImage(big, 'image/png');
    if (!result) throw new Error('expected a downscaled image');
    expect(result.downscaled).toBe(true);
    expect(result.mimeType).toBe('image/jpeg');
    expect(result.data.length).toBeLessThanOrEqual(INLINE_LIMIT_BYTES);
    const meta = await sharp(result.data).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(1024);
    expect(meta.width).toBe(meta.height);
  });

  it('gives up (null) when even the smallest step does not fit, and on data that is not an image', async () => {
    expect(await inlineImage(await noisyPng(600), 'image/png', 1_000)).toBeNull();
    expect(await inlineImage(Buffer.alloc(2_000_000, 7), 'image/png')).toBeNull();
  });
});

/** Past this size an inline image costs clients too much (some put its base64 into the model's context). */
export const INLINE_LIMIT_BYTES = 1_000_000;

export interface InlineImage {
  data: Buffer;
  mimeType: string;
  /** True when this is a smaller re-encoding of the original. */
  downscaled: boolean;
}

/** Steps tried in order until the JPEG fits: longest edge in pixels, quality. */
const STEPS: readonly (readonly [number, number])[] = [
  [1024, 85],
  [1024, 70],
  [768, 70],
  [512, 65],
];

/**
 * The image as it can go inline: itself when small enough, else a downscaled JPEG under the limit
 * (the full file is saved to disk either way). null when it cannot be made small enough, or when
 * the image library is unavailable on this platform.
 */
export async function inlineImage(
  data: Buffer,
  mimeType: string,
  limit = INLINE_LIMIT_BYTES,
): Promise<InlineImage | null> {
  if (data.length <= limit) return { data, mimeType, downscaled: false };
  // Loaded only when needed: it is a native library and most images need no work.
  const sharp = await import('sharp').then((m) => m.default).catch(() => null);
  if (!sharp) return null;
  for (const [edge, quality] of STEPS) {
    const smaller = await sharp(data)
      .rotate()
      .resize({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality, mozjpeg: true })
      .toBuffer()
      .catch(() => null);
    if (!smaller) return null;
    if (smaller.length <= limit) return { data: smaller, mimeType: 'image/jpeg', downscaled: true };
  }
  return null;
}

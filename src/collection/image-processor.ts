import { HttpException, PayloadTooLargeException, UnprocessableEntityException, UnsupportedMediaTypeException } from '@nestjs/common';
import sharp, { Sharp } from 'sharp';

// heic-decode (libheif compiled to WebAssembly, maintained) has no type declarations.

const heicDecode: HeicDecode = require('heic-decode');

interface HeicImage {
  width: number;
  height: number;
  decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
}
interface HeicDecode {
  (options: { buffer: Buffer }): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
  all(options: { buffer: Buffer }): Promise<HeicImage[] & { dispose?: () => void }>;
}

export type ImageKind = 'jpeg' | 'png' | 'heif';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

export interface CleanImage {
  bytes: Buffer;
  contentType: 'image/jpeg';
  width: number;
  height: number;
}

/** The longest edge kept: plenty to read a card, and it makes the JPEG decoder shrink on load. */
export const MAX_EDGE = 2000;

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1', 'avif', 'avis']);

/** The real type from the first bytes (never the file name or the declared type). */
export function sniffImage(bytes: Buffer): ImageKind | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp' && HEIF_BRANDS.has(bytes.toString('latin1', 8, 12))) return 'heif';
  return null;
}

const unsupported = () => new UnsupportedMediaTypeException({ code: 'collection.image-type', message: 'Send a photo as JPEG, PNG or HEIC/HEIF' });
const unreadable = () => new UnprocessableEntityException({ code: 'collection.image-unreadable', message: 'The photo could not be read; take it again' });
const tooManyPixels = (limit: number) =>
  new UnprocessableEntityException({
    code: 'collection.image-too-many-pixels',
    message: `The photo has more than ${limit} pixels; send a smaller one`,
  });
export const tooLarge = (limit: number) =>
  new PayloadTooLargeException({ code: 'collection.image-too-large', message: `A photo may be at most ${limit} bytes` });

/**
 * Checks a phone photo and re-encodes it with sharp (libvips): real type from the bytes, size
 * and pixel caps (decompression bombs), EXIF/XMP/ICC and every other metadata block dropped
 * (sharp writes none unless asked), orientation applied first so the picture stays upright.
 * HEIC as iPhones write it is HEVC, which sharp's prebuilt libvips cannot decode: it is decoded
 * with heic-decode (libheif, WebAssembly) and handed to sharp as raw pixels.
 */
export async function cleanImage(input: Buffer, limits: ImageLimits): Promise<CleanImage> {
  if (input.length > limits.maxBytes) throw tooLarge(limits.maxBytes);
  const kind = sniffImage(input);
  if (!kind) throw unsupported();
  try {
    let pipeline: Sharp;
    if (kind === 'heif') {
      const images = await heicDecode.all({ buffer: input }).catch(() => {
        throw unreadable();
      });
      try {
        const primary = images[0];
        if (!primary) throw unreadable();
        if (primary.width * primary.height > limits.maxPixels) throw tooManyPixels(limits.maxPixels);
        const { width, height, data } = await primary.decode();
        pipeline = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 4 } });
      } finally {
        images.dispose?.();
      }
    } else {
      const meta = await sharp(input, { limitInputPixels: limits.maxPixels }).metadata();
      if (!meta.width || !meta.height) throw unreadable();
      if (meta.width * meta.height > limits.maxPixels) throw tooManyPixels(limits.maxPixels);
      pipeline = sharp(input, { limitInputPixels: limits.maxPixels, failOn: 'error' });
      // Upright first (the EXIF orientation goes with the metadata); only when needed: rotating
      // keeps the JPEG decoder from shrinking on load, which costs about twice the time.
      if ((meta.orientation ?? 1) > 1) pipeline = pipeline.rotate();
    }
    const { data, info } = await pipeline
      .resize({ width: MAX_EDGE, height: MAX_EDGE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 85 })
      .toBuffer({ resolveWithObject: true });
    return { bytes: data, contentType: 'image/jpeg', width: info.width, height: info.height };
  } catch (error) {
    if (error instanceof HttpException) throw error;
    if (/pixel limit/i.test(String((error as Error)?.message))) throw tooManyPixels(limits.maxPixels);
    throw unreadable();
  }
}

/** True when a JPEG holds an APP1 (EXIF/XMP) segment: used by tests to prove stored photos carry none. */
export function jpegHasMetadataSegment(bytes: Buffer): boolean {
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    if (marker === 0xda) return false; // start of scan: no more metadata segments
    if (marker === 0xe1) return true; // APP1: Exif or XMP
    i += 2 + bytes.readUInt16BE(i + 2);
  }
  return false;
}

import sharp from 'sharp';
import { cleanImage, jpegHasMetadataSegment, sniffImage } from './image-processor';

const LIMITS = { maxBytes: 10 * 1024 * 1024, maxPixels: 60_000_000 };

describe('image processor (collection photos)', () => {
  it('knows the real type from the bytes, not the name', () => {
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0, 0]))).toBe('jpeg');
    expect(sniffImage(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(sniffImage(Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic')]))).toBe('heif');
    expect(sniffImage(Buffer.from('%PDF-1.7'))).toBeNull();
    expect(sniffImage(Buffer.alloc(0))).toBeNull();
  });

  it('strips EXIF (GPS) and keeps an upright, re-encoded JPEG; a sideways photo is turned upright', async () => {
    const withGps = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#c33' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 41/1 2/1' } })
      .toBuffer();
    expect((await sharp(withGps).metadata()).orientation).toBe(6);
    expect(jpegHasMetadataSegment(withGps)).toBe(true);
    const clean = await cleanImage(withGps, LIMITS);
    expect(jpegHasMetadataSegment(clean.bytes)).toBe(false);
    const meta = await sharp(clean.bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect([meta.width, meta.height]).toEqual([200, 300]); // orientation 6 applied
  });

  it('refuses what is not a photo, too large, or too many pixels, with stable codes', async () => {
    await expect(cleanImage(Buffer.from('%PDF-1.7 not an image'), LIMITS)).rejects.toMatchObject({ response: { code: 'collection.image-type' } });
    await expect(cleanImage(Buffer.alloc(11 * 1024 * 1024, 0xff), LIMITS)).rejects.toMatchObject({ response: { code: 'collection.image-too-large' } });
    const png = await sharp({ create: { width: 1000, height: 1000, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    await expect(cleanImage(png, { ...LIMITS, maxPixels: 999_999 })).rejects.toMatchObject({ response: { code: 'collection.image-too-many-pixels' } });
    const truncated = (
      await sharp({ create: { width: 100, height: 100, channels: 3, background: '#000' } })
        .jpeg()
        .toBuffer()
    ).subarray(0, 200);
    await expect(cleanImage(truncated, LIMITS)).rejects.toMatchObject({ response: { code: 'collection.image-unreadable' } });
  });
});

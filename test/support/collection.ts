import { INestApplication } from '@nestjs/common';
import sharp from 'sharp';
import request from 'supertest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A real JPEG photo with EXIF GPS tags (Tokyo), as a phone writes it. */
export async function jpegWithGps(width = 640, height = 400, colour = { r: 200, g: 60, b: 40 }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'TestPhone', Model: 'GPS Model', Software: 'collection-test' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 41/1 2/1', GPSLongitudeRef: 'E', GPSLongitude: '139/1 46/1 3/1' },
    })
    .toBuffer();
}

/**
 * A real HEIC photo (HEVC, as iPhones write it) with an EXIF block holding GPS tags. Made once
 * here with libheif's heif-enc (x265) from a JPEG that sharp wrote with withExif: sharp's own
 * libvips cannot encode HEVC.
 */
export function heicWithGps(): Buffer {
  return readFileSync(join(__dirname, '..', 'fixtures', 'collection', 'photo-gps.heic'));
}

/** True when the bytes hold the GPS tags the fixtures carry (an EXIF block survived). */
export async function hasExif(bytes: Buffer): Promise<boolean> {
  const meta = await sharp(bytes).metadata();
  return !!meta.exif || !!meta.xmp;
}

/** The token from a link (after #). */
export const tokenOf = (link: string): string => link.slice(link.indexOf('#') + 1);

/** Creates one collection link for a person (clerk session). */
export async function createLink(app: INestApplication, clerkToken: string, subjectId: string): Promise<{ id: string; link: string; token: string }> {
  const res = await request(app.getHttpServer())
    .post('/collection/requests')
    .set('Authorization', `Bearer ${clerkToken}`)
    .send({ subjectIds: [subjectId] });
  if (res.status !== 201 || res.body.items.length !== 1) throw new Error(`create link: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.items[0].id, link: res.body.items[0].link, token: tokenOf(res.body.items[0].link) };
}

export interface SubmissionData {
  acknowledged: true;
  noticeVersion: string;
  acknowledgedAt: string;
  number?: string;
  notProvidedReason?: string;
  numberDocument?: string;
  identityDocuments?: string[];
  dependents?: {
    name: string;
    nameKana?: string;
    relationship: string;
    number?: string;
    notProvidedReason?: string;
    numberDocument?: string;
    identityDocuments?: string[];
  }[];
}

export function submissionData(overrides: Partial<SubmissionData> = {}): SubmissionData {
  return {
    acknowledged: true,
    noticeVersion: '2026-04',
    acknowledgedAt: new Date().toISOString(),
    numberDocument: 'my-number-card',
    identityDocuments: ['my-number-card'],
    dependents: [],
    ...overrides,
  };
}

/** POST /collect/submission as the page sends it: the data field and one file per photo. */
export function submit(app: INestApplication, token: string, data: SubmissionData | string, photos: Record<string, { bytes: Buffer; filename: string }>) {
  let req = request(app.getHttpServer())
    .post('/collect/submission')
    .set('X-Collection-Token', token)
    .field('data', typeof data === 'string' ? data : JSON.stringify(data));
  for (const [field, photo] of Object.entries(photos)) req = req.attach(field, photo.bytes, photo.filename);
  return req;
}

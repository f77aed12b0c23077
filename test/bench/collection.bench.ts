import sharp from 'sharp';

/** A phone-like photo of about `megabytes` MB (4032 × 3024, noisy enough not to compress away), with EXIF GPS. */
export async function phonePhoto(megabytes: number, shade: number): Promise<Buffer> {
  for (let sigma = 9; sigma < 80; sigma += 1) {
    const bytes = await sharp({
      create: { width: 4032, height: 3024, channels: 3, background: { r: shade, g: 128, b: 255 - shade }, noise: { type: 'gaussian', mean: 128, sigma } },
    })
      .jpeg({ quality: 88 })
      .withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 41/1 2/1', GPSLongitudeRef: 'E', GPSLongitude: '139/1 46/1 3/1' } })
      .toBuffer();
    if (bytes.length >= megabytes * 1_000_000) return bytes;
  }
  throw new Error('could not make a photo that large');
}

export interface CollectionBenchResult {
  submissions: number;
  seconds: number;
  failures: number;
  photoBytes: number;
}

/**
 * SUBMISSIONS links (created over HTTP), each used for one submission with two photos (card
 * front and back, ~3 MB JPEGs with EXIF GPS), CONCURRENCY at a time; answers the wall time from
 * the first upload to the last 201 (each photo checked, stripped, re-encoded, encrypted, stored).
 */
export async function benchCollection(port: number, clerkToken: string, submissions: number, concurrency: number): Promise<CollectionBenchResult> {
  const base = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${clerkToken}`, 'content-type': 'application/json' };
  const ids: string[] = [];
  for (let i = 0; i < submissions; i++) {
    const code = `C-${Array.from({ length: 10 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
    const res = await fetch(`${base}/subjects`, { method: 'POST', headers: auth, body: JSON.stringify({ kind: 'employee', code, name: '見本 太郎' }) });
    ids.push(((await res.json()) as { id: string }).id);
  }
  const created = (await (await fetch(`${base}/collection/requests`, { method: 'POST', headers: auth, body: JSON.stringify({ subjectIds: ids }) })).json()) as {
    items: { link: string }[];
  };
  const tokens = created.items.map((i) => i.link.split('#')[1]);
  const [front, back] = [await phonePhoto(3, 60), await phonePhoto(3, 190)];
  const { fakeMyNumber } = await import('../support/subjects');
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tokens.length) {
        const token = tokens[next++];
        if (!token) break;
        const form = new FormData();
        form.append(
          'data',
          JSON.stringify({
            acknowledged: true,
            noticeVersion: '2026-04',
            acknowledgedAt: new Date().toISOString(),
            number: fakeMyNumber(),
            numberDocument: 'my-number-card',
            identityDocuments: ['my-number-card'],
            dependents: [],
          }),
        );
        form.append('my-number-card:front', new Blob([front], { type: 'image/jpeg' }), 'front.jpg');
        form.append('my-number-card:back', new Blob([back], { type: 'image/jpeg' }), 'back.jpg');
        const res = await fetch(`${base}/collect/submission`, { method: 'POST', headers: { 'x-collection-token': token }, body: form });
        await res.arrayBuffer();
        if (res.status !== 201) failures++;
      }
    }),
  );
  return { submissions: tokens.length, seconds: (performance.now() - t0) / 1000, failures, photoBytes: front.length + back.length };
}

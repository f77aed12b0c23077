import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { randomBytes } from 'node:crypto';
import { checkDigit } from '../../src/numbers/my-number';

/** A valid, random (fictitious) individual number. */
export function fakeMyNumber(): string {
  const base = Array.from(randomBytes(11), (b) => String(b % 10)).join('');
  return base + checkDigit(base);
}

/** A unique subject code of letters only (codes may not hold long digit runs). */
export function uniqueCode(prefix = 'E'): string {
  return `${prefix}-${Array.from(randomBytes(10), (b) => String.fromCharCode(97 + (b % 26))).join('')}`;
}

export const CARD_CHECK = { numberDocument: 'my-number-card', identityDocuments: ['my-number-card'], checkedAt: '2026-04-01T10:00:00+09:00' };

/** Registers a person, tells them of the purposes and (optionally) stores a number. */
export async function createSubject(
  app: INestApplication,
  token: string,
  options: { kind?: 'employee' | 'dependent' | 'payee'; purposes?: string[]; number?: string | null; employeeId?: string; leftAt?: string } = {},
): Promise<{ id: string; code: string; number: string | null }> {
  const kind = options.kind ?? 'employee';
  const code = uniqueCode(kind[0]!.toUpperCase());
  const created = await request(app.getHttpServer())
    .post('/subjects')
    .set('Authorization', `Bearer ${token}`)
    .send({ kind, code, name: '試験 太郎', nameKana: 'シケン タロウ', employeeId: options.employeeId, leftAt: options.leftAt });
  if (created.status !== 201) throw new Error(`create subject: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const purposes = options.purposes ?? (kind === 'payee' ? ['payment-record'] : ['withholding-slip']);
  if (purposes.length) {
    const told = await request(app.getHttpServer())
      .put(`/subjects/${id}/purposes`)
      .set('Authorization', `Bearer ${token}`)
      .send({ purposes, notifiedAt: '2026-04-01T09:00:00+09:00' });
    if (told.status !== 200) throw new Error(`purposes: ${told.status} ${JSON.stringify(told.body)}`);
  }
  const number = options.number === null ? null : (options.number ?? fakeMyNumber());
  if (number) {
    const stored = await request(app.getHttpServer())
      .put(`/subjects/${id}/number`)
      .set('Authorization', `Bearer ${token}`)
      .send({ number, identityCheck: CARD_CHECK });
    if (stored.status !== 201) throw new Error(`store number: ${stored.status} ${JSON.stringify(stored.body)}`);
  }
  return { id, code, number };
}

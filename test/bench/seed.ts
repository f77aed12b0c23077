import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { BlindIndexService } from '../../src/crypto/blind-index.service';
import { EnvelopeService } from '../../src/crypto/envelope.service';
import { numberAad } from '../../src/numbers/subject-number.entity';
import { fakeMyNumber } from '../support/subjects';

/**
 * Seeds `count` employees told of `purpose`, each with an encrypted number, straight into the
 * database (set-based SQL) with the app's own envelope encryption, so a benchmark starts in seconds.
 */
export async function seedEmployees(app: INestApplication, owner: DataSource, count: number, prefix: string, purpose = 'withholding-slip'): Promise<string[]> {
  const envelope = app.get(EnvelopeService);
  const blind = app.get(BlindIndexService);
  const ids: string[] = [];
  for (let start = 0; start < count; start += 2000) {
    const n = Math.min(2000, count - start);
    const rows: { id: string }[] = await owner.query(
      `INSERT INTO subject (kind, code, name, name_kana, hired_at)
       SELECT 'employee', $1 || lpad(g::text, 7, '0'), 'ベンチ 太郎', 'ベンチ タロウ', '2020-04-01'
         FROM generate_series($2::int, $3::int) g RETURNING id`,
      [prefix, start + 1, start + n],
    );
    const batch = rows.map((r) => r.id);
    // Each person's primary relationship (issue #14), and the purpose told under it.
    await owner.query(
      `WITH r AS (INSERT INTO subject_relationship (subject_id, kind, started_at, is_primary)
                  SELECT unnest($1::uuid[]), 'employee', '2020-04-01', true RETURNING id, subject_id)
       INSERT INTO subject_purpose (subject_id, relationship_id, purpose, notified_at) SELECT subject_id, id, $2, now() FROM r`,
      [batch, purpose],
    );
    const recordIds: string[] = [];
    const ciphertexts: Buffer[] = [];
    const wrapped: Buffer[] = [];
    const versions: number[] = [];
    const indexes: Buffer[] = [];
    for (const id of batch) {
      const recordId = randomUUID();
      const number = fakeMyNumber();
      const sealed = envelope.encrypt(Buffer.from(number), numberAad(recordId, id));
      recordIds.push(recordId);
      ciphertexts.push(sealed.ciphertext);
      wrapped.push(sealed.wrappedKey);
      versions.push(sealed.keyVersion);
      indexes.push(blind.of(number));
    }
    await owner.query(
      `INSERT INTO subject_number (subject_id, record_id, ciphertext, wrapped_key, key_version, blind_index, identity_check, stored_by, stored_at, updated_at)
       SELECT * , '{"numberDocument":"my-number-card","identityDocuments":["my-number-card"],"checkedAt":"2026-04-01T00:00:00Z","checkedBy":"bench"}'::jsonb,
              '00000000-0000-4000-8000-000000000000'::uuid, now(), now()
         FROM unnest($1::uuid[], $2::uuid[], $3::bytea[], $4::bytea[], $5::int[], $6::bytea[])
       ON CONFLICT DO NOTHING`,
      [batch, recordIds, ciphertexts, wrapped, versions, indexes],
    );
    ids.push(...batch);
  }
  // Fresh statistics, so the first round does not run on plans made for empty tables (until
  // autovacuum's analyze, a minute later, the first rounds measured PostgreSQL's guesses).
  await owner.query('ANALYZE');
  return ids;
}

import { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/config/clock.service';
import { EnvelopeService } from '../src/crypto/envelope.service';
import { KeyringService } from '../src/crypto/keyring.service';
import { KeyRetirementService } from '../src/keys/key-retirement.service';
import { NumbersService } from '../src/numbers/numbers.service';
import { numberAad } from '../src/numbers/subject-number.entity';
import { StaffCredentialsService } from '../src/users/staff-credentials.service';
import { CollectionKeysService } from '../src/collection/collection-keys.service';
import { createTestApp, ownerConnection } from './support/app';
import { signIn, SignedIn } from './support/staff';
import { createSubject } from './support/subjects';

const run = promisify(execFile);
jest.setTimeout(300_000);

interface Row {
  record_id: string;
  subject_id: string;
  ciphertext: Buffer;
  wrapped_key: Buffer;
  key_version: number;
}

/**
 * Issue #18: KEK retirement makes disposal final. A backup taken before a rotation holds a
 * disposed person's number wrapped under the old key version; once that version is retired and
 * destroyed, the backup cannot give the number back, while numbers still on file (re-wrapped) decrypt.
 */
describe('KEK retirement: crypto-erase of old backups', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clerk: SignedIn;
  let admin: SignedIn;
  /** Retiring a version needs a second person: with no four-eyes policy set up, another admin confirms. */
  let secondAdmin: SignedIn;
  let dir: string;
  const restoredDb = `mnv_restore_${Date.now()}`;
  let restored: DataSource | undefined;

  beforeAll(async () => {
    app = await createTestApp();
    owner = await ownerConnection();
    [clerk, admin, secondAdmin] = await Promise.all([signIn(app, ['clerk']), signIn(app, ['admin']), signIn(app, ['admin'])]);
    dir = mkdtempSync(join(tmpdir(), 'mnv-retire-'));
  });
  afterAll(async () => {
    await restored?.destroy();
    await owner?.query(`DROP DATABASE IF EXISTS ${restoredDb} WITH (FORCE)`).catch(() => undefined);
    await owner?.destroy();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });
  const decrypt = (row: Row) =>
    app
      .get(EnvelopeService)
      .decrypt({ ciphertext: row.ciphertext, wrappedKey: row.wrapped_key, keyVersion: row.key_version }, numberAad(row.record_id, row.subject_id))
      .toString('utf8');
  const rowOf = async (ds: DataSource, subjectId: string): Promise<Row> =>
    (await ds.query('SELECT record_id, subject_id, ciphertext, wrapped_key, key_version FROM subject_number WHERE subject_id = $1', [subjectId]))[0];

  async function restore(dump: string): Promise<DataSource> {
    await owner.query(`DROP DATABASE IF EXISTS ${restoredDb} WITH (FORCE)`);
    await owner.query(`CREATE DATABASE ${restoredDb}`);
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${restoredDb}`;
    await run('pg_restore', ['--no-owner', '--no-privileges', '-d', url.toString(), dump]);
    await restored?.destroy();
    restored = await new DataSource({ type: 'postgres', url: url.toString(), extra: { max: 1 } }).initialize();
    return restored;
  }

  it('rotate, retire, destroy after the delay: the disposed number in a pre-rotation dump is gone, numbers on file decrypt', async () => {
    const keyring = app.get(KeyringService);
    const disposed = await createSubject(app, clerk.token);
    const kept = await createSubject(app, clerk.token);
    const oldVersion = keyring.currentKek().version;

    // 1. the nightly backup, before the rotation
    const dump = join(dir, 'before-rotation.dump');
    await run('pg_dump', ['-Fc', '-f', dump, process.env.DATABASE_URL!]);

    // 2. the person's retention ends: the number is disposed of (the row and its wrapped key go)
    await app.get(DataSource).transaction((m) => app.get(NumbersService).dispose(disposed.id, m));
    expect(await owner.query('SELECT 1 FROM subject_number WHERE subject_id = $1', [disposed.id])).toEqual([]);

    // 3. keys:rotate: a new version, every data key re-wrapped (as the command does)
    const { version: newVersion } = keyring.addKekVersion();
    await app.get(NumbersService).rewrapDataKeys();
    await app.get(StaffCredentialsService).rewrapTotpSecrets(newVersion);
    await app.get(CollectionKeysService).rewrapDataKeys();

    // 4. an admin retires every older version; the current one and unknown ones are refused
    const listed = await http().get('/keys/versions').set(as(admin)).expect(200);
    const old = (listed.body as { version: number; current: boolean; present: boolean; dataKeys: number }[]).filter((v) => !v.current && v.present);
    expect(old.map((v) => v.version)).toContain(oldVersion);
    expect(old.every((v) => v.dataKeys === 0)).toBe(true);
    await http()
      .post(`/keys/versions/${newVersion}/retire`)
      .set(as(admin))
      .expect(409)
      .expect((r) => expect(r.body.code).toBe('keys.version-current'));
    await http()
      .post('/keys/versions/9999/retire')
      .set(as(admin))
      .expect(404)
      .expect((r) => expect(r.body.code).toBe('keys.version-unknown'));
    await http().post(`/keys/versions/${oldVersion}/retire`).set(as(clerk)).expect(403);
    const now = app.get(ClockService).now();
    for (const v of old) {
      // one admin asks: it waits for a second person (no four-eyes policy here: another admin)
      const asked = await http().post(`/keys/versions/${v.version}/retire`).set(as(admin)).expect(202);
      expect(asked.body).toMatchObject({
        status: 'pending-approval',
        kind: 'key-retirement',
        version: v.version,
        confirmBy: 'admin',
        requestedBy: admin.username,
      });
      const again = await http().post(`/keys/versions/${v.version}/retire`).set(as(secondAdmin)).expect(202);
      expect(again.body.approvalId).toBe(asked.body.approvalId); // one waiting request per version
      const listed = await http().get('/keys/versions').set(as(secondAdmin)).expect(200);
      expect(listed.body.find((x: { version: number }) => x.version === v.version)).toMatchObject({
        retiredAt: null,
        pendingRetirement: { approvalId: asked.body.approvalId, requestedBy: admin.username, confirmBy: 'admin' },
      });
      // the one who asked cannot confirm; a clerk cannot either; nothing is retired meanwhile
      await http()
        .post(`/keys/retirements/${asked.body.approvalId}/confirm`)
        .set(as(admin))
        .expect(403)
        .expect((r) => expect(r.body.code).toBe('approval.same-person'));
      await http().post(`/keys/retirements/${asked.body.approvalId}/confirm`).set(as(clerk)).expect(403);
      expect(await owner.query('SELECT 1 FROM key_version_retirement WHERE version = $1', [v.version])).toEqual([]);
      const res = await http().post(`/keys/retirements/${asked.body.approvalId}/confirm`).set(as(secondAdmin)).expect(200);
      expect(res.body).toMatchObject({ version: v.version, present: true, destroyedAt: null, pendingRetirement: null });
      // KEY_RETIREMENT_DELAY_DAYS (default 30, the backup retention)
      expect(new Date(res.body.destroyAfter).getTime() - now.getTime()).toBeGreaterThanOrEqual(30 * 86_400_000 - 60_000);
      await http().post(`/keys/retirements/${asked.body.approvalId}/confirm`).set(as(secondAdmin)).expect(409);
    }
    await http()
      .post(`/keys/versions/${oldVersion}/retire`)
      .set(as(admin))
      .expect(409)
      .expect((r) => expect(r.body.code).toBe('keys.version-retired'));

    // 5. within the backup window the old dump still restores: the disposed number is readable from it
    let fromBackup = await restore(dump);
    expect(await app.get(KeyRetirementService).destroyDue()).toEqual([]);
    expect(decrypt(await rowOf(fromBackup, disposed.id))).toBe(disposed.number);

    // 6. the delay passes: the retired versions are destroyed in the keystore, and the trail says so
    app.get(ClockService).set(new Date(now.getTime() + 31 * 86_400_000));
    try {
      const destroyed = await app.get(KeyRetirementService).destroyDue();
      expect(destroyed).toEqual(old.map((v) => v.version));
    } finally {
      app.get(ClockService).reset();
    }
    expect(keyring.kekVersions()).toEqual([newVersion]);
    const trail = await owner.query(`SELECT action, details FROM audit_entry WHERE action IN ('keys.retired', 'keys.destroyed') ORDER BY seq`);
    const retiredEntries = trail.filter((e: { action: string }) => e.action === 'keys.retired');
    expect(retiredEntries.map((e: { details: { version: number } }) => e.details.version)).toEqual(old.map((v) => v.version));
    for (const e of retiredEntries) expect(e.details).toMatchObject({ fourEyes: 'second-admin', approvedBy: secondAdmin.username });
    expect(trail.filter((e: { action: string }) => e.action === 'keys.destroyed').map((e: { details: { version: number } }) => e.details.version)).toEqual(
      old.map((v) => v.version),
    );

    // 7. the same pre-rotation dump, restored now: the disposed number cannot be decrypted (crypto-erase)
    fromBackup = await restore(dump);
    const erased = await rowOf(fromBackup, disposed.id);
    expect(erased.key_version).toBe(oldVersion);
    expect(() => decrypt(erased)).toThrow(/not in the keystore/);

    // 8. numbers still on file were re-wrapped and decrypt, through the reveal route too
    const live = await rowOf(owner, kept.id);
    expect(live.key_version).toBe(newVersion);
    expect(decrypt(live)).toBe(kept.number);
    const revealed = await http().post(`/subjects/${kept.id}/number/reveal`).set(as(clerk)).send({ purpose: 'withholding-slip' }).expect(200);
    expect(revealed.body.number).toBe(kept.number);
    // staff whose TOTP secrets were re-wrapped still sign in with them (the admin's session works on)
    await http().get('/keys/versions').set(as(admin)).expect(200);
  });
});

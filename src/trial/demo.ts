import 'reflect-metadata';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Role } from '@/common/auth/roles';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { AppModule } from '@/app.module';
import { prepareDatabase } from '@/database/prepare-database';
import { checkDigit } from '@/numbers/my-number';
import { NumbersService } from '@/numbers/numbers.service';
import { AlarmsService } from '@/retention/alarms.service';
import { FilingsService } from '@/retention/filings.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { UsersService } from '@/users/users.service';
import { chooseDatabase, DatabaseChoice } from './trial-mode';

/**
 * npm run demo [-- --json]
 *
 * Fills a vault (trial mode or a real database, as `npm start` would find it) with fictitious
 * people through the application's own services, so every row is audited like a clerk's work:
 * employees, dependents and payees with random numbers that pass the check digit and obviously
 * made-up names (見本, 試験, 例示 ...), one clerk, one auditor and one admin whose one-time passwords
 * are printed, and a leaver whose disposal alarm is due. It refuses to run twice (usernames are
 * never reused) and outside trial mode (issue #22: fictitious people never go into a real database,
 * and it never advises deleting DATA_DIR, which outside trial mode holds the only keystore).
 */

/** Why the demo must not run against this database, or null when it may (trial mode only). */
export function demoRefusal(choice: Pick<DatabaseChoice, 'mode' | 'reason'>): string | null {
  if (choice.mode === 'trial') return null;
  return (
    `this vault uses a real PostgreSQL (${choice.reason}), not trial mode, so the demo adds nothing: fictitious people ` +
    'would mix with real ones and stay in its audit trail for good. The demo runs only in trial mode ' +
    '(no DATABASE_URL and no PostgreSQL answering at DATABASE_PROBE_URL, or TRIAL_MODE=always with its own DATA_DIR). Nothing was changed.'
  );
}

export const DEMO_USERS: { username: string; displayName: string; roles: Role[] }[] = [
  { username: 'demo-admin', displayName: '見本 管理者 (demo admin)', roles: ['admin'] },
  { username: 'demo-clerk', displayName: '見本 担当者 (demo clerk)', roles: ['clerk'] },
  { username: 'demo-auditor', displayName: '見本 監査 (demo auditor)', roles: ['auditor'] },
];

const FAMILY = [
  ['見本', 'ミホン'],
  ['試験', 'シケン'],
  ['例示', 'レイジ'],
  ['仮名', 'カメイ'],
  ['架空', 'カクウ'],
] as const;
const GIVEN_MALE = [
  ['太郎', 'タロウ'],
  ['一郎', 'イチロウ'],
  ['次郎', 'ジロウ'],
  ['健太', 'ケンタ'],
  ['翔太', 'ショウタ'],
] as const;
const GIVEN_FEMALE = [
  ['花子', 'ハナコ'],
  ['幸子', 'サチコ'],
  ['恵子', 'ケイコ'],
  ['陽菜', 'ヒナ'],
  ['結衣', 'ユイ'],
] as const;
const GIVEN_CHILD = [
  ['一号', 'イチゴウ'],
  ['二号', 'ニゴウ'],
  ['三号', 'サンゴウ'],
] as const;

/** A random, fictitious individual number whose check digit is right (総務省令第85号 第5条). */
export function fictitiousNumber(): string {
  const base = Array.from({ length: 11 }, () => String(randomInt(10))).join('');
  return base + checkDigit(base);
}

export interface DemoResult {
  users: { username: string; roles: Role[]; oneTimePassword: string }[];
  employees: number;
  dependents: number;
  payees: number;
  leaver: { id: string; code: string; name: string };
  alarmsOpen: number;
}

const META: RequestMeta = { requestId: 'demo-seed', clientAddress: null };

/** Seeds through the services of a running application context. */
export async function seedDemo(ctx: INestApplicationContext): Promise<DemoResult> {
  const users = ctx.get(UsersService, { strict: false });
  const subjects = ctx.get(SubjectsService, { strict: false });
  const numbers = ctx.get(NumbersService, { strict: false });
  const clock = ctx.get(ClockService, { strict: false });

  const existing = await users.list({ limit: 500 });
  const taken = existing.items.filter((u) => DEMO_USERS.some((d) => d.username === u.username));
  if (taken.length) {
    throw new Error(
      `This vault already has the demo accounts (${taken.map((u) => u.username).join(', ')}): the demo data is there, nothing was added. ` +
        'Sign in with those accounts; if their one-time passwords are lost, an admin resets them on the staff screen (or: npm run cli -- admin:create <name>).',
    );
  }

  const created: DemoResult['users'] = [];
  for (const u of DEMO_USERS) {
    const account = await users.create({ username: u.username, displayName: u.displayName, roles: u.roles }, null, META, 'cli');
    created.push({ username: account.username, roles: u.roles, oneTimePassword: account.initialPassword });
  }
  const clerkId = (await users.list({ limit: 500 })).items.find((u) => u.username === 'demo-clerk')!.id;
  // The demo clerk does the data entry, so the audit trail shows who "collected" the numbers.
  const clerk: Staff = {
    userId: clerkId,
    username: 'demo-clerk',
    roles: ['clerk'],
    sessionId: 'demo-seed',
    stepUpAt: null,
    trainingAcknowledgedAt: null,
    trainingVersion: null,
  };

  const now = clock.now();
  const year = now.getUTCFullYear();
  const checkedAt = now.toISOString();
  const card = { numberDocument: 'my-number-card', identityDocuments: ['my-number-card'], checkedAt };
  const licencePlusRecord = { numberDocument: 'resident-record-with-number', identityDocuments: ['drivers-licence'], checkedAt };

  const addPerson = async (
    input: { kind: 'employee' | 'dependent' | 'payee'; code: string; name: string; nameKana: string; employeeId?: string; hiredAt?: string; leftAt?: string },
    purposes: string[],
    identityCheck = card,
  ) => {
    const subject = await subjects.create(input, clerk, META);
    await subjects.notifyPurposes(subject.id, { purposes, notifiedAt: checkedAt }, clerk, META);
    for (let attempt = 0; ; attempt++) {
      try {
        await numbers.store(subject.id, { number: fictitiousNumber(), identityCheck }, clerk, META);
        break;
      } catch (error) {
        if (attempt > 3) throw error; // 1 in 10^11: the same random number twice
      }
    }
    return subject;
  };

  const employeePurposes = ['withholding-slip', 'dependents-declaration', 'health-pension', 'employment-insurance'];
  const dependentPurposes = ['withholding-slip', 'dependents-declaration', 'health-pension'];
  let employees = 0;
  let dependents = 0;
  let payees = 0;
  for (let i = 0; i < 24; i++) {
    const [family, familyKana] = FAMILY[i % FAMILY.length]!;
    const [given, givenKana] = (i % 2 ? GIVEN_FEMALE : GIVEN_MALE)[Math.floor(i / 2) % 5]!;
    const hired = `${year - 1 - (i % 15)}-04-01`;
    const employee = await addPerson(
      { kind: 'employee', code: `DEMO-E${String(i + 1).padStart(3, '0')}`, name: `${family} ${given}`, nameKana: `${familyKana} ${givenKana}`, hiredAt: hired },
      employeePurposes,
      i % 4 === 3 ? licencePlusRecord : card,
    );
    employees++;
    if (i % 2 === 0) {
      const children = i % 4 === 0 ? 2 : 1;
      for (let c = 0; c < children; c++) {
        const [child, childKana] = GIVEN_CHILD[c]!;
        await addPerson(
          {
            kind: 'dependent',
            code: `DEMO-D${String(i + 1).padStart(3, '0')}-${c + 1}`,
            name: `${family} ${child}`,
            nameKana: `${familyKana} ${childKana}`,
            employeeId: employee.id,
          },
          dependentPurposes,
        );
        dependents++;
      }
    }
  }
  const payeeNames: [string, string][] = [
    ['例示 講師', 'レイジ コウシ'],
    ['見本 翻訳', 'ミホン ホンヤク'],
    ['試験 設計', 'シケン セッケイ'],
    ['架空 家主', 'カクウ ヤヌシ'],
    ['仮名 顧問', 'カメイ コモン'],
    ['見本 写真', 'ミホン シャシン'],
  ];
  for (const [i, [name, kana]] of payeeNames.entries()) {
    await addPerson({ kind: 'payee', code: `DEMO-P${String(i + 1).padStart(3, '0')}`, name, nameKana: kana, hiredAt: `${year - 2}-01-01` }, ['payment-record']);
    payees++;
  }

  // The leaver: left long ago, and the last filing that used the number is past its retention
  // period, so the number must be disposed of: the retention module raises the alarm at once.
  const leftYear = year - 10;
  const leaver = await addPerson(
    { kind: 'employee', code: 'DEMO-LEAVER', name: '見本 退職', nameKana: 'ミホン タイショク', hiredAt: `${leftYear - 6}-04-01`, leftAt: `${leftYear}-03-31` },
    employeePurposes,
  );
  employees++;
  const alarmsOpen = await recordLeaverFilings(ctx, leaver.id, leftYear, clerk);

  return { users: created, employees, dependents, payees, leaver: { id: leaver.id, code: leaver.code, name: leaver.name }, alarmsOpen };
}

/** The leaver's filings, through the retention module: the due date is long past, so the alarm opens at once. */
async function recordLeaverFilings(ctx: INestApplicationContext, subjectId: string, leftYear: number, clerk: Staff): Promise<number> {
  const filings = ctx.get(FilingsService, { strict: false });
  await filings.record(subjectId, { documentType: 'dependents-declaration', taxYear: leftYear - 1, submittedAt: `${leftYear - 1}-01-20` }, clerk, META);
  await filings.record(subjectId, { documentType: 'health-pension', closedAt: `${leftYear}-03-31` }, clerk, META);
  return ctx.get(AlarmsService, { strict: false }).countOpen();
}

function printResult(result: DemoResult, port: number, choice: DatabaseChoice): void {
  const out = (line = '') => process.stdout.write(line + '\n');
  out();
  out(`Demo data added to the ${choice.mode === 'trial' ? 'trial ' : ''}vault (all people and numbers are fictitious):`);
  out(`  ${result.employees} employees, ${result.dependents} dependents, ${result.payees} payees, each with a number on file and purposes told`);
  out(
    `  a leaver whose disposal alarm is due: ${result.leaver.code} ${result.leaver.name} (open alarms: ${result.alarmsOpen}; the admin sees them at GET /retention/alarms)`,
  );
  out();
  out('  role      username        one-time password (shown once; change it at the first login)');
  for (const u of result.users) out(`  ${u.roles.join(',').padEnd(9)} ${u.username.padEnd(15)} ${u.oneTimePassword}`);
  out();
  out(`First login (each): POST http://127.0.0.1:${port}/auth/login {username, password} -> change the password ->`);
  out('enrol an authenticator app (TOTP); the clerk also acknowledges the handling rules (POST /me/training)');
  out(`before a reveal. API documentation: http://127.0.0.1:${port}/docs`);
}

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const log = new Logger('Demo');
  const choice = await chooseDatabase(process.env, (level, message) => log[level](message));
  let ctx: INestApplicationContext | undefined;
  try {
    const refusal = demoRefusal(choice);
    if (refusal) throw new Error(refusal);
    await prepareDatabase(choice.env);
    ctx = await NestFactory.createApplicationContext(AppModule.forRoot(choice.env), { logger: ['error', 'warn'] });
    const dataSource = ctx.get(DataSource);
    choice.server?.stopOnSignals(() => !dataSource.isInitialized);
    const result = await seedDemo(ctx);
    if (json) process.stdout.write(JSON.stringify(result) + '\n');
    else printResult(result, choice.env.PORT, choice);
  } finally {
    await ctx?.close();
    await choice.server?.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: Error) => {
      process.stderr.write(`demo: ${error.message}\n`);
      process.exit(1);
    },
  );
}

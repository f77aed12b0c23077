import { z } from 'zod';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

/** Every setting the service reads. Names are the public contract in ../shared/api.md. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000, 0),
  /**
   * What the service logs in as: the application role (DATABASE_APP_ROLE). Outside production a
   * URL of another user (the default's postgres) is taken as the owner's, and the service logs in
   * as DATABASE_APP_ROLE on the same server (src/database/database-urls.ts).
   */
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/mynumber_vault'),
  /** The schema owner's URL: creates the database and the app role, runs migrations. Unset: the service runs none. */
  DATABASE_MIGRATION_URL: z.string().url().optional(),
  /** PostgreSQL login role of the application (DATABASE_URL's user); the migrations grant it only what it needs. */
  DATABASE_APP_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain lower-case identifier')
    .default('mynumber_app'),
  DATABASE_POOL_SIZE: int(20, 1),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  DATA_DIR: z.string().min(1).default('./data'),
  KEYSTORE_PATH: z.string().min(1).optional(),
  /** The keystore file itself, base64, for containers that take secrets from the environment. */
  KEYSTORE_BASE64: z.string().min(16).optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/)
    .default('mnv'),
  KEYSTORE_PASSPHRASE: z.string().min(12, 'must be at least 12 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Directory holding purposes, retention rules and handling rules. */
  LEGAL_CONFIG_DIR: z.string().min(1).default('./config'),
  SESSION_IDLE_MINUTES: int(30, 1),
  SESSION_MAX_HOURS: int(12, 1),
  /** How long a verified session may be reused without the session query (0 = never); see docs/performance.md. */
  SESSION_CACHE_MS: int(5000, 0),
  STEP_UP_MINUTES: int(5, 1),
  TRAINING_VALID_MONTHS: int(12, 1),
  DORMANT_DAYS: int(90, 1),
  LOGIN_RATE_LIMIT_PER_MINUTE: int(20, 1),
  SEAL_INTERVAL_MS: int(500, 50),
  SWEEP_INTERVAL_MS: int(24 * 60 * 60 * 1000, 1000),
  ALARM_WEBHOOK_URL: z.string().url().optional(),
  SMTP_URL: z.string().url().optional(),
  ALARM_MAIL_TO: z.string().email().optional(),
  PUBLIC_BASE_URL: z.string().url().default('http://127.0.0.1:3000'),
  /** Chromium for the monthly report's PDF (issue #19; Debian's package); missing: GET /reports/monthly/:month.pdf answers 503. */
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  /** How long one PDF may take (start Chromium, draw the charts, print) before it answers 503. */
  REPORT_PDF_TIMEOUT_MS: int(60_000, 1000),
  METRICS_ENABLED: bool(true),
  /** Bearer token that lets a remote Prometheus scrape /metrics (otherwise loopback only). */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Runs the audit sealer in this process (tests that seal by hand turn it off). */
  AUDIT_SEALER_ENABLED: bool(true),
  /** How long a missing audit sequence number must stay missing before the sealer records it as rolled back. */
  AUDIT_GAP_GRACE_MS: int(5000, 0),
  /** Witnesses of the audit tree heads (issue #17; docs/audit.md): an append-only directory on another volume, */
  AUDIT_WITNESS_DIR: z.string().min(1).optional(),
  /** a webhook (JSON POST, retried), */
  AUDIT_WITNESS_WEBHOOK_URL: z.string().url().optional(),
  /** and a daily e-mail digest to the auditors through SMTP_URL (comma-separated addresses). */
  AUDIT_WITNESS_MAIL_TO: z
    .string()
    .regex(/^[^\s,@]+@[^\s,@]+(,[^\s,@]+@[^\s,@]+)*$/, 'must be e-mail addresses separated by commas')
    .optional(),
  /** The newest tree head goes to the witnesses at most this often. */
  AUDIT_WITNESS_INTERVAL_MS: int(10_000, 0),
  /** The auditor console warns when a witness has not accepted a head for longer than this (the e-mail digest: a day longer). */
  AUDIT_WITNESS_STALE_MINUTES: int(60, 1),
  /** RFC 3161 timestamp authority (issue #17): each daily tree head gets a timestamp token from it. */
  AUDIT_TSA_URL: z.string().url().optional(),
  /**
   * The sealer maintains the Merkle tree (issue #17). Only `npm run bench` turns it off, to measure
   * reveals without it; when it is back on, the sealer adds the trail sealed meanwhile to the tree.
   */
  AUDIT_TREE_ENABLED: bool(true),
  /** Lifetime of a login challenge (between the password and the second factor). */
  LOGIN_CHALLENGE_MINUTES: int(5, 1),
  /**
   * Slow clients (issue #16, finding 6; docs/security.md): a request must arrive whole (headers and
   * body) within HTTP_REQUEST_TIMEOUT_MS, its headers within HTTP_HEADERS_TIMEOUT_MS; an idle
   * kept-alive connection closes after HTTP_KEEP_ALIVE_TIMEOUT_MS; one client address may hold at
   * most HTTP_MAX_CONNECTIONS_PER_ADDRESS connections (0 = no cap; behind a proxy every client
   * shares the proxy's address, so raise it or let the proxy cap).
   */
  HTTP_REQUEST_TIMEOUT_MS: int(30000, 1000),
  HTTP_HEADERS_TIMEOUT_MS: int(10000, 1000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(5000, 1000),
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: int(256, 0),
  /**
   * Separation of duties (issue #16): true only where one person does everything; then one
   * account may hold admin and clerk, flagged to the auditors and in the staff inventory.
   */
  SOD_ONE_PERSON_COMPANY: bool(false),
  /** Breach register (issue #19): days before the 確報 deadline its alarm opens; unset = config/compliance.json (7). */
  BREACH_FINAL_ALARM_DAYS_BEFORE: z.coerce.number().int().min(0).max(59).optional(),
  /** File inventory (台帳, issue #19): the department that handles the numbers (取扱部署), printed on every vault file. */
  INVENTORY_DEPARTMENT: z.string().min(1).max(200).optional(),
  /**
   * Login backoff (issue #16; docs/security.md "Login policy"). Wrong passwords per account and
   * per kind of address (known / unknown) allowed before backoff starts; then each further
   * attempt waits LOGIN_BACKOFF_BASE_SECONDS, doubling per failure, at most LOGIN_BACKOFF_MAX_MINUTES.
   */
  LOCKOUT_THRESHOLD: int(5, 1),
  LOGIN_BACKOFF_BASE_SECONDS: int(30, 1),
  LOGIN_BACKOFF_MAX_MINUTES: int(15, 1),
  /** The same for second-factor codes (TOTP, recovery codes, activation, step-up): the hardest limit. */
  SECOND_FACTOR_THRESHOLD: int(3, 1),
  SECOND_FACTOR_BACKOFF_BASE_SECONDS: int(60, 1),
  SECOND_FACTOR_BACKOFF_MAX_MINUTES: int(60, 1),
  /** Code attempts one login challenge allows before it is void (log in again). */
  LOGIN_CHALLENGE_CODE_ATTEMPTS: int(3, 1),
  /** argon2id memory in KiB (OWASP minimum 19456) and iterations (minimum 2); raise them, never lower. */
  ARGON2_MEMORY_KIB: int(19456, 19456),
  ARGON2_TIME_COST: int(2, 2),
  /** Password hashes running at once, on threads of their own; 0 = half the cores, at least 1 (docs/performance.md). */
  PASSWORD_HASH_CONCURRENCY: int(0, 0),
  /** Callers that may wait for a hashing thread; more get 503 auth.busy with Retry-After. */
  PASSWORD_HASH_QUEUE: int(64, 0),
  /** A caller that would wait longer than this for a hashing thread gets 503 auth.busy with Retry-After. */
  PASSWORD_HASH_MAX_WAIT_MS: int(3000, 1),
  /** OS priority (nice, 0-19) of the hashing threads: higher yields more CPU to the requests being served. */
  PASSWORD_HASH_NICE: z.coerce.number().int().min(0).max(19).default(5),
  /** Sender address of disposal-alarm e-mails (sent to ALARM_MAIL_TO through SMTP_URL). */
  ALARM_MAIL_FROM: z.string().email().default('mynumber-vault@example.invalid'),
  /** Run one catch-up retention sweep shortly after start-up (alarms missed while the service was down). */
  SWEEP_ON_START: bool(true),
  /**
   * Days between retiring an old key-encryption key version and destroying it in the keystore.
   * Set it to the backup retention: restores within it still work, older backups are crypto-erased.
   */
  KEY_RETIREMENT_DELAY_DAYS: int(30, 0),
  /**
   * Trial mode (embedded PostgreSQL in $DATA_DIR/pg) when DATABASE_URL is not set: `auto` = when
   * nothing answers at DATABASE_PROBE_URL (never with NODE_ENV=production); `always`; `never`.
   */
  TRIAL_MODE: z.enum(['auto', 'always', 'never']).default('auto'),
  /** Where to look for PostgreSQL when DATABASE_URL is not set; used as the database when it answers. */
  DATABASE_PROBE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/mynumber_vault'),
  /** How long that look may take (a TCP connect). */
  DATABASE_PROBE_TIMEOUT_MS: int(500, 50),
  // --- collection links (issue #15) ---
  /** Company name shown on the submitter's page and in the link e-mail. */
  COLLECTION_COMPANY_NAME: z.string().min(1).max(100).default('mynumber-vault'),
  /** Days a collection link stays valid. */
  COLLECTION_LINK_DAYS: int(14, 1),
  /** Largest accepted identity-document photo, in bytes (each). */
  COLLECTION_IMAGE_MAX_BYTES: int(10 * 1024 * 1024, 1024),
  /** Largest accepted photo in pixels (decompression bombs); a 48-megapixel phone photo fits. */
  COLLECTION_IMAGE_MAX_PIXELS: int(60_000_000, 1),
  /** Keep the photos after review until the number's disposal instead of deleting them at once. */
  COLLECTION_KEEP_IMAGES: bool(false),
  /** Requests (open or submit) one link may make per COLLECTION_RATE_WINDOW_SECONDS. */
  COLLECTION_RATE_LIMIT_PER_LINK: int(30, 1),
  /** Requests one client address may make to the submitter routes per window. */
  COLLECTION_RATE_LIMIT_PER_ADDRESS: int(120, 1),
  COLLECTION_RATE_WINDOW_SECONDS: int(600, 1),
  /** Sender address of collection-link e-mails (sent through SMTP_URL). */
  COLLECTION_MAIL_FROM: z.string().email().default('mynumber-vault@example.invalid'),
});

export type Env = z.infer<typeof envSchema>;

/** Validates process.env once at start-up; a bad setting stops the service naming the setting. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  const env = parsed.data;
  // KEYSTORE_PASSPHRASE is required in production unless the keystore is in custody mode (sealed
  // start, k-of-n shares): the keyring checks it when it opens the keystore (src/crypto/keyring.service.ts).
  return env;
}

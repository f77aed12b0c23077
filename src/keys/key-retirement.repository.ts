import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface RetirementRow {
  version: number;
  retiredAt: Date;
  retiredByUsername: string;
  destroyAfter: Date;
  destroyedAt: Date | null;
}

const COLUMNS = `version, retired_at AS "retiredAt", retired_by_username AS "retiredByUsername",
  destroy_after AS "destroyAfter", destroyed_at AS "destroyedAt"`;

/** SQL for key_version_retirement. */
@Injectable()
export class KeyRetirementRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** One retirement at a time across instances (retire and destroy both take it). */
  async lock(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('mynumber-vault:key-retirement'))`);
  }

  async all(m?: EntityManager): Promise<RetirementRow[]> {
    return (m ?? this.dataSource).query(`SELECT ${COLUMNS} FROM key_version_retirement ORDER BY version`);
  }

  async find(m: EntityManager, version: number): Promise<RetirementRow | undefined> {
    const rows: RetirementRow[] = await m.query(`SELECT ${COLUMNS} FROM key_version_retirement WHERE version = $1`, [version]);
    return rows[0];
  }

  async insert(
    m: EntityManager,
    row: { version: number; retiredAt: Date; retiredBy: string | null; retiredByUsername: string; destroyAfter: Date },
  ): Promise<void> {
    await m.query(`INSERT INTO key_version_retirement (version, retired_at, retired_by, retired_by_username, destroy_after) VALUES ($1, $2, $3, $4, $5)`, [
      row.version,
      row.retiredAt,
      row.retiredBy,
      row.retiredByUsername,
      row.destroyAfter,
    ]);
  }

  async due(m: EntityManager, now: Date): Promise<RetirementRow[]> {
    return m.query(`SELECT ${COLUMNS} FROM key_version_retirement WHERE destroyed_at IS NULL AND destroy_after <= $1 ORDER BY version`, [now]);
  }

  async markDestroyed(m: EntityManager, version: number, at: Date): Promise<void> {
    await m.query(`UPDATE key_version_retirement SET destroyed_at = $2 WHERE version = $1`, [version, at]);
  }
}

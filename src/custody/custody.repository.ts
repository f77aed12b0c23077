import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface CustodyTask {
  id: string;
  kind: 'rekey';
  userId: string;
  username: string;
  reason: string;
  openedAt: Date;
}

/** SQL for custody_task. */
@Injectable()
export class CustodyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Opens a rekey task for a holder (once: a second call while it is open does nothing). */
  async openRekeyTask(userId: string, username: string, reason: string, at: Date): Promise<boolean> {
    const rows = await this.dataSource.query(
      `INSERT INTO custody_task (kind, user_id, username, reason, opened_at) VALUES ('rekey', $1, $2, $3, $4)
       ON CONFLICT (kind, user_id) WHERE closed_at IS NULL DO NOTHING RETURNING id`,
      [userId, username, reason, at],
    );
    return rows.length > 0;
  }

  async openTasks(): Promise<CustodyTask[]> {
    return this.dataSource.query(
      `SELECT id, kind, user_id AS "userId", username, reason, opened_at AS "openedAt" FROM custody_task WHERE closed_at IS NULL ORDER BY opened_at`,
    );
  }

  async closeRekeyTasks(by: string, at: Date): Promise<number> {
    const rows = await this.dataSource.query(`UPDATE custody_task SET closed_at = $2, closed_by = $1 WHERE kind = 'rekey' AND closed_at IS NULL RETURNING id`, [
      by,
      at,
    ]);
    return rows.length;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface AllowListRow {
  role: string;
  cidrs: string[];
  set_by_username: string;
  set_at: Date;
}

/** SQL of the IP allow-list. */
@Injectable()
export class AllowListRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  all(): Promise<AllowListRow[]> {
    return this.dataSource.query(`SELECT role, cidrs, set_by_username, set_at FROM ip_allow_list ORDER BY role`);
  }

  async set(role: string, cidrs: string[], by: string, at: Date, m: EntityManager): Promise<void> {
    if (cidrs.length === 0) {
      await m.query(`DELETE FROM ip_allow_list WHERE role = $1`, [role]);
      return;
    }
    await m.query(
      `INSERT INTO ip_allow_list (role, cidrs, set_by_username, set_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (role) DO UPDATE SET cidrs = EXCLUDED.cidrs, set_by_username = EXCLUDED.set_by_username, set_at = EXCLUDED.set_at`,
      [role, cidrs, by, at],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { OutsideFirm } from './outside-firm.entity';

/** SQL of the firms module. */
@Injectable()
export class FirmsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  get(id: string, manager?: EntityManager, lock = false): Promise<OutsideFirm | null> {
    return (manager ?? this.dataSource.manager).findOne(OutsideFirm, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  list(): Promise<OutsideFirm[]> {
    return this.dataSource.manager.find(OutsideFirm, { order: { name: 'ASC' } });
  }

  insert(firm: Omit<OutsideFirm, 'id'>, m: EntityManager): Promise<OutsideFirm> {
    return m.save(OutsideFirm, firm);
  }

  async update(id: string, changes: Partial<OutsideFirm>, m: EntityManager): Promise<void> {
    await m.update(OutsideFirm, { id }, changes);
  }
}

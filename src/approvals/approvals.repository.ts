import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ApprovalPolicy } from './approval-policy.entity';
import { ApprovalRequest, ApprovalStatus } from './approval-request.entity';

/** SQL of the approvals module: the policy row and the approval requests. */
@Injectable()
export class ApprovalsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  policy(manager?: EntityManager): Promise<ApprovalPolicy | null> {
    return this.m(manager).findOneBy(ApprovalPolicy, { id: true });
  }

  async savePolicy(policy: Omit<ApprovalPolicy, 'id'>, manager: EntityManager): Promise<void> {
    await manager.upsert(ApprovalPolicy, { id: true, ...policy }, ['id']);
  }

  async insert(
    row: Omit<ApprovalRequest, 'id' | 'decidedBy' | 'decidedByUsername' | 'decidedAt' | 'decisionNote' | 'selfApproved'>,
    manager?: EntityManager,
  ): Promise<ApprovalRequest> {
    return this.m(manager).save(ApprovalRequest, {
      ...row,
      decidedBy: null,
      decidedByUsername: null,
      decidedAt: null,
      decisionNote: null,
      selfApproved: false,
    });
  }

  pendingFor(kind: string, targetId: string, manager?: EntityManager): Promise<ApprovalRequest | null> {
    return this.m(manager).findOneBy(ApprovalRequest, { kind, targetId, status: 'pending' });
  }

  lock(id: string, manager: EntityManager): Promise<ApprovalRequest | null> {
    return manager.findOne(ApprovalRequest, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  get(id: string): Promise<ApprovalRequest | null> {
    return this.m().findOneBy(ApprovalRequest, { id });
  }

  async decide(
    id: string,
    decision: {
      status: Exclude<ApprovalStatus, 'pending'>;
      decidedBy: string;
      decidedByUsername: string;
      decidedAt: Date;
      decisionNote: string | null;
      selfApproved: boolean;
    },
    manager: EntityManager,
  ): Promise<void> {
    await manager.update(ApprovalRequest, { id }, decision);
  }

  list(status: ApprovalStatus, limit: number): Promise<ApprovalRequest[]> {
    return this.m().find(ApprovalRequest, { where: { status }, order: { requestedAt: status === 'pending' ? 'ASC' : 'DESC' }, take: limit });
  }
}

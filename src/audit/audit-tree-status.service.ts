import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { TreeHeadJson, treeHeadJson } from './audit-tree-head';
import { latestTreeHead } from './audit-tree.repository';
import { AuditWitnessService, WitnessStatus } from './audit-witness.service';

export interface WitnessOverview {
  /** The database's newest signed tree head (null before the first). */
  treeHead: TreeHeadJson | null;
  /** The newest head in the witness directory that verifies, with its age. */
  latestWitnessed: (TreeHeadJson & { source: string; ageSeconds: number }) | null;
  staleAfterMinutes: number;
  witnesses: WitnessStatus[];
  /** True when any configured witness is stale, or none is configured. */
  warning: boolean;
}

/** What the auditor console shows about tree heads and witnesses. */
@Injectable()
export class AuditTreeStatusService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly witnesses: AuditWitnessService,
    private readonly clock: ClockService,
  ) {}

  async latestHead(): Promise<TreeHeadJson> {
    const head = await latestTreeHead(this.dataSource);
    if (!head) throw new NotFoundException({ code: 'audit.tree-head-unknown', message: 'no signed tree head yet: wait for the sealer (about a second)' });
    return treeHeadJson(head, head.certSha256);
  }

  async status(): Promise<WitnessOverview> {
    const head = await latestTreeHead(this.dataSource);
    const { staleAfterMinutes, witnesses } = await this.witnesses.status();
    const witnessed = this.witnesses.latestWitnessedHead();
    const now = this.clock.now().getTime();
    return {
      treeHead: head ? treeHeadJson(head, head.certSha256) : null,
      latestWitnessed: witnessed
        ? {
            ...treeHeadJson(witnessed),
            source: `${witnessed.file} line ${witnessed.line}`,
            ageSeconds: Math.max(0, Math.round((now - Date.parse(witnessed.at)) / 1000)),
          }
        : null,
      staleAfterMinutes,
      witnesses,
      warning: witnesses.length === 0 || witnesses.some((w) => w.stale),
    };
  }
}

import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditService } from '@/audit/audit.service';
import { Role } from '@/common/auth/roles';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { LegalDataService } from '@/config/legal-data.service';
import { sodException } from '@/users/separation-of-duties';
import { OtherFileDto, UpdateOtherFileDto } from './dto/inventory.dto';
import { AccountRow, InventoryRepository, OtherFileRow } from './inventory.repository';

/** What each role may do with the files (a reveal needs the clerk role; the others never see a number). */
const ROLE_ACCESS: Record<Role, string> = {
  clerk: '番号の登録・表示・一括取得（利用目的ごと、監査ログに記録）、収集データの確認',
  responsible: '承認（廃棄・新しい担当者・委託先アカウント）。番号は表示できない',
  admin: 'アカウント・保存期間・廃棄の管理。番号は表示できない',
  auditor: '監査ログの閲覧・検証。番号は表示できない',
};

export interface InventoryAccount {
  username: string;
  displayName: string;
  roles: string[];
  pendingRoles: string[];
  mayReveal: boolean;
  firm: { name: string; purposes: string[]; accessUntil: string | null } | null;
  sodException: string | null;
}

/**
 * 特定個人情報ファイル管理台帳 (issue #19), generated from what the vault holds: its files (numbers,
 * collection data, exports made), their purposes with the people per purpose, who may access them
 * (roles, accounts, outside firms, the separation-of-duties exception of #16), retention rules and
 * disposals, where they are kept; plus the files kept outside the vault, entered by hand.
 */
@Injectable()
export class InventoryService {
  private readonly department: string | null;
  private readonly databaseHost: string;
  private readonly keystore: string;

  constructor(
    private readonly repo: InventoryRepository,
    private readonly legal: LegalDataService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    config: ConfigService<Env, true>,
  ) {
    this.department = config.get('INVENTORY_DEPARTMENT', { infer: true }) ?? null;
    const url = new URL(config.get('DATABASE_URL', { infer: true }) ?? 'postgres://localhost/');
    // host and database name only: never the user or password
    this.databaseHost = `PostgreSQL ${url.hostname}${url.port ? `:${url.port}` : ''}/${url.pathname.slice(1)}`;
    this.keystore = config.get('KEYSTORE_BASE64', { infer: true })
      ? 'KEYSTORE_BASE64（環境変数で渡した鍵ストア）'
      : (config.get('KEYSTORE_PATH', { infer: true }) ?? `${config.get('DATA_DIR', { infer: true })}/keystore.p12`);
  }

  async inventory() {
    const now = this.clock.now();
    const yearAgo = new Date(now.getTime() - 365 * 86_400_000);
    const [byKind, byPurpose, keyVersions, disposals, collection, exported, accountRows, otherFiles] = await Promise.all([
      this.repo.numbersByKind(),
      this.repo.numbersByPurpose(),
      this.repo.keyVersions(),
      this.repo.disposals(),
      this.repo.collection(),
      this.repo.exportsSince(yearAgo),
      this.repo.activeAccounts(),
      this.repo.otherFiles(false),
    ]);
    const accounts = accountRows.map((a) => this.account(a));
    const department = this.department ?? '（未設定: INVENTORY_DEPARTMENT）';
    const revealers = accounts.filter((a) => a.mayReveal);
    const responsible = accounts.filter((a) => a.roles.includes('responsible')).map((a) => ({ username: a.username, displayName: a.displayName }));
    const peopleCount = Object.fromEntries(byKind.map((k) => [k.kind, k.count]));
    const purposes = this.legal.purposes.map((p) => ({
      code: p.code,
      label: p.label,
      basis: p.basis,
      kinds: p.kinds,
      people: byPurpose.find((b) => b.purpose === p.code)?.count ?? 0,
    }));
    const access = {
      roles: (Object.keys(ROLE_ACCESS) as Role[]).map((role) => ({
        role,
        may: ROLE_ACCESS[role],
        accounts: accounts.filter((a) => a.roles.includes(role)).length,
      })),
      mayReveal: revealers,
    };
    const location = {
      database: this.databaseHost,
      keystore: this.keystore,
      note: '鍵ストアはデータベースと別のボリュームに置く（バックアップに鍵を含めない）',
    };
    return {
      title: '特定個人情報ファイル管理台帳',
      generatedAt: now.toISOString(),
      basis:
        '特定個人情報の適正な取扱いに関するガイドライン（事業者編）別添1 安全管理措置「組織的安全管理措置 c 取扱状況を確認する手段の整備」（特定個人情報ファイルの種類・名称、責任者・取扱部署、利用目的、削除・廃棄状況、アクセス権を有する者）',
      department,
      responsible,
      files: [
        {
          code: 'numbers',
          name: '個人番号ファイル（従業員・配偶者/扶養親族・支払先）',
          medium: 'electronic',
          tables: ['subject_number', 'subject', 'subject_purpose'],
          items: '個人番号（暗号化）、氏名、区分、コード、通知した利用目的、本人確認の記録',
          people: { ...peopleCount, total: byKind.reduce((n, k) => n + k.count, 0) },
          purposes,
          department,
          location,
          encryption: {
            scheme: 'AES-256-GCM（番号ごとのデータ鍵、鍵暗号鍵で包む）',
            keyVersions: keyVersions.map((k) => ({ version: k.key_version, numbers: k.count })),
          },
          access,
          retention: {
            rules: this.legal.retentionRules.map((r) => ({ label: r.label, years: r.years, start: r.startFromTaxYear, period: r.period, basis: r.basis })),
            floors: this.legal.retentionFloors.map((f) => ({ label: f.label, period: f.period, basis: f.basis })),
            note: '保存期間を過ぎた番号は廃棄アラームで知らせ、廃棄を記録します（docs/retention.md）',
          },
          disposal: { method: '暗号文とデータ鍵の削除（記録を残す）', disposed: disposals.count, lastDisposedAt: disposals.last?.toISOString() ?? null },
        },
        {
          code: 'collection',
          name: '番号の収集データ（本人が提出した番号・本人確認書類の写真、確認待ち）',
          medium: 'electronic',
          tables: ['collection_submission', 'collection_entry', 'collection_image'],
          items: '個人番号（暗号化）、本人確認書類の写真（暗号化、メタデータ除去）',
          people: { waitingSubmissions: collection.waiting, numbers: collection.entries, images: collection.images },
          purposes: [],
          department,
          location,
          access: { roles: [{ role: 'clerk', may: ROLE_ACCESS.clerk, accounts: revealers.length }], mayReveal: revealers },
          retention: { note: '確認（承認・差戻し）で写真を削除。COLLECTION_KEEP_IMAGES のときは番号の廃棄まで（docs/collection.md）' },
          disposal: { method: '承認・差戻し時に削除（監査ログ collection.images-deleted）' },
        },
        {
          code: 'exports',
          name: '出力ファイル（一括取得: 社内の持出し・委託先への提供）',
          medium: 'electronic',
          tables: [],
          items: '個人番号、氏名、区分、コード（CSV / NDJSON、委託先へは暗号化）',
          people: Object.fromEntries(exported.map((e) => [e.kind, { exports: e.count, rows: e.rows, lastAt: e.last.toISOString() }])),
          purposes: [],
          department,
          location: { note: '出力後は vault の外にあります。保管場所と廃棄を「vault 外のファイル」に記入してください' },
          access: { roles: [{ role: 'clerk', may: '一括取得（利用目的ごと）', accounts: revealers.length }], mayReveal: revealers },
          retention: { note: '過去12か月の出力（監査ログ number.exported）。出力した利用目的の事務が終われば廃棄' },
          disposal: { method: '受領者・担当者が廃棄し、その記録を「vault 外のファイル」に残す' },
        },
      ],
      otherFiles: otherFiles.map((f) => this.otherFileView(f)),
      sodExceptions: accounts.filter((a) => a.sodException).map((a) => ({ username: a.username, displayName: a.displayName, exception: a.sodException })),
    };
  }

  async listOtherFiles(includeRetired: boolean) {
    return { items: (await this.repo.otherFiles(includeRetired)).map((f) => this.otherFileView(f)) };
  }

  async addOtherFile(dto: OtherFileDto, staff: Staff, request: RequestMeta) {
    this.checkPurposes(dto.purposes);
    const row = await this.repo.transaction(async (m) => {
      const row = await this.repo.insertOtherFile(
        {
          name: dto.name,
          medium: dto.medium,
          purposes: dto.purposes ?? [],
          items: dto.items,
          department: dto.department,
          location: dto.location,
          access: dto.access,
          retention: dto.retention,
          disposal_method: dto.disposalMethod ?? null,
          note: dto.note ?? null,
          created_by_username: staff.username,
          created_at: this.clock.now(),
        },
        m,
      );
      await this.audit.record(
        { action: 'inventory.file-added', outcome: 'success', actor: staff, request, details: { fileId: row.id, medium: row.medium } },
        m,
      );
      return row;
    });
    return this.otherFileView(row);
  }

  async updateOtherFile(id: string, dto: UpdateOtherFileDto, staff: Staff, request: RequestMeta) {
    this.checkPurposes(dto.purposes);
    const row = await this.repo.transaction(async (m) => {
      if (!(await this.repo.getOtherFile(id, m))) throw new NotFoundException({ code: 'inventory.file-not-found', message: 'No such file in the inventory' });
      const row = await this.repo.updateOtherFile(
        id,
        {
          name: dto.name,
          purposes: dto.purposes,
          items: dto.items,
          department: dto.department,
          location: dto.location,
          access: dto.access,
          retention: dto.retention,
          disposal_method: dto.disposalMethod,
          note: dto.note,
          status: dto.status,
        },
        this.clock.now(),
        m,
      );
      const changed = Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined);
      await this.audit.record(
        { action: 'inventory.file-updated', outcome: 'success', actor: staff, request, details: { fileId: id, changed, status: row.status } },
        m,
      );
      return row;
    });
    return this.otherFileView(row);
  }

  private checkPurposes(purposes: string[] | undefined): void {
    const unknown = (purposes ?? []).filter((p) => !this.legal.purpose(p));
    if (unknown.length) throw new BadRequestException({ code: 'inventory.unknown-purpose', message: `Not configured purposes: ${unknown.join(', ')}` });
  }

  private account(a: AccountRow): InventoryAccount {
    return {
      username: a.username,
      displayName: a.display_name,
      roles: a.roles,
      pendingRoles: a.pending_roles,
      mayReveal: a.roles.includes('clerk'),
      firm: a.firm_name ? { name: a.firm_name, purposes: a.firm_purposes ?? [], accessUntil: a.firm_access_until?.toISOString() ?? null } : null,
      sodException: sodException(a.roles as Role[]) ?? null,
    };
  }

  private otherFileView(f: OtherFileRow) {
    return {
      id: f.id,
      name: f.name,
      medium: f.medium,
      purposes: f.purposes.map((code) => ({ code, label: this.legal.purpose(code)?.label ?? code })),
      items: f.items,
      department: f.department,
      location: f.location,
      access: f.access,
      retention: f.retention,
      disposalMethod: f.disposal_method,
      note: f.note,
      status: f.status,
      createdBy: f.created_by_username,
      createdAt: f.created_at.toISOString(),
      updatedAt: f.updated_at.toISOString(),
    };
  }
}

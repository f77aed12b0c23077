import type { InventoryService } from './inventory.service';

type Inventory = Awaited<ReturnType<InventoryService['inventory']>>;

const esc = (value: unknown): string =>
  String(value ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const ROLE_LABELS: Record<string, string> = { clerk: '事務取扱担当者', responsible: '事務取扱責任者', admin: '管理者', auditor: '監査人' };
const jst = (iso: string | null | undefined) => (iso ? new Date(Date.parse(iso) + 9 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : '—');

function rows(cells: unknown[][]): string {
  return cells.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
}

/**
 * The 台帳 as one printable HTML page (no script, no style sheet: borders by attribute, so any
 * browser prints it and the console's strict CSP needs no exception). Every value is escaped.
 */
export function inventoryHtml(inv: Inventory): string {
  const files = inv.files
    .map((f) => {
      const purposes = f.purposes.map((p) => `${p.label}（${p.people}人）`).join('、') || '—';
      const people = Object.entries(f.people)
        .map(([k, v]) => `${k}: ${typeof v === 'object' ? `${v.exports}回 ${v.rows}件` : v}`)
        .join('、');
      const accounts = f.access.mayReveal
        .map((a) => `${a.displayName}（${a.username}${a.firm ? `、委託先 ${a.firm.name}` : ''}${a.sodException ? `、職務分離の例外 ${a.sodException}` : ''}）`)
        .join('、');
      const retention = 'rules' in f.retention && f.retention.rules ? f.retention.rules.map((r) => `${r.label}: ${r.years}年（${r.basis}）`).join('; ') : '';
      return `<h2>${esc(f.name)}</h2>
<table border="1" cellpadding="4" cellspacing="0">
${rows([
  ['ファイルの種類', f.medium === 'electronic' ? '電子' : '紙'],
  ['記録される項目', f.items],
  ['取扱部署', f.department],
  ['件数', people || '0'],
  ['利用目的', purposes],
  ['アクセス権を有する者', accounts || '—'],
  ['保管場所', Object.values(f.location).join(' / ')],
  ['保存期間', [retention, f.retention.note].filter(Boolean).join(' ')],
  [
    '削除・廃棄',
    [f.disposal.method, 'disposed' in f.disposal ? `廃棄済み ${f.disposal.disposed}件（最終 ${jst(f.disposal.lastDisposedAt)}）` : '']
      .filter(Boolean)
      .join(' '),
  ],
])}
</table>`;
    })
    .join('\n');
  const others = inv.otherFiles.length
    ? `<table border="1" cellpadding="4" cellspacing="0">
<tr><th>名称</th><th>種類</th><th>項目</th><th>利用目的</th><th>取扱部署</th><th>保管場所</th><th>アクセス権を有する者</th><th>保存期間</th><th>廃棄方法</th></tr>
${rows(
  inv.otherFiles.map((f) => [
    f.name,
    f.medium === 'paper' ? '紙' : '電子',
    f.items,
    f.purposes.map((p) => p.label).join('、') || '—',
    f.department,
    f.location,
    f.access,
    f.retention,
    f.disposalMethod,
  ]),
)}
</table>`
    : '<p>（登録なし）</p>';
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>${esc(inv.title)}</title></head>
<body>
<h1>${esc(inv.title)}</h1>
<p>作成日時: ${esc(jst(inv.generatedAt))}（日本時間）</p>
<p>根拠: ${esc(inv.basis)}</p>
<p>事務取扱責任者: ${esc(inv.responsible.map((r) => `${r.displayName}（${r.username}）`).join('、') || '（未設定）')}</p>
<p>ロールと権限: ${esc(inv.files[0]?.access.roles.map((r) => `${ROLE_LABELS[r.role] ?? r.role}（${r.accounts}人）: ${r.may}`).join('; '))}</p>
${files}
<h2>vault 外のファイル（紙・他のシステム）</h2>
${others}
<h2>職務分離の例外</h2>
<p>${esc(inv.sodExceptions.map((s) => `${s.displayName}（${s.username}）: ${s.exception}`).join('、') || 'なし')}</p>
</body></html>
`;
}

import type { StreamedReply } from '@/common/http/streamed-reply';
import { BulkRow, BulkSink, BulkSummary } from './bulk-reveal.service';

export const BULK_FORMATS = { csv: 'text/csv', ndjson: 'application/x-ndjson' } as const;
export type BulkFormat = keyof typeof BULK_FORMATS;

/** Picks the format from the Accept header (CSV unless NDJSON is asked for). */
export function bulkFormatFor(accept: string | undefined): BulkFormat {
  return /application\/x-ndjson/i.test(accept ?? '') ? 'ndjson' : 'csv';
}

/** One CSV field: quoted when needed, and defused against spreadsheet formula injection. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

async function write(body: StreamedReply, text: string): Promise<void> {
  if (!(await body.write(text))) throw new Error('client went away');
}

/**
 * CSV (UTF-8 with BOM, CRLF, for Excel and payroll software): a header, one row per person,
 * then comment lines starting with "#" that list every skipped person and a summary.
 * NDJSON: {"type":"row"} lines, then {"type":"skipped"} lines, then one {"type":"summary"}.
 */
export function httpBulkSink(open: (headers: Record<string, string>) => StreamedReply, format: BulkFormat): BulkSink {
  let res: StreamedReply | undefined;
  const start = async (): Promise<StreamedReply> => {
    if (res) return res;
    // Opened at the first output, so a refusal before it is still an ordinary JSON error.
    res = open({
      'Content-Type': `${BULK_FORMATS[format]}; charset=utf-8`,
      'Cache-Control': 'no-store',
      'Content-Disposition': `attachment; filename="my-numbers.${format === 'csv' ? 'csv' : 'ndjson'}"`,
    });
    // name_kana (フリガナ) and employee_code (a dependent's employee) follow the number (issue #22)
    if (format === 'csv') await write(res, '\uFEFFcode,name,kind,my_number,name_kana,employee_code\r\n');
    return res;
  };
  return {
    async rows(rows: BulkRow[]) {
      const res = await start();
      const text =
        format === 'csv'
          ? rows.map((r) => [r.code, r.name, r.kind, r.number, r.nameKana ?? '', r.employeeCode ?? ''].map(csvField).join(',') + '\r\n').join('')
          : rows
              .map(
                (r) =>
                  JSON.stringify({
                    type: 'row',
                    subjectId: r.subjectId,
                    code: r.code,
                    name: r.name,
                    kind: r.kind,
                    number: r.number,
                    nameKana: r.nameKana,
                    employeeCode: r.employeeCode,
                  }) + '\n',
              )
              .join('');
      await write(res, text);
    },
    async finish(summary: BulkSummary) {
      const res = await start();
      let text: string;
      if (format === 'csv') {
        // 未提供 (not-provided) people carry their latest request; disposed numbers are 'disposed'.
        text = '#skipped,code,subject_id,reason,requested_on,means,answer\r\n';
        text += summary.skipped
          .map(
            (s) =>
              ['#skipped', s.code ?? '', s.subjectId, s.reason, ...(s.request ? [s.request.requestedOn, s.request.means, s.request.answer] : [])]
                .map(csvField)
                .join(',') + '\r\n',
          )
          .join('');
        text += `#summary,rows=${summary.rows},skipped=${summary.skipped.length},purpose=${summary.purpose},bulk_id=${summary.bulkId}\r\n`;
      } else {
        text = summary.skipped.map((s) => JSON.stringify({ type: 'skipped', ...s }) + '\n').join('');
        text +=
          JSON.stringify({ type: 'summary', rows: summary.rows, skipped: summary.skipped.length, purpose: summary.purpose, bulkId: summary.bulkId }) + '\n';
      }
      await write(res, text);
      res.end();
    },
  };
}

import type { Response } from 'express';
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

function write(res: Response, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) return reject(new Error('client went away'));
    if (res.write(text)) return resolve();
    res.once('drain', resolve);
    res.once('close', () => reject(new Error('client went away')));
  });
}

/**
 * CSV (UTF-8 with BOM, CRLF, for Excel and payroll software): a header, one row per person,
 * then comment lines starting with "#" that list every skipped person and a summary.
 * NDJSON: {"type":"row"} lines, then {"type":"skipped"} lines, then one {"type":"summary"}.
 */
export function httpBulkSink(res: Response, format: BulkFormat): BulkSink {
  let started = false;
  const start = async () => {
    if (started) return;
    started = true;
    res.status(200);
    res.setHeader('Content-Type', `${BULK_FORMATS[format]}; charset=utf-8`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="my-numbers.${format === 'csv' ? 'csv' : 'ndjson'}"`);
    if (format === 'csv') await write(res, '\uFEFFcode,name,kind,my_number\r\n');
  };
  return {
    async rows(rows: BulkRow[]) {
      await start();
      const text =
        format === 'csv'
          ? rows.map((r) => [r.code, r.name, r.kind, r.number].map(csvField).join(',') + '\r\n').join('')
          : rows.map((r) => JSON.stringify({ type: 'row', subjectId: r.subjectId, code: r.code, name: r.name, kind: r.kind, number: r.number }) + '\n').join('');
      await write(res, text);
    },
    async finish(summary: BulkSummary) {
      await start();
      let text: string;
      if (format === 'csv') {
        text = '#skipped,code,subject_id,reason\r\n';
        text += summary.skipped.map((s) => ['#skipped', s.code ?? '', s.subjectId, s.reason].map(csvField).join(',') + '\r\n').join('');
        text += `#summary,rows=${summary.rows},skipped=${summary.skipped.length},purpose=${summary.purpose},bulk_id=${summary.bulkId}\r\n`;
      } else {
        text = summary.skipped.map((s) => JSON.stringify({ type: 'skipped', ...s }) + '\n').join('');
        text += JSON.stringify({ type: 'summary', rows: summary.rows, skipped: summary.skipped.length, purpose: summary.purpose, bulkId: summary.bulkId }) + '\n';
      }
      await write(res, text);
      res.end();
    },
  };
}

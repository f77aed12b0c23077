import type { HttpStaff } from './http-staff';

export interface BulkStream {
  /** The rows that actually arrived, in order. */
  received: { subjectId: string; number: string }[];
  /** Resolves when the first row arrived (the first batch committed and was sent). */
  gotFirstRow: Promise<void>;
  /** Resolves when the response ended, completely or cut (see `cut`). */
  done: Promise<void>;
  summary(): { rows: number; skipped: number; bulkId: string } | null;
  /** True when the connection died before the response ended. */
  cut(): boolean;
}

/** POST /reveals (every employee) as NDJSON, collecting what arrives. */
export function startBulk(clerk: HttpStaff): BulkStream {
  const received: BulkStream['received'] = [];
  let summary: ReturnType<BulkStream['summary']> = null;
  let cut = false;
  let firstRow: () => void = () => undefined;
  const gotFirstRow = new Promise<void>((r) => (firstRow = r));
  const done = (async () => {
    const res = await fetch(`${clerk.base}/reveals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clerk.token}`, 'content-type': 'application/json', accept: 'application/x-ndjson' },
      body: JSON.stringify({ purpose: 'withholding-slip', kind: 'employee' }),
    });
    if (res.status !== 200) throw new Error(`bulk: ${res.status} ${await res.text()}`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buffered += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = JSON.parse(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          if (line.type === 'row') {
            received.push({ subjectId: line.subjectId, number: line.number });
            firstRow();
          } else if (line.type === 'summary') summary = line;
        }
      }
    } catch {
      cut = true; // the connection died with the process: what arrived is what counts
    }
  })();
  return { received, gotFirstRow, done, summary: () => summary, cut: () => cut };
}

// The monthly report for the server's PDF (issue #19; src/reports/report-pdf.service.ts): Chromium
// opens this with no session; the month, the purposes' labels and the report itself are answered
// by the server that drives it. The same screen as the console's, printed without its form.
import { reportScreen } from './report.js';

const context = await (await fetch('/print/context.json')).json();
await reportScreen(document.getElementById('app'), { me: { roles: [] }, reference: context.reference, month: context.month });

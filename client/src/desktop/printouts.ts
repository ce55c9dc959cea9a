// Print-outs from the desktop: the server renders the PDF of a record, order or case and stores it
// with the attempt as evidence; the desktop then shows it in a new tab.
import { api } from '../api.js';

import type { PrintoutKind, PrintoutResponse, PrintoutSummary as Printout } from '../../../server/protocol/printouts.js';

export type { Printout, PrintoutKind };

/** Makes a print-out and opens its PDF in a new tab; resolves with the stored print-out. */
export async function printOut(attemptId: string, kind: PrintoutKind, subjectId: number): Promise<Printout> {
  // The tab is opened now, while the click still counts as the user's gesture (a tab opened after
  // the request returns would be stopped by pop-up blockers), and pointed at the PDF when it exists.
  const tab = window.open('', '_blank');
  try {
    if (tab) {
      tab.document.write('<!doctype html><title>Print-out</title><p style="font:16px sans-serif">Preparing the print-out…</p>');
      tab.document.close();
    }
  } catch {
    // A blank tab that cannot be written to still works.
  }
  try {
    const { printout } = await api<PrintoutResponse>('POST', `/api/attempts/${encodeURIComponent(attemptId)}/printouts`, { kind, subjectId });
    if (tab && !tab.closed) {
      tab.opener = null;
      tab.location.href = printout.url;
    } else {
      window.open(printout.url, '_blank', 'noopener');
    }
    return printout;
  } catch (err) {
    tab?.close();
    throw err;
  }
}

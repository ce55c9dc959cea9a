// A stored print-out as the API and the moderation replay show it (server/protocol/printouts.ts):
// its row, with the address the PDF is read back from.
import type { Printout } from '../db/repositories/printouts.js';
import type { PrintoutSummary } from '../protocol/printouts.js';

export const summarisePrintout = (p: Printout): PrintoutSummary => ({
  id: p.id,
  kind: p.kind,
  subjectId: p.subjectId,
  title: p.title,
  sha256: p.sha256,
  bytes: p.bytes,
  pages: p.pages,
  createdAt: p.createdAt,
  url: `/api/attempts/${p.attemptId}/printouts/${p.id}`,
});

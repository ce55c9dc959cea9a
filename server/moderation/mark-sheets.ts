// The mark sheet of a sitting for the moderation pack, from the sittings work's own renderer
// (server/assessment-docs/), so the pack holds the same PDF as GET /api/sittings/:id/mark-sheet.pdf.
import { renderMarkSheet } from '../assessment-docs/mark-sheet.js';
import { sittingRecord } from '../assessment-docs/sitting-record.js';
import type { Repositories } from '../db/repositories/index.js';
import type { MarkSheetRenderer } from './pack.js';

export function markSheetRenderer(repos: Repositories, now: () => number, printedBy = 'Callmark moderation pack'): MarkSheetRenderer {
  return (sittingId) => {
    const sitting = repos.sittings.findById(sittingId);
    return sitting ? renderMarkSheet(sittingRecord(repos, sitting, now()), { printedAt: now(), printedBy }) : undefined;
  };
}

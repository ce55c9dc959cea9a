// The centre's sittings for the assessor: the list (open one to run it), a new-sitting form, and
// the centre's results export.
import { AsyncState } from '../components/AsyncState.js';
import { DataTable } from '../components/DataTable.js';
import { useTransient } from '../components/transient.js';
import { useLoad } from '../components/useLoad.js';
import { useId, useState } from 'react';
import type { SittingDetail, SittingResultView, SittingSummary } from '../../../server/protocol/assessment.js';
import { CreateSittingForm } from './CreateSittingForm.js';
import { sittings } from './sitting-api.js';

export { dateTimeGB as dateTime } from '../format.js';
import { dateTimeGB as dateTime } from '../format.js';

/** Where a sitting's result stands, in the staff's words (SittingSummary.resultState). */
export const STAGE_WORDS: Record<NonNullable<SittingSummary['resultState']>, string> = {
  draft: 'Marking',
  'centre-final': 'Signed: with the IQA',
  'iqa-countersigned': 'Countersigned: for moderation',
  moderated: 'Moderated',
};

export const STATUS_WORDS: Record<SittingSummary['status'], string> = { scheduled: 'Scheduled', 'in-progress': 'In progress', ended: 'Ended', cancelled: 'Cancelled' };

/** The result that counts (server/sittings/results.ts), saying when moderation changed it. */
export function resultWords(r: SittingResultView | undefined): string {
  if (!r) return '—';
  const moderated = r.moderated ? `, after moderation (centre ${r.centreTotal}/48)` : '';
  if (r.status === 'graded') return `${r.grade ?? '—'} (${r.total}/48)${moderated}${r.final ? '' : ', provisional'}`;
  if (!r.complete) return `${r.total}/48 so far${moderated}`;
  return `No grade (${r.total}/48)${moderated}`;
}

export function SittingsPanel({ openId, onOpen, reloadKey }: { openId: string | undefined; onOpen: (id: string, d?: SittingDetail) => void; reloadKey: unknown }) {
  const id = useId();
  const list = useLoad(sittings.list, reloadKey);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<SittingDetail>();
  // The confirmation goes away after a while; the coverage warnings were shown on the form before
  // creation and stay on the sitting's own page.
  const shownCreated = useTransient(created);

  return (
    <div className="sittings">
      <div className="row spread">
        <h3 id={`${id}-list`}>Sittings of the centre</h3>
        <div className="row">
          <button type="button" aria-expanded={creating} aria-controls={`${id}-new`} onClick={() => setCreating((c) => !c)}>
            {creating ? 'Close the new-sitting form' : 'New sitting'}
          </button>
          <a className="button-link" href={sittings.resultsCsvUrl} download>
            Export results (CSV)
          </a>
        </div>
      </div>
      <div id={`${id}-new`} hidden={!creating}>
        {creating && (
          <>
            <h3>New sitting</h3>
            <CreateSittingForm
              onCreated={(d) => {
                setCreated(d);
                setCreating(false);
                void list.reload();
                onOpen(d.id, d);
              }}
            />
          </>
        )}
      </div>
      {shownCreated && (
        <div className="notice" role="status" data-testid="sitting-created">
          Sitting created for {shownCreated.candidate.name}.
        </div>
      )}
      <AsyncState state={list} loading="Loading sittings…">
        {(rows) => (
          <DataTable
            caption="Sittings of the centre"
            testId="sittings-list"
            scroll
            rows={rows}
            rowKey={(s) => s.id}
            rowProps={(s) => ({ 'aria-current': s.id === openId ? 'true' : undefined, className: s.id === openId ? 'current' : undefined })}
            empty="No sittings yet: create one with “New sitting”."
            columns={[
              { header: 'Candidate', rowHeader: true, cell: (s) => s.candidate.name },
              { header: 'Status', cell: (s) => STATUS_WORDS[s.status] },
              { header: 'Assignments', cell: (s) => s.assignmentNames?.join(', ') ?? '—' },
              { header: 'Planned', cell: (s) => (s.scheduledFor !== null ? dateTime(s.scheduledFor) : `Not planned (created ${dateTime(s.createdAt)})`) },
              { header: 'Started', cell: (s) => dateTime(s.startedAt) },
              { header: 'Assessor', cell: (s) => s.assessor?.name ?? '—' },
              { header: 'Result', cell: (s) => (s.status === 'cancelled' ? '—' : resultWords(s.result)) },
              {
                header: 'Stage',
                cell: (s) => `${s.status === 'cancelled' ? '—' : s.resultState ? STAGE_WORDS[s.resultState] : '—'}${s.outcome ? ` (${s.outcome === 'adjusted' ? 'marks adjusted' : s.outcome})` : ''}`,
              },
              {
                header: 'Actions',
                hideHeader: true,
                className: 'actions',
                cell: (s) => (
                  <button type="button" className="small" onClick={() => onOpen(s.id)} aria-label={`${s.id === openId ? 'Opened: the' : 'Open the'} sitting of ${s.candidate.name}${s.scheduledFor ? ` planned ${dateTime(s.scheduledFor)}` : ''}`}>
                    {s.id === openId ? 'Opened' : 'Open'}
                  </button>
                ),
              },
            ]}
          />
        )}
      </AsyncState>
    </div>
  );
}

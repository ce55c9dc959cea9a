// The moderator's home: every centre's sittings, grouped by centre, each centre's moderation sample
// (the rule's proposal with the moderator's additions and removals, each with a reason), and for a
// chosen sitting its attempts with a link to each replay; moderation packs of a sitting or a sample
// to download, and a pack's verification on upload (PackPanel.tsx).
import { useCallback, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { SittingDetail, SittingSummary } from '../../../server/protocol/assessment.js';
import type { SampleView } from '../../../server/protocol/moderation.js';
import { AsyncState } from '../components/AsyncState.js';
import { Problem } from '../components/useAction.js';
import { DataTable, type Column } from '../components/DataTable.js';
import { useLoad } from '../components/useLoad.js';
import { codeWords, dateGB } from '../format.js';
import { describeError } from '../sitting/useSitting.js';
import { moderation } from './moderation-api.js';
import { OutcomeForm } from './OutcomeForm.js';
import { SamplePackButton, VerifyPack } from './PackPanel.js';

const date = dateGB;
const STAGE: Record<string, string> = { draft: 'Centre marking', 'centre-final': 'With the centre’s IQA', 'iqa-countersigned': 'Ready to moderate', moderated: 'Moderated' };
/** The result that counts, as every view shows it; when moderated, the centre's own total beside it. */
const resultText = (s: SittingSummary) => {
  const r = s.result;
  if (!r) return '—';
  const moderated = r.moderated ? `, moderated (centre ${r.centreTotal}/48)` : '';
  return r.status === 'graded' ? `${r.grade} (${r.total}/48${moderated})` : `no grade (${r.total}/48${moderated})`;
};

function SittingAttempts({ sittingId }: { sittingId: string }) {
  const detail = useLoad(useCallback(() => moderation.sitting(sittingId), [sittingId]));
  return (
    <AsyncState state={detail} loading="Loading…" small>
      {(d) => <Attempts detail={d} sittingId={sittingId} />}
    </AsyncState>
  );
}

function Attempts({ detail, sittingId }: { detail: SittingDetail; sittingId: string }) {
  return (
    <div className="two-col">
      <ul data-testid={`sitting-attempts-${sittingId}`}>
        {detail.assignments.flatMap((a) =>
          a.attempts.map((t) => (
            <li key={t.attemptId}>
              <Link to={`/moderation/attempts/${t.attemptId}`}>
                Assignment {a.position}: {a.title}
                {t.number > 1 ? ` (re-take ${t.number - 1})` : ''}
              </Link>{' '}
              <span className="small muted">
                {t.mark === null ? 'not marked' : `${t.mark}/12`}
                {t.moderatedMark !== null && t.moderatedMark !== undefined ? ` (moderated; centre ${t.centreMark ?? '?'}/12)` : ''}
              </span>
            </li>
          )),
        )}
      </ul>
      <OutcomeForm sittingId={sittingId} />
    </div>
  );
}

function Sample({ centreId, onOpen }: { centreId: number; onOpen: (sittingId: string) => void }) {
  const sample = useLoad(useCallback(() => moderation.sample(centreId), [centreId]));
  return (
    <AsyncState state={sample} loading="Loading the sample…" failed="The sample could not be loaded" small>
      {(view) => <SampleBody view={view} centreId={centreId} onOpen={onOpen} onChanged={sample.set} />}
    </AsyncState>
  );
}

function SampleBody({ view, centreId, onOpen, onChanged }: { view: SampleView; centreId: number; onOpen: (sittingId: string) => void; onChanged: (view: SampleView) => void }) {
  const [error, setError] = useState<string>();
  const [adding, setAdding] = useState({ sittingId: '', reason: '' });
  const change = async (action: 'add' | 'remove', sittingId: string, reason: string) => {
    try {
      onChanged(await moderation.changeSample(action, { centreId, sittingId, reason }));
      setError(undefined);
    } catch (err) {
      setError(describeError(err));
    }
  };
  const remove = (sittingId: string) => {
    const reason = window.prompt('Why take this sitting out of the sample?');
    if (reason && reason.trim()) void change('remove', sittingId, reason.trim());
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    if (adding.sittingId && adding.reason.trim()) void change('add', adding.sittingId, adding.reason.trim()).then(() => setAdding({ sittingId: '', reason: '' }));
  };
  const outside = view.sittings.filter((s) => !s.inSample);
  return (
    <div data-testid={`sample-${centreId}`}>
      <p className="small muted">
        {view.sample.length} of {view.of} ended sittings: every re-take, results within {view.config.boundaryMargin} marks of a boundary, at least {view.config.perAssessor} per assessor, and{' '}
        {view.config.percentage}% of the rest (seed “{view.config.seed}”).
      </p>
      <Problem error={error} />
      <ul>
        {view.sample.map((s) => (
          <li key={s.sittingId}>
            <button type="button" className="link" onClick={() => onOpen(s.sittingId)}>
              {s.candidate.name}
            </button>{' '}
            <span data-testid="sample-result">
              {s.total !== null ? `${s.total}/48` : ''} {s.grade ?? ''}
              {s.moderated ? ` (moderated; centre ${s.centreTotal ?? '?'}/48)` : ''}
            </span>{' '}
            — {s.source === 'added' ? `added: ${s.overrideReason}` : s.explanations.join('; ')}{' '}
            <button type="button" className="small" onClick={() => remove(s.sittingId)}>
              Take out
            </button>
          </li>
        ))}
      </ul>
      {view.sample.length > 0 && <SamplePackButton sittingIds={view.sample.map((s) => s.sittingId)} />}
      {view.removed.length > 0 && (
        <p className="small muted">Taken out: {view.removed.map((s) => `${s.candidate.name} (${s.overrideReason})`).join(', ')}</p>
      )}
      {outside.length > 0 && (
        <form onSubmit={add} className="small">
          <label>
            Add a sitting{' '}
            <select value={adding.sittingId} onChange={(e) => setAdding({ ...adding, sittingId: e.target.value })}>
              <option value="">choose…</option>
              {outside.map((s) => (
                <option key={s.sittingId} value={s.sittingId}>
                  {s.candidate.name}, ended {date(s.endedAt)}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            reason <input value={adding.reason} onChange={(e) => setAdding({ ...adding, reason: e.target.value })} required />
          </label>{' '}
          <button type="submit" className="small">
            Add
          </button>
        </form>
      )}
    </div>
  );
}

export function ModerationHome() {
  return (
    <>
      <Sittings />
      <VerifyPack />
    </>
  );
}

const sittingColumns = (open: string | undefined, setOpen: (id: string | undefined) => void): ReadonlyArray<Column<SittingSummary>> => [
  {
    header: 'Candidate',
    cell: (s) => (
      <button type="button" className="link" aria-expanded={open === s.id} onClick={() => setOpen(open === s.id ? undefined : s.id)}>
        {s.candidate.name}
      </button>
    ),
  },
  { header: 'Assessor', cell: (s) => s.assessor?.name ?? '—' },
  { header: 'Status', cell: (s) => codeWords(s.status) },
  {
    header: 'Stage',
    cellProps: () => ({ 'data-testid': 'stage' }),
    cell: (s) => `${s.resultState ? STAGE[s.resultState] : '—'}${s.outcome ? `: ${s.outcome === 'adjusted' ? 'marks adjusted' : s.outcome}` : ''}`,
  },
  { header: 'Ended', cell: (s) => date(s.endedAt) },
  { header: 'Result', cell: resultText },
  {
    header: 'Moderation pack',
    cell: (s) => (
      <a href={moderation.sittingPackUrl(s.id)} download aria-label={`Download pack for ${s.candidate.name}`}>
        Download pack
      </a>
    ),
  },
];

function Sittings() {
  const list = useLoad(moderation.sittings);
  const [open, setOpen] = useState<string>();
  return (
    <AsyncState state={list} loading="Loading sittings…" failed="The sittings could not be loaded" empty="No sittings to moderate yet.">
      {(sittings) => <ByCentre sittings={sittings} open={open} setOpen={setOpen} />}
    </AsyncState>
  );
}

function ByCentre({ sittings, open, setOpen }: { sittings: SittingSummary[]; open: string | undefined; setOpen: (id: string | undefined) => void }) {
  // One section per centre, by name (ids only tell centres apart when two share a name).
  const names = new Map(sittings.map((s) => [s.centreId, s.centreName]));
  const centres = [...names.keys()].sort((a, b) => names.get(a)!.localeCompare(names.get(b)!) || a - b);
  const sameName = (id: number) => [...names.values()].filter((n) => n === names.get(id)).length > 1;
  const label = (id: number) => (sameName(id) ? `${names.get(id)!} (centre ${id})` : names.get(id)!);
  const columns = sittingColumns(open, setOpen);
  return (
    <div data-testid="moderation-sittings">
      {centres.map((centreId) => (
        <section key={centreId} aria-label={label(centreId)} data-centre-id={centreId}>
          <h2>{label(centreId)}</h2>
          <h3>Sample</h3>
          <Sample centreId={centreId} onOpen={setOpen} />
          <h3>Sittings</h3>
          <DataTable
            caption={`Sittings at ${label(centreId)}`}
            className="calls"
            columns={columns}
            rows={sittings.filter((s) => s.centreId === centreId)}
            rowKey={(s) => s.id}
            rowProps={(s) => ({ 'data-sitting-id': s.id })}
            after={(s) =>
              open === s.id && (
                <tr data-sitting-details={s.id}>
                  <td colSpan={columns.length}>
                    <SittingAttempts sittingId={s.id} />
                  </td>
                </tr>
              )
            }
          />
        </section>
      ))}
    </div>
  );
}

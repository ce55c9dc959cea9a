// The internal quality assurer's home: the centre's signed sittings waiting for a check (the
// sample the rule proposes, every fail among it), each attempt's centre marks to agree or disagree
// with (a disagreement needs a reason), the countersignature or the return to the assessor, and
// the sittings already checked.
import { useId, useState } from 'react';
import { SIGN_WORDS, type IqaAttemptView, type IqaQueueView, type IqaSittingView } from '../../../server/protocol/assurance.js';
import { AssurancePanel, useAssurance } from '../assurance/AssurancePanel.js';
import { assurance } from '../assurance/assurance-api.js';
import { RecordedCalls } from '../assurance/RecordedCalls.js';
import { dateGB, dateTimeGB } from '../format.js';
import { AsyncState, Reading } from '../components/AsyncState.js';
import { DataTable, openerColumn, type Column } from '../components/DataTable.js';
import { Section } from '../components/Section.js';
import { useLoad } from '../components/useLoad.js';
import { Problem, useAction } from '../components/useAction.js';

const STATE_WORDS: Record<string, string> = {
  'centre-final': 'Waiting for you',
  'iqa-countersigned': 'Countersigned: waiting for moderation',
  moderated: 'Moderated',
};

export function IqaQueue() {
  const queue = useLoad(assurance.iqaQueue);
  const [open, setOpen] = useState<string>();
  return (
    <AsyncState state={queue} loading="Loading…">
      {(q) => <Queue queue={q} open={open} onOpen={setOpen} onChanged={() => void queue.reload()} />}
    </AsyncState>
  );
}

function Queue({ queue, open, onOpen, onChanged }: { queue: IqaQueueView; open: string | undefined; onOpen: (id: string | undefined) => void; onChanged: () => void }) {
  const opened = [...queue.awaiting, ...queue.done].find((s) => s.sittingId === open);
  const columns = sittingColumns(open, onOpen);
  const rowProps = (s: IqaSittingView) => ({ className: open === s.sittingId ? 'current' : undefined, 'data-sitting-id': s.sittingId });
  return (
    <>
      <h3>Waiting for your check</h3>
      <DataTable
        caption="Sittings waiting for your check"
        columns={columns}
        rows={queue.awaiting}
        rowKey={(s) => s.sittingId}
        rowProps={rowProps}
        empty="No signed mark sheet is waiting for you."
        small
        testId="iqa-awaiting"
        scroll
      />
      {opened && <SittingReview key={opened.sittingId} row={opened} onChanged={onChanged} />}
      <h3>Checked</h3>
      <DataTable caption="Sittings checked" columns={columns} rows={queue.done} rowKey={(s) => s.sittingId} rowProps={rowProps} empty="None yet." small testId="iqa-done" scroll />
    </>
  );
}

const checkedOf = (s: IqaSittingView) => `${s.attempts.reduce((n, a) => n + a.reviewed, 0)} of ${s.attempts.reduce((n, a) => n + a.criteria, 0)}`;

const sittingColumns = (open: string | undefined, onOpen: (id: string | undefined) => void): ReadonlyArray<Column<IqaSittingView>> => [
  {
    header: 'Candidate',
    rowHeader: true,
    cell: (s) => (
      <>
        {s.candidate.name}
        {s.conflict && <span className="tag bad">you declared an interest</span>}
      </>
    ),
  },
  { header: 'Assessor', cell: (s) => s.assessor?.name ?? '—' },
  { header: 'Ended', cell: (s) => dateGB(s.endedAt) },
  { header: 'Centre result', cell: (s) => (s.total === null ? '—' : `${s.grade ?? 'No grade'} (${s.total}/48)`) },
  { header: 'Sample', className: 'small', cell: (s) => (s.inSample ? `In your sample: ${s.sampleReasons.join('; ')}` : 'Not sampled') },
  { header: 'Marks checked', cell: checkedOf },
  { header: 'Stage', cell: (s) => STATE_WORDS[s.state] ?? s.state },
  openerColumn({ idOf: (s) => s.sittingId, open, setOpen: onOpen, closed: 'Open', opened: 'Close', label: (s) => `Open the sitting of ${s.candidate.name}` }),
];

function SittingReview({ row, onChanged }: { row: IqaSittingView; onChanged: () => void }) {
  const [attemptId, setAttemptId] = useState<string>();
  const [version, setVersion] = useState(0);
  const changed = () => {
    setVersion((v) => v + 1);
    onChanged();
  };
  return (
    <Section heading={`Sitting of ${row.candidate.name}`} level={3} className="iqa-review" testId="iqa-sitting">
      <ul className="small">
        {row.attempts.map((a) => (
          <li key={a.attemptId}>
            <button type="button" className="link" aria-pressed={attemptId === a.attemptId} onClick={() => setAttemptId(a.attemptId)}>
              Assignment {a.position}: {a.title}
              {a.number > 1 ? ` (re-take ${a.number - 1})` : ''}
            </button>{' '}
            centre mark {a.centreMark ?? '—'}/12 · checked {a.reviewed} of {a.criteria}
            {a.disagreements > 0 ? ` · ${a.disagreements} disagreement${a.disagreements === 1 ? '' : 's'}` : ''}
          </li>
        ))}
      </ul>
      {attemptId && (
        <Reading key={attemptId} read={assurance.iqaAttempt} id={attemptId} loading="Loading…" small>
          {(v) => <Verdicts attemptId={attemptId} first={v} onSaved={changed} />}
        </Reading>
      )}
      {row.state === 'centre-final' && !row.conflict && <Decision sittingId={row.sittingId} version={version} onChanged={changed} />}
      <AssurancePanel sittingId={row.sittingId} reloadKey={version} canRecordIdentity={false} canSign={false} />
    </Section>
  );
}

type Draft = Record<string, { verdict: 'agree' | 'disagree' | ''; reason: string }>;

/** The verdicts as last saved (one the mark changed since is asked again). */
const savedDraft = (v: IqaAttemptView): Draft =>
  Object.fromEntries(v.criteria.map((c) => [c.criterionId, { verdict: c.outOfDate || !c.verdict ? '' : c.verdict, reason: c.outOfDate ? '' : c.reason }]));

function Verdicts({ attemptId, first, onSaved }: { attemptId: string; first: IqaAttemptView; onSaved: () => void }) {
  const id = useId();
  const [view, setView] = useState(first);
  const [draft, setDraft] = useState<Draft>(() => savedDraft(first));
  const [status, setStatus] = useState('');
  const { busy, error, fields, run } = useAction();
  const take = (v: IqaAttemptView) => {
    setView(v);
    setDraft(savedDraft(v));
  };
  const editable = view.state === 'centre-final';
  const save = async () => {
    const verdicts = view.criteria
      .filter((c) => c.centreMark !== null && draft[c.criterionId]?.verdict)
      .map((c) => ({ criterionId: c.criterionId, verdict: draft[c.criterionId]!.verdict as 'agree' | 'disagree', ...(draft[c.criterionId]!.reason.trim() ? { reason: draft[c.criterionId]!.reason.trim() } : {}) }));
    const saved = await run(() => assurance.saveVerdicts(attemptId, { verdicts }));
    if (!saved) return;
    take(saved);
    setStatus('Your verdicts are saved.');
    onSaved();
  };
  const agreeAll = () => setDraft(Object.fromEntries(view.criteria.map((c) => [c.criterionId, { verdict: draft[c.criterionId]?.verdict === 'disagree' ? 'disagree' : 'agree', reason: draft[c.criterionId]?.reason ?? '' }])));
  return (
    <Section heading={`Assignment ${view.position}: ${view.title} (centre mark ${view.centreTotal ?? '—'}/12)`} level={4} plain testId="iqa-attempt">
      <RecordedCalls recordings={view.recordings} />
      <DataTable
        caption="Centre marks and your verdicts"
        className="verdicts"
        scroll
        rows={view.criteria}
        rowKey={(c) => c.criterionId}
        rowProps={(c) => ({ 'data-criterion': c.criterionId })}
        columns={[
          { header: 'Criterion', rowHeader: true, className: 'small', cell: (c) => c.description },
          { header: 'Centre mark', cell: (c) => `${c.centreMark ?? '—'} of ${c.maxMarks}` },
          {
            header: 'Assessor’s comment',
            className: 'small',
            cell: (c) => (
              <>
                {c.comment || '—'}
                {c.overrideReason ? <div className="muted">Suggestion overridden: {c.overrideReason}</div> : null}
              </>
            ),
          },
          {
            header: 'Your verdict',
            cell: (c) => {
              const i = view.criteria.indexOf(c);
              const d = draft[c.criterionId] ?? { verdict: '', reason: '' };
              const problem = fields[`verdicts.${view.criteria.filter((x) => x.centreMark !== null && draft[x.criterionId]?.verdict).findIndex((x) => x.criterionId === c.criterionId)}.reason`];
              return (
                <>
                  <fieldset disabled={!editable || c.centreMark === null}>
                    <legend className="visually-hidden">Verdict on {c.description}</legend>
                    <label className="check">
                      <input type="radio" name={`${id}-v${i}`} checked={d.verdict === 'agree'} onChange={() => setDraft({ ...draft, [c.criterionId]: { ...d, verdict: 'agree' } })} /> Agree
                    </label>
                    <label className="check">
                      <input type="radio" name={`${id}-v${i}`} checked={d.verdict === 'disagree'} onChange={() => setDraft({ ...draft, [c.criterionId]: { ...d, verdict: 'disagree' } })} /> Disagree
                    </label>
                  </fieldset>
                  {d.verdict === 'disagree' && (
                    <textarea
                      aria-label={`Why you disagree with the mark for ${c.description}`}
                      placeholder="Why (required)"
                      value={d.reason}
                      disabled={!editable}
                      onChange={(e) => setDraft({ ...draft, [c.criterionId]: { ...d, reason: e.target.value } })}
                    />
                  )}
                  {c.outOfDate && <div className="small muted">The mark changed since your last verdict.</div>}
                  {problem && <div className="small error">{problem}</div>}
                </>
              );
            },
          },
        ]}
      />
      {editable && (
        <div className="row">
          <button type="button" onClick={agreeAll} disabled={busy}>
            Agree with every other mark
          </button>
          <button type="button" className="primary" onClick={() => void save()} disabled={busy}>
            Save verdicts
          </button>
        </div>
      )}
      <p className="notice" role="status">
        {status}
      </p>
      <Problem error={error} />
    </Section>
  );
}

function Decision({ sittingId, version, onChanged }: { sittingId: string; version: number; onChanged: () => void }) {
  const { view } = useAssurance(sittingId, version);
  const [ticked, setTicked] = useState(false);
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  if (!view || view.state !== 'centre-final') return null;
  const act = async (what: () => Promise<unknown>) => {
    if (await run(what)) onChanged();
  };
  return (
    <div data-testid="iqa-decision">
      <p className="small muted">Signed by the assessor {dateTimeGB(view.signatures.filter((s) => s.kind === 'assessor-mark-sheet').at(-1)?.signedAt)}.</p>
      <div className="two-col">
      <div className="declaration">
        <h4>Countersign</h4>
        {view.countersignBlockers.length > 0 ? (
          <ul className="blockers small">
            {view.countersignBlockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        ) : (
          <>
            <label className="check">
              <input type="checkbox" checked={ticked} onChange={(e) => setTicked(e.target.checked)} />
              <span>{SIGN_WORDS.iqa}</span>
            </label>
            <button type="button" className="primary" disabled={!ticked || busy} onClick={() => void act(() => assurance.countersign(sittingId))}>
              Countersign the sitting
            </button>
          </>
        )}
      </div>
      <div className="declaration">
        <h4>Send back to the assessor</h4>
        <label htmlFor={`return-${sittingId}`}>What should the assessor look at again?</label>
        <textarea id={`return-${sittingId}`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />
        <button type="button" disabled={busy || !reason.trim()} onClick={() => void act(() => assurance.returnToAssessor(sittingId, reason.trim()))}>
          Send back
        </button>
      </div>
      </div>
      <Problem error={error} />
    </div>
  );
}

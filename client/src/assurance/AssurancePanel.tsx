// A sitting's quality assurance, for staff: where its result stands, the identity check (recorded
// here by the assessor before the start), the candidate's declarations, what still stops the next
// step, the assessor's electronic signature of the mark sheet, every signature given (with the
// fingerprint of what it signed), the steps taken, overrun per assignment and the centre's records.
import { useCallback, useId, useState, type FormEvent } from 'react';
import {
  ID_DOCUMENT_WORDS,
  OUTCOME_WORDS,
  RELEASE_RULE_LABELS,
  SIGN_WORDS,
  type IdDocumentType,
  type SignatureKind,
  type SittingAssuranceView,
} from '../../../server/protocol/assurance.js';
import { dateTimeGB, isoDayGB, minutesGB } from '../format.js';
import { AsyncState } from '../components/AsyncState.js';
import { Problem, useAction } from '../components/useAction.js';
import { useLoad } from '../components/useLoad.js';
import { assurance } from './assurance-api.js';

export const SIGNATURE_WORDS: Record<SignatureKind, string> = {
  'candidate-declaration-start': 'Candidate’s declaration before the sitting',
  'candidate-declaration-end': 'Candidate’s declaration after the sitting',
  'assessor-mark-sheet': 'Assessor’s signature on the mark sheet',
  'iqa-countersignature': 'Internal quality assurer’s countersignature',
  'moderator-outcome': 'Moderator’s sign-off of the outcome',
};

const STEP_WORDS: Record<string, string> = {
  'sign-mark-sheet': 'Mark sheet signed',
  'return-to-assessor': 'Sent back to the assessor',
  countersign: 'Countersigned',
  'record-outcome': 'Moderation outcome signed off',
};

export function StateBadge({ view }: { view: Pick<SittingAssuranceView, 'state' | 'stateWords'> }) {
  return (
    <span className={`state-badge state-${view.state}`} data-testid="result-state" data-state={view.state}>
      {view.stateWords}
    </span>
  );
}

/** Loads a sitting's assurance view, again whenever `reloadKey` changes. */
export function useAssurance(sittingId: string, reloadKey: unknown) {
  const read = useLoad(
    useCallback(() => assurance.view(sittingId), [sittingId]),
    reloadKey,
  );
  return { view: read.data, setView: read.set, error: read.error };
}

export function AssurancePanel({
  sittingId,
  reloadKey,
  canRecordIdentity,
  canSign,
  onChanged,
}: {
  sittingId: string;
  reloadKey: unknown;
  /** The assessor (or admin) before the start. */
  canRecordIdentity: boolean;
  /** The assessor. */
  canSign: boolean;
  onChanged?: () => void;
}) {
  const { view, setView, error } = useAssurance(sittingId, reloadKey);
  const changed = (v: SittingAssuranceView) => {
    setView(v);
    onChanged?.();
  };
  return (
    <AsyncState state={{ data: view, error }} loading="Loading the quality assurance record…" small>
      {(v) => <AssuranceRecord view={v} canRecordIdentity={canRecordIdentity} canSign={canSign} onChanged={changed} />}
    </AsyncState>
  );
}

function AssuranceRecord({
  view,
  canRecordIdentity,
  canSign,
  onChanged: changed,
}: {
  view: SittingAssuranceView;
  canRecordIdentity: boolean;
  canSign: boolean;
  onChanged: (v: SittingAssuranceView) => void;
}) {
  const id = useId();
  return (
    <div className="assurance" aria-labelledby={`${id}-h`} data-testid="assurance-panel">
      <h4 id={`${id}-h`}>
        Quality assurance <StateBadge view={view} />
      </h4>
      <p className="small muted">
        Results shown to the candidate: {RELEASE_RULE_LABELS[view.releaseRule].toLowerCase()}.{' '}
        {view.release.released ? (view.release.provisional ? 'The candidate can see them now, marked provisional.' : 'The candidate can see them now.') : 'The candidate cannot see them yet.'}
      </p>
      <IdentityCheck view={view} canRecord={canRecordIdentity} onChanged={changed} />
      <p className="small" data-testid="declarations">
        Candidate’s declaration before the sitting: {view.declarations.start ? `confirmed ${dateTimeGB(view.declarations.start)}` : 'not yet confirmed'}. After the sitting:{' '}
        {view.declarations.end ? `confirmed ${dateTimeGB(view.declarations.end)}` : 'not yet confirmed'}.
      </p>
      {view.startBlockers.length > 0 && (
        <ul className="blockers small" data-testid="start-blockers">
          {view.startBlockers.map((b) => (
            <li key={b}>{b}</li>
          ))}
        </ul>
      )}
      {canSign && view.state === 'draft' && view.sittingStatus === 'ended' && <SignMarkSheet view={view} onChanged={changed} />}
      {view.overrun.length > 0 && (
        <p className="small" data-testid="overrun">
          Over the time allowed: {view.overrun.map((o) => `assignment ${o.position ?? '?'} by ${minutesGB(o.overrunMs)}`).join('; ')}.
        </p>
      )}
      <Signatures view={view} />
      <Steps view={view} />
      <CentreRecords view={view} />
    </div>
  );
}

function IdentityCheck({ view, canRecord, onChanged }: { view: SittingAssuranceView; canRecord: boolean; onChanged: (v: SittingAssuranceView) => void }) {
  const id = useId();
  const [type, setType] = useState<IdDocumentType>('passport');
  const [detail, setDetail] = useState('');
  const { busy, error, run } = useAction();
  const check = view.identityCheck;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const v = await run(() => assurance.identityCheck(view.sittingId, { documentType: type, ...(detail.trim() ? { documentDetail: detail.trim() } : {}) }));
    if (v) onChanged(v);
  };
  const open = canRecord && view.startBlockers.length > 0 && !check;
  return (
    <div data-testid="identity-check">
      {check ? (
        <p className="small">
          Identity checked: {ID_DOCUMENT_WORDS[check.documentType]}
          {check.documentDetail ? `: ${check.documentDetail}` : ''}. Checked by {check.checkedBy.name} on {dateTimeGB(check.checkedAt)}.
        </p>
      ) : (
        <p className="small">Identity not checked yet.</p>
      )}
      {open && (
        <form onSubmit={(e) => void submit(e)} className="form-grid" aria-label="Record the identity check">
          <div>
            <label htmlFor={`${id}-type`}>Document seen</label>
            <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value as IdDocumentType)}>
              {(Object.keys(ID_DOCUMENT_WORDS) as IdDocumentType[]).map((k) => (
                <option key={k} value={k}>
                  {ID_DOCUMENT_WORDS[k]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-detail`}>{type === 'third-party' ? 'Who confirmed it (name and role)' : 'Which document (if not a passport or licence)'}</label>
            <input id={`${id}-detail`} value={detail} onChange={(e) => setDetail(e.target.value)} maxLength={200} />
          </div>
          <div className="span-all row">
            <button type="submit" className="primary" disabled={busy}>
              Record identity check
            </button>
          </div>
          <div className="span-all">
            <Problem error={error} />
          </div>
        </form>
      )}
    </div>
  );
}

function SignMarkSheet({ view, onChanged }: { view: SittingAssuranceView; onChanged: (v: SittingAssuranceView) => void }) {
  const [ticked, setTicked] = useState(false);
  const { busy, error, run } = useAction();
  if (view.signBlockers.length > 0) {
    return (
      <div data-testid="sign-blockers">
        <p className="small">The mark sheet can be signed when:</p>
        <ul className="blockers small">
          {view.signBlockers.map((b) => (
            <li key={b}>{b}</li>
          ))}
        </ul>
      </div>
    );
  }
  const sign = async () => {
    const v = await run(() => assurance.sign(view.sittingId));
    if (v) onChanged(v);
  };
  return (
    <div className="declaration" data-testid="sign-mark-sheet">
      <h4>Sign the mark sheet</h4>
      <label className="check">
        <input type="checkbox" checked={ticked} onChange={(e) => setTicked(e.target.checked)} />
        <span>{SIGN_WORDS.assessor}</span>
      </label>
      <p className="small muted">Once signed, the marks are fixed; the internal quality assurer can send the sitting back if a mark needs to change.</p>
      <button type="button" className="primary" disabled={!ticked || busy} onClick={() => void sign()}>
        Sign the mark sheet
      </button>
      <Problem error={error} />
    </div>
  );
}

export function Signatures({ view }: { view: SittingAssuranceView }) {
  if (view.signatures.length === 0) return null;
  return (
    <>
      <h4>Signatures</h4>
      <ul className="signatures" data-testid="signatures">
        {view.signatures.map((s) => (
          <li key={s.id} data-kind={s.kind} className={s.superseded ? 'superseded' : undefined}>
            <strong>{SIGNATURE_WORDS[s.kind]}</strong>: {s.by.name}, {dateTimeGB(s.signedAt)}
            {s.superseded ? ' (replaced after the sitting was sent back)' : s.stillMatches ? '' : ' (WARNING: what was signed has changed since)'}
            <div className="hash" title="SHA-256 fingerprint of what was signed">
              Fingerprint {s.subjectSha256.slice(0, 16)}…
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

function Steps({ view }: { view: SittingAssuranceView }) {
  const returns = view.steps.filter((s) => s.reason);
  if (returns.length === 0 && !view.outcome) return null;
  return (
    <>
      <h4>Notes from the checks</h4>
      <ul className="small" data-testid="steps">
        {view.steps
          .filter((s) => s.reason)
          .map((s) => (
            <li key={s.id}>
              {STEP_WORDS[s.action] ?? s.action}
              {s.outcome ? ` (${OUTCOME_WORDS[s.outcome]})` : ''} by {s.by.name}, {dateTimeGB(s.at)}: {s.reason}
            </li>
          ))}
      </ul>
    </>
  );
}

export function CentreRecords({ view }: { view: SittingAssuranceView }) {
  if (view.specialConsiderations.length + view.malpractice.length + view.enquiries.length === 0) return null;
  return (
    <>
      <h4>Centre records</h4>
      <ul className="small" data-testid="centre-records">
        {view.specialConsiderations.map((r) => (
          <li key={`sc${r.id}`}>
            Special consideration ({r.category.replace('-', ' ')}, {isoDayGB(r.incidentDate)}): {r.details}
          </li>
        ))}
        {view.malpractice.map((r) => (
          <li key={`mp${r.id}`}>
            Malpractice, JCQ form {r.form === 'M2a' ? 'M2(a)' : 'M1'} ({isoDayGB(r.incidentDate)}): {r.nature}
            {r.reportedToAwardingBodyOn ? ` Reported to the awarding body on ${isoDayGB(r.reportedToAwardingBodyOn)}.` : ' Not yet reported to the awarding body.'}
          </li>
        ))}
        {view.enquiries.map((r) => (
          <li key={`eq${r.id}`}>
            {r.kind === 'appeal' ? 'Appeal' : 'Enquiry'} from {r.raisedBy}, received {isoDayGB(r.receivedOn)}: {r.grounds}{' '}
            {r.closedAt ? `Closed ${dateTimeGB(r.closedAt)}: ${r.outcome}` : '(open)'}
          </li>
        ))}
      </ul>
    </>
  );
}

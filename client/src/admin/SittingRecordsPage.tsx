// What the centre administrator records against a sitting: special consideration, malpractice on
// the JCQ forms (M1 for a candidate, M2(a) for staff or the centre) and enquiries or appeals
// (closed with their outcome). The sitting's quality assurance record is shown beside them.
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import type { SittingSummary } from '../../../server/protocol/assessment.js';
import type { SittingAssuranceView } from '../../../server/protocol/assurance.js';
import { AssurancePanel } from '../assurance/AssurancePanel.js';
import { assurance } from '../assurance/assurance-api.js';
import { AsyncState } from '../components/AsyncState.js';
import { DataTable, openerColumn } from '../components/DataTable.js';
import { useLoad } from '../components/useLoad.js';
import { dateGB } from '../format.js';
import { sittings } from '../sitting/sitting-api.js';
import { STAGE_WORDS } from '../sitting/SittingsPanel.js';
import { describeError } from '../sitting/useSitting.js';
import { Problem } from '../components/useAction.js';

const today = () => new Date().toISOString().slice(0, 10);

export function SittingRecordsPage() {
  const list = useLoad(sittings.list);
  const [open, setOpen] = useState<string>();
  const opened = list.data?.find((s) => s.id === open);
  return (
    <div className="shell" data-testid="sitting-records">
      <h1>Sitting records</h1>
      <p className="muted">Special consideration, malpractice and enquiries or appeals are recorded against a sitting. Every record is kept and audited.</p>
      <AsyncState state={list} loading="Loading sittings…">
        {(rows) => (
          <section aria-label="Sittings">
            <DataTable
              caption="Sittings"
              scroll
              rows={rows}
              rowKey={(s) => s.id}
              rowProps={(s) => ({ className: s.id === open ? 'current' : undefined })}
              columns={[
                { header: 'Candidate', rowHeader: true, cell: (s) => s.candidate.name },
                { header: 'Centre', cell: (s) => s.centreName },
                { header: 'Started', cell: (s) => dateGB(s.startedAt) },
                { header: 'Stage', cell: (s) => (s.resultState ? STAGE_WORDS[s.resultState] : '—') },
                openerColumn<SittingSummary>({ idOf: (s) => s.id, open, setOpen, closed: 'Records', opened: 'Close', label: (s) => `Records of ${s.candidate.name}'s sitting` }),
              ]}
            />
          </section>
        )}
      </AsyncState>
      {opened && <Records key={opened.id} sitting={opened} />}
    </div>
  );
}

function Records({ sitting }: { sitting: SittingSummary }) {
  const [version, setVersion] = useState(0);
  const [tab, setTab] = useState<'special' | 'malpractice' | 'enquiry'>('special');
  const saved = () => setVersion((v) => v + 1);
  return (
    <section aria-label={`Records of ${sitting.candidate.name}'s sitting`}>
      <h2>{sitting.candidate.name}</h2>
      <div className="two-col">
        <div>
          <div className="row" role="group" aria-label="What to record">
            <button type="button" aria-pressed={tab === 'special'} onClick={() => setTab('special')}>
              Special consideration
            </button>
            <button type="button" aria-pressed={tab === 'malpractice'} onClick={() => setTab('malpractice')}>
              Malpractice
            </button>
            <button type="button" aria-pressed={tab === 'enquiry'} onClick={() => setTab('enquiry')}>
              Enquiry or appeal
            </button>
          </div>
          {tab === 'special' && <SpecialConsiderationForm sittingId={sitting.id} onSaved={saved} />}
          {tab === 'malpractice' && <MalpracticeForm sittingId={sitting.id} onSaved={saved} />}
          {tab === 'enquiry' && <EnquiryForm sittingId={sitting.id} onSaved={saved} />}
          <OpenEnquiries sittingId={sitting.id} version={version} onClosed={saved} />
        </div>
        <AssurancePanel sittingId={sitting.id} reloadKey={version} canRecordIdentity={false} canSign={false} />
      </div>
    </section>
  );
}

/** A record form: submits, shows every bad field next to its input, and says when it is saved. */
function useRecordForm<T>(send: (input: T) => Promise<SittingAssuranceView>, onSaved: () => void) {
  const [fields, setFields] = useState<Record<string, string>>({});
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (input: T, reset: () => void) => {
    setBusy(true);
    setFields({});
    setStatus('');
    try {
      await send(input);
      reset();
      setStatus('Recorded.');
      onSaved();
    } catch (err) {
      const f = (err as { fields?: Record<string, string> }).fields;
      setFields(f && Object.keys(f).length ? f : { form: describeError(err) });
    } finally {
      setBusy(false);
    }
  };
  return { fields, status, busy, submit };
}

function Field({ id, label, error, children }: { id: string; label: string; error?: string | undefined; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      {children}
      {error && <span className="error small">{error}</span>}
    </div>
  );
}

function Footer({ busy, label, status, error }: { busy: boolean; label: string; status: string; error?: string | undefined }) {
  return (
    <div className="row">
      <button type="submit" disabled={busy}>
        {label}
      </button>
      <span className="notice" role="status">
        {status}
      </span>
      <Problem error={error} inline />
    </div>
  );
}

function SpecialConsiderationForm({ sittingId, onSaved }: { sittingId: string; onSaved: () => void }) {
  const id = useId();
  const blank = { category: 'illness' as const, incidentDate: today(), details: '', evidence: '', adjustmentRequested: '' };
  const [f, setF] = useState<{ category: 'illness' | 'injury' | 'bereavement' | 'domestic-crisis' | 'other'; incidentDate: string; details: string; evidence: string; adjustmentRequested: string }>(blank);
  const form = useRecordForm((input: typeof f) => assurance.specialConsideration(sittingId, input), onSaved);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(f, () => setF(blank));
  };
  return (
    <form onSubmit={submit} aria-label="Record special consideration">
      <p className="small muted">An adjustment asked for after the assessment because of illness, injury or other indisposition at the time.</p>
      <Field id={`${id}-c`} label="Reason" error={form.fields['category']}>
        <select id={`${id}-c`} value={f.category} onChange={(e) => setF({ ...f, category: e.target.value as typeof f.category })}>
          <option value="illness">Illness</option>
          <option value="injury">Injury</option>
          <option value="bereavement">Bereavement</option>
          <option value="domestic-crisis">Domestic crisis</option>
          <option value="other">Other</option>
        </select>
      </Field>
      <Field id={`${id}-d`} label="Date it happened" error={form.fields['incidentDate']}>
        <input id={`${id}-d`} type="date" value={f.incidentDate} onChange={(e) => setF({ ...f, incidentDate: e.target.value })} required />
      </Field>
      <Field id={`${id}-t`} label="What happened and how it affected the candidate" error={form.fields['details']}>
        <textarea id={`${id}-t`} value={f.details} onChange={(e) => setF({ ...f, details: e.target.value })} required />
      </Field>
      <Field id={`${id}-e`} label="Evidence seen (e.g. a doctor's letter)" error={form.fields['evidence']}>
        <input id={`${id}-e`} value={f.evidence} onChange={(e) => setF({ ...f, evidence: e.target.value })} />
      </Field>
      <Field id={`${id}-a`} label="Adjustment asked for" error={form.fields['adjustmentRequested']}>
        <input id={`${id}-a`} value={f.adjustmentRequested} onChange={(e) => setF({ ...f, adjustmentRequested: e.target.value })} />
      </Field>
      <Footer busy={form.busy} label="Record special consideration" status={form.status} error={form.fields['form']} />
    </form>
  );
}

function MalpracticeForm({ sittingId, onSaved }: { sittingId: string; onSaved: () => void }) {
  const id = useId();
  const blank = { form: 'M1' as 'M1' | 'M2a', incidentDate: today(), personsInvolved: '', nature: '', evidence: '', statementObtained: false, reported: '', actionTaken: '' };
  const [f, setF] = useState(blank);
  const form = useRecordForm(
    (input: typeof f) =>
      assurance.malpractice(sittingId, {
        form: input.form,
        incidentDate: input.incidentDate,
        personsInvolved: input.personsInvolved,
        nature: input.nature,
        evidence: input.evidence,
        statementObtained: input.statementObtained,
        reportedToAwardingBodyOn: input.reported || null,
        actionTaken: input.actionTaken,
      }),
    onSaved,
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(f, () => setF(blank));
  };
  return (
    <form onSubmit={submit} aria-label="Record malpractice">
      <fieldset>
        <legend>JCQ form</legend>
        <label className="check">
          <input type="radio" name={`${id}-f`} checked={f.form === 'M1'} onChange={() => setF({ ...f, form: 'M1' })} /> M1: suspected candidate malpractice
        </label>
        <label className="check">
          <input type="radio" name={`${id}-f`} checked={f.form === 'M2a'} onChange={() => setF({ ...f, form: 'M2a' })} /> M2(a): suspected staff or centre malpractice (report it before investigating)
        </label>
      </fieldset>
      <Field id={`${id}-d`} label="Date of the incident" error={form.fields['incidentDate']}>
        <input id={`${id}-d`} type="date" value={f.incidentDate} onChange={(e) => setF({ ...f, incidentDate: e.target.value })} required />
      </Field>
      <Field id={`${id}-p`} label={f.form === 'M1' ? 'Candidate(s) involved' : 'Staff involved (names and roles)'} error={form.fields['personsInvolved']}>
        <input id={`${id}-p`} value={f.personsInvolved} onChange={(e) => setF({ ...f, personsInvolved: e.target.value })} required />
      </Field>
      <Field id={`${id}-n`} label="What is suspected" error={form.fields['nature']}>
        <textarea id={`${id}-n`} value={f.nature} onChange={(e) => setF({ ...f, nature: e.target.value })} required />
      </Field>
      <Field id={`${id}-e`} label="How it came to light, and the evidence" error={form.fields['evidence']}>
        <textarea id={`${id}-e`} value={f.evidence} onChange={(e) => setF({ ...f, evidence: e.target.value })} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={f.statementObtained} onChange={(e) => setF({ ...f, statementObtained: e.target.checked })} /> A written statement was taken from the person involved
      </label>
      <Field id={`${id}-r`} label="Date sent to the awarding body (leave empty if not yet)" error={form.fields['reportedToAwardingBodyOn']}>
        <input id={`${id}-r`} type="date" value={f.reported} onChange={(e) => setF({ ...f, reported: e.target.value })} />
      </Field>
      <Field id={`${id}-a`} label="Action taken" error={form.fields['actionTaken']}>
        <input id={`${id}-a`} value={f.actionTaken} onChange={(e) => setF({ ...f, actionTaken: e.target.value })} />
      </Field>
      <Footer busy={form.busy} label="Record malpractice" status={form.status} error={form.fields['form']} />
    </form>
  );
}

function EnquiryForm({ sittingId, onSaved }: { sittingId: string; onSaved: () => void }) {
  const id = useId();
  const blank = { kind: 'enquiry' as 'enquiry' | 'appeal', raisedBy: '', receivedOn: today(), grounds: '' };
  const [f, setF] = useState(blank);
  const form = useRecordForm((input: typeof f) => assurance.enquiry(sittingId, input), onSaved);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(f, () => setF(blank));
  };
  return (
    <form onSubmit={submit} aria-label="Record an enquiry or appeal">
      <p className="small muted">While an enquiry or appeal is open, the sitting's recordings and records are never deleted.</p>
      <Field id={`${id}-k`} label="Kind" error={form.fields['kind']}>
        <select id={`${id}-k`} value={f.kind} onChange={(e) => setF({ ...f, kind: e.target.value as typeof f.kind })}>
          <option value="enquiry">Enquiry about the result</option>
          <option value="appeal">Appeal</option>
        </select>
      </Field>
      <Field id={`${id}-b`} label="Raised by" error={form.fields['raisedBy']}>
        <input id={`${id}-b`} value={f.raisedBy} onChange={(e) => setF({ ...f, raisedBy: e.target.value })} placeholder="e.g. the candidate" required />
      </Field>
      <Field id={`${id}-d`} label="Received on" error={form.fields['receivedOn']}>
        <input id={`${id}-d`} type="date" value={f.receivedOn} onChange={(e) => setF({ ...f, receivedOn: e.target.value })} required />
      </Field>
      <Field id={`${id}-g`} label="Grounds" error={form.fields['grounds']}>
        <textarea id={`${id}-g`} value={f.grounds} onChange={(e) => setF({ ...f, grounds: e.target.value })} required />
      </Field>
      <Footer busy={form.busy} label="Record it" status={form.status} error={form.fields['form']} />
    </form>
  );
}

function OpenEnquiries({ sittingId, version, onClosed }: { sittingId: string; version: number; onClosed: () => void }) {
  const [view, setView] = useState<SittingAssuranceView>();
  const [outcome, setOutcome] = useState<Record<number, string>>({});
  const [error, setError] = useState<string>();
  useEffect(() => {
    assurance.view(sittingId).then(setView, (err: unknown) => setError(describeError(err)));
  }, [sittingId, version]);
  const open = view?.enquiries.filter((e) => e.closedAt === null) ?? [];
  if (open.length === 0) return null;
  return (
    <div className="declaration">
      <h3>Open enquiries and appeals</h3>
      {open.map((e) => (
        <form
          key={e.id}
          onSubmit={(ev) => {
            ev.preventDefault();
            assurance.closeEnquiry(e.id, outcome[e.id] ?? '').then(onClosed, (err: unknown) => setError(describeError(err)));
          }}
        >
          <p className="small">
            {e.kind === 'appeal' ? 'Appeal' : 'Enquiry'} from {e.raisedBy}: {e.grounds}
          </p>
          <label htmlFor={`close-${e.id}`}>Outcome</label>
          <input id={`close-${e.id}`} value={outcome[e.id] ?? ''} onChange={(ev) => setOutcome({ ...outcome, [e.id]: ev.target.value })} required />
          <div className="row">
            <button type="submit">Close with this outcome</button>
          </div>
        </form>
      ))}
      <Problem error={error} />
    </div>
  );
}

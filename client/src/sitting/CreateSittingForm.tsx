// A new sitting: the candidate, four of the six scenarios in the order they will be taken, an
// optional planned time, the base time and the access arrangements agreed before it (extra time
// as a percentage or in minutes, supervised rest breaks). Coverage warnings come from the server's
// coverage rule, checked as the assignments are chosen, before the sitting is created.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { CoverageCheckView, CreateSittingInput, SittingDetail } from '../../../server/protocol/assessment.js';
import { assignmentOf, fieldProblems, sittings, type ScenarioListing } from './sitting-api.js';
import { describeError } from './useSitting.js';
import { handled } from '../components/handled.js';
import { Problem } from '../components/useAction.js';
import { candidateChoices, type CandidateChoice } from './candidate-choice.js';

const POSITIONS = [1, 2, 3, 4] as const;

/** Where a server problem's field is shown ('scenarioKeys.2' → the third scenario picker). */
function keyOf(field: string): string {
  const pick = /^scenarioKeys\.(\d)$/.exec(field);
  if (pick) return `scenario${pick[1]}`;
  if (field.startsWith('scenarioKeys')) return 'scenarioKeys';
  if (field.startsWith('extraTime')) return 'extraTime';
  return ['candidateUserId', 'scheduledFor', 'baseMinutes', 'restBreaks'].includes(field) ? field : 'form';
}

export function CreateSittingForm({ onCreated }: { onCreated: (d: SittingDetail) => void }) {
  const id = useId();
  const [candidates, setCandidates] = useState<CandidateChoice[]>([]);
  const [scenarios, setScenarios] = useState<ScenarioListing[]>([]);
  const [candidate, setCandidate] = useState('');
  const [keys, setKeys] = useState<string[]>(['', '', '', '']);
  const [scheduled, setScheduled] = useState('');
  const [baseMinutes, setBaseMinutes] = useState('60');
  const [extraKind, setExtraKind] = useState<'none' | 'percent' | 'minutes'>('none');
  const [extraValue, setExtraValue] = useState('');
  const [restBreaks, setRestBreaks] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [loadError, setLoadError] = useState<string>();
  const [coverage, setCoverage] = useState<CoverageCheckView>();
  const chosenKeys = keys.filter((k) => k !== '').join(',');
  useEffect(() => {
    // Asked again whenever the choice changes; an answer for an older choice is dropped.
    let current = true;
    if (!chosenKeys) {
      setCoverage(undefined);
      return;
    }
    sittings.checkCoverage(chosenKeys.split(',')).then(
      (c) => current && setCoverage(c),
      () => current && setCoverage(undefined),
    );
    return () => {
      current = false;
    };
  }, [chosenKeys]);

  useEffect(() => {
    sittings.candidates().then(
      (list) => {
        const c = candidateChoices(list);
        setCandidates(c);
        if (c.length === 1) setCandidate(String(c[0]!.userId));
      },
      (err: unknown) => setLoadError(describeError(err)),
    );
    sittings.scenarios().then(setScenarios, (err: unknown) => setLoadError(describeError(err)));
  }, []);

  const f = (name: string) => `${id}-${name}`;
  const fieldError = (name: string) =>
    errors[name] ? (
      <span className="error field-error" id={`${f(name)}-error`}>
        {errors[name]}
      </span>
    ) : null;
  const aria = (name: string) => (errors[name] ? { 'aria-invalid': true, 'aria-describedby': `${f(name)}-error` } : {});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!candidate) errs.candidateUserId = 'Choose the candidate.';
    keys.forEach((k, i) => {
      if (!k) errs[`scenario${i}`] = 'Choose a scenario.';
      else if (keys.indexOf(k) !== i) errs[`scenario${i}`] = `${k.toUpperCase()} is already assignment ${keys.indexOf(k) + 1}.`;
    });
    const base = Number(baseMinutes);
    if (!Number.isInteger(base) || base < 1) errs.baseMinutes = 'Whole minutes, at least 1.';
    const extra = Number(extraValue);
    if (extraKind !== 'none' && (!extraValue.trim() || !Number.isFinite(extra) || extra <= 0)) errs.extraTime = extraKind === 'percent' ? 'A percentage above 0.' : 'Minutes above 0.';
    let scheduledFor: number | null = null;
    if (scheduled) {
      scheduledFor = new Date(scheduled).getTime();
      if (!Number.isFinite(scheduledFor)) errs.scheduledFor = 'Not a valid date and time.';
    }
    setErrors(errs);
    if (Object.keys(errs).length) {
      const first = ['candidateUserId', 'scenario0', 'scenario1', 'scenario2', 'scenario3', 'scheduledFor', 'baseMinutes', 'extraTime'].find((k) => errs[k]);
      if (first) document.getElementById(f(first))?.focus();
      return;
    }
    const input: CreateSittingInput = {
      candidateUserId: Number(candidate),
      scenarioKeys: keys,
      scheduledFor,
      baseMinutes: base,
      extraTime: extraKind === 'percent' ? { kind: 'percent', percent: extra } : extraKind === 'minutes' ? { kind: 'minutes', minutes: extra } : null,
      restBreaks,
    };
    setBusy(true);
    try {
      const d = await sittings.create(input);
      onCreated(d);
      setKeys(['', '', '', '']);
      setScheduled('');
      setExtraKind('none');
      setExtraValue('');
      setRestBreaks(false);
    } catch (err) {
      const errs: Record<string, string> = {};
      for (const [field, message] of Object.entries(fieldProblems(err, describeError))) {
        const key = keyOf(field);
        errs[key] = errs[key] ? `${errs[key]} ${message}` : message;
      }
      setErrors(errs);
      const first = ['candidateUserId', 'scenarioKeys', 'scenario0', 'scenario1', 'scenario2', 'scenario3', 'scheduledFor', 'baseMinutes', 'extraTime', 'restBreaks', 'form'].find((k) => errs[k]);
      if (first) document.getElementById(f(first))?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={handled(submit)} aria-label="New sitting" className="create-sitting" noValidate>
      <Problem error={loadError} />
      <div className="form-grid">
        <div className="span-all">
          <label htmlFor={f('candidateUserId')}>Candidate</label>
          <select id={f('candidateUserId')} value={candidate} onChange={(e) => setCandidate(e.target.value)} required {...aria('candidateUserId')}>
            <option value="">Choose a candidate…</option>
            {candidates.map((c) => (
              <option key={c.userId} value={c.userId}>
                {c.label}
              </option>
            ))}
          </select>
          {fieldError('candidateUserId')}
        </div>
        <fieldset className="span-all scenario-picks" id={f('scenarioKeys')} tabIndex={-1} {...aria('scenarioKeys')}>
          <legend>Assignments: 4 of the 6 scenarios, in the order they are taken</legend>
          <div className="form-grid">
            {POSITIONS.map((n, i) => (
              <div key={n}>
                <label htmlFor={f(`scenario${i}`)}>Assignment {n}</label>
                <select
                  id={f(`scenario${i}`)}
                  value={keys[i]}
                  required
                  onChange={(e) => setKeys((ks) => ks.map((k, j) => (j === i ? e.target.value : k)))}
                  {...aria(`scenario${i}`)}
                >
                  <option value="">Choose…</option>
                  {scenarios.map((s) => (
                    // One variant per assignment: S1 and the centre's own S1 cannot both be taken.
                    <option key={s.key} value={s.key} disabled={keys.some((k, j) => j !== i && k !== '' && assignmentOf(scenarios.find((x) => x.key === k) ?? s) === assignmentOf(s))}>
                      {assignmentOf(s).toUpperCase()}
                      {s.builtIn === false ? ` (centre variant ${s.variant ?? s.key})` : ''} · {s.direction} {s.type}: {s.title}
                    </option>
                  ))}
                </select>
                {fieldError(`scenario${i}`)}
              </div>
            ))}
          </div>
          {fieldError('scenarioKeys')}
          {coverage && (coverage.warnings.length > 0 || coverage.problems.length > 0) && (
            <div className="warning-box" role="status" aria-label="Coverage check" data-testid="coverage-check">
              <strong>{coverage.warnings.length > 0 ? 'Coverage warning: you may still create the sitting' : 'Check the assignments'}</strong>
              <ul className="warnings">
                {[...coverage.problems, ...coverage.warnings.map((w) => w.message)].map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            </div>
          )}
        </fieldset>
        <div>
          <label htmlFor={f('scheduledFor')}>Planned for (optional)</label>
          <input id={f('scheduledFor')} type="datetime-local" value={scheduled} onChange={(e) => setScheduled(e.target.value)} {...aria('scheduledFor')} />
          {fieldError('scheduledFor')}
        </div>
        <div>
          <label htmlFor={f('baseMinutes')}>Base time (minutes)</label>
          <input id={f('baseMinutes')} type="number" min={1} step={1} inputMode="numeric" value={baseMinutes} onChange={(e) => setBaseMinutes(e.target.value)} {...aria('baseMinutes')} />
          {fieldError('baseMinutes')}
        </div>
        <fieldset className="span-all">
          <legend>Access arrangements</legend>
          <div role="radiogroup" aria-label="Extra time" className="row">
            <label className="check">
              <input type="radio" name={f('extra')} checked={extraKind === 'none'} onChange={() => setExtraKind('none')} /> No extra time
            </label>
            <label className="check">
              <input type="radio" name={f('extra')} checked={extraKind === 'percent'} onChange={() => setExtraKind('percent')} /> Extra time in percent
            </label>
            <label className="check">
              <input type="radio" name={f('extra')} checked={extraKind === 'minutes'} onChange={() => setExtraKind('minutes')} /> Extra time in minutes
            </label>
          </div>
          {extraKind !== 'none' && (
            <div>
              <label htmlFor={f('extraTime')}>{extraKind === 'percent' ? 'Extra time (% of the base time)' : 'Extra time (minutes)'}</label>
              <input id={f('extraTime')} type="number" min={0} step={extraKind === 'percent' ? 1 : 1} inputMode="numeric" value={extraValue} onChange={(e) => setExtraValue(e.target.value)} {...aria('extraTime')} />
            </div>
          )}
          {fieldError('extraTime')}
          <label className="check">
            <input type="checkbox" id={f('restBreaks')} checked={restBreaks} onChange={(e) => setRestBreaks(e.target.checked)} /> Supervised rest breaks (pause the clock)
          </label>
          {fieldError('restBreaks')}
        </fieldset>
      </div>
      {errors.form && (
        <p className="error" role="alert" id={f('form')} tabIndex={-1}>
          {errors.form}
        </p>
      )}
      <div className="row">
        <button type="submit" disabled={busy}>
          Create sitting
        </button>
      </div>
    </form>
  );
}

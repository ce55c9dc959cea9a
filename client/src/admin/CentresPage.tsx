// The centre administrator's settings, per centre: the awarding body's centre number, when
// candidates see results, how many re-takes an assignment allows, what happens at time up, and
// how long after moderation an enquiry or appeal may still come (evidence is kept at least that long).
import { useId, useState, type FormEvent } from 'react';
import { RELEASE_RULE_LABELS, type CentreSettingsInput, type CentreView, type OverrunPolicy, type ReleaseRule } from '../../../server/protocol/assurance.js';
import { assurance } from '../assurance/assurance-api.js';
import { AsyncState } from '../components/AsyncState.js';
import { useLoad } from '../components/useLoad.js';
import { describeError } from '../sitting/useSitting.js';
import { Problem } from '../components/useAction.js';

export function CentresPage() {
  const centres = useLoad(assurance.centres);
  return (
    <div className="shell page-narrow" data-testid="centre-settings">
      <h1>Centre settings</h1>
      <p className="muted">
        Changes apply at once to what candidates see. The re-take limit and the time-up rule apply to sittings created from now on; a sitting keeps the rules it was created with.
      </p>
      <AsyncState state={centres} loading="Loading…">
        {(list) => (
          <div className="two-col">
            {list.map((c) => (
              <CentreForm key={c.id} centre={c} onSaved={(saved) => centres.set(list.map((x) => (x.id === saved.id ? saved : x)))} />
            ))}
          </div>
        )}
      </AsyncState>
    </div>
  );
}

function CentreForm({ centre, onSaved }: { centre: CentreView; onSaved: (c: CentreView) => void }) {
  const id = useId();
  const [form, setForm] = useState<CentreSettingsInput & { centreNumberText: string }>({ ...centre, centreNumberText: centre.centreNumber ?? '' });
  const [fields, setFields] = useState<Record<string, string>>({});
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFields({});
    setStatus('');
    try {
      const saved = await assurance.saveCentre(centre.id, {
        centreNumber: form.centreNumberText.trim() === '' ? null : form.centreNumberText.trim(),
        releaseRule: form.releaseRule,
        maxRetakes: form.maxRetakes,
        overrunPolicy: form.overrunPolicy,
        appealWindowDays: form.appealWindowDays,
      });
      onSaved(saved);
      setStatus('Saved.');
    } catch (err) {
      const f = (err as { fields?: Record<string, string> }).fields;
      setFields(f && Object.keys(f).length ? f : { form: describeError(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby={`${id}-h`} data-centre-id={centre.id}>
      <h2 id={`${id}-h`}>
        {centre.name}
        {centre.isDemo && <span className="tag">demo</span>}
      </h2>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor={`${id}-n`}>Centre number (from the awarding body)</label>
        <input id={`${id}-n`} value={form.centreNumberText} onChange={(e) => setForm({ ...form, centreNumberText: e.target.value })} maxLength={10} placeholder="e.g. 91234" />
        {fields['centreNumber'] && <span className="error small">{fields['centreNumber']}</span>}
        <label htmlFor={`${id}-r`}>Candidates see their results</label>
        <select id={`${id}-r`} value={form.releaseRule} onChange={(e) => setForm({ ...form, releaseRule: e.target.value as ReleaseRule })}>
          {(Object.keys(RELEASE_RULE_LABELS) as ReleaseRule[]).map((r) => (
            <option key={r} value={r}>
              {RELEASE_RULE_LABELS[r]}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-m`}>Re-takes allowed per assignment (after a mark below 6)</label>
        <select id={`${id}-m`} value={form.maxRetakes} onChange={(e) => setForm({ ...form, maxRetakes: Number(e.target.value) })}>
          {[0, 1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={n}>
              {n === 0 ? 'None' : n}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-o`}>When the time allowed runs out</label>
        <select id={`${id}-o`} value={form.overrunPolicy} onChange={(e) => setForm({ ...form, overrunPolicy: e.target.value as OverrunPolicy })}>
          <option value="warn">Warn, let the candidate finish, and record the time over</option>
          <option value="stop">Stop the sitting at once</option>
        </select>
        <label htmlFor={`${id}-w`}>Days after moderation an enquiry or appeal may come (evidence is kept)</label>
        <input id={`${id}-w`} type="number" min={0} max={3650} value={form.appealWindowDays} onChange={(e) => setForm({ ...form, appealWindowDays: Number(e.target.value) })} />
        {fields['appealWindowDays'] && <span className="error small">{fields['appealWindowDays']}</span>}
        <div className="row">
          <button type="submit" disabled={busy}>
            Save settings
          </button>
          <span className="notice" role="status">
            {status}
          </span>
          <Problem error={fields['form']} inline />
        </div>
      </form>
    </section>
  );
}

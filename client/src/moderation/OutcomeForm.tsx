// The moderator's outcome of a sitting: accepted, marks adjusted (after changing marks on its
// attempts) or rejected, with the reason, signed off. Shown once the centre's IQA has countersigned.
import { useState } from 'react';
import { OUTCOME_WORDS, SIGN_WORDS, type ModerationOutcome } from '../../../server/protocol/assurance.js';
import { StateBadge, Signatures, useAssurance } from '../assurance/AssurancePanel.js';
import { assurance } from '../assurance/assurance-api.js';
import { dateTimeGB } from '../format.js';
import { Problem, useAction } from '../components/useAction.js';

export function OutcomeForm({ sittingId, onChanged }: { sittingId: string; onChanged?: () => void }) {
  const [version, setVersion] = useState(0);
  const { view } = useAssurance(sittingId, version);
  const [outcome, setOutcome] = useState<ModerationOutcome>('accepted');
  const [reason, setReason] = useState('');
  const [ticked, setTicked] = useState(false);
  const { busy, error, run } = useAction();
  if (!view) return null;
  const signOff = async () => {
    if (!(await run(() => assurance.outcome(sittingId, outcome, reason)))) return;
    setVersion((v) => v + 1);
    onChanged?.();
  };
  return (
    <div className="assurance" data-testid="moderation-outcome">
      <p className="small">
        Stage: <StateBadge view={view} />
        {view.outcome && view.stateAt ? ` on ${dateTimeGB(view.stateAt)}` : ''}
      </p>
      {view.state === 'iqa-countersigned' && (
        <div className="declaration">
          <h4>Moderation outcome</h4>
          <fieldset>
            <legend className="visually-hidden">Outcome</legend>
            {(Object.keys(OUTCOME_WORDS) as ModerationOutcome[]).map((o) => (
              <label key={o} className="check">
                <input type="radio" name={`outcome-${sittingId}`} checked={outcome === o} onChange={() => setOutcome(o)} /> {OUTCOME_WORDS[o]}
              </label>
            ))}
          </fieldset>
          <label htmlFor={`reason-${sittingId}`}>Reason{outcome === 'accepted' ? ' (optional)' : ''}</label>
          <textarea id={`reason-${sittingId}`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />
          <label className="check">
            <input type="checkbox" checked={ticked} onChange={(e) => setTicked(e.target.checked)} />
            <span>{SIGN_WORDS.moderator}</span>
          </label>
          <button type="button" className="primary" disabled={busy || !ticked || (outcome !== 'accepted' && !reason.trim())} onClick={() => void signOff()}>
            Sign off the outcome
          </button>
          <Problem error={error} />
        </div>
      )}
      {view.state !== 'iqa-countersigned' && view.state !== 'moderated' && <p className="small muted">The outcome is recorded once the centre’s internal quality assurer has countersigned the sitting.</p>}
      <Signatures view={view} />
    </div>
  );
}

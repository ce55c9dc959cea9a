// The assessor follows the candidate's desktop live: the open sitting's current attempt
// (`attemptId`), or a practice attempt started here (outside any sitting); the one that began last
// is shown. Two panels, side by side in the console's grid: the read-only mirror of what the
// candidate sees now (DesktopMirror) and the attempt's timeline in words (LiveTimeline).
import { useEffect, useState, type FormEvent } from 'react';
import type { SittingCandidatesResponse } from '../../../server/protocol/assessment.js';
import type { PracticeAttemptCreated } from '../../../server/protocol/crm.js';
import type { ScenarioList } from '../../../server/protocol/scenarios.js';
import { api, ApiFailure } from '../api.js';
import { LiveTimeline } from '../realtime/LiveTimeline.js';
import { DesktopMirror } from './DesktopMirror.js';
import { handled } from '../components/handled.js';
import { formText } from '../components/form-text.js';
import { Problem } from '../components/useAction.js';
import { candidateChoices, type CandidateChoice } from '../sitting/candidate-choice.js';

export function AttemptPanel({ attemptId: sittingAttemptId }: { attemptId?: string } = {}) {
  const [candidates, setCandidates] = useState<CandidateChoice[]>([]);
  const [scenarios, setScenarios] = useState<Array<{ key: string; title: string; direction: string }>>([]);
  const [practiceId, setPracticeId] = useState<string>();
  const [error, setError] = useState<string>();
  // A new sitting attempt takes over from a practice attempt started earlier.
  useEffect(() => {
    if (sittingAttemptId) setPracticeId(undefined);
  }, [sittingAttemptId]);
  const attemptId = practiceId ?? sittingAttemptId;
  useEffect(() => {
    api<SittingCandidatesResponse>('GET', '/api/sittings/candidates').then((d) => setCandidates(candidateChoices(d.candidates)), () => {});
    api<ScenarioList>('GET', '/api/scenarios').then((d) => setScenarios(d.scenarios), () => {});
  }, []);
  const start = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const candidateUserId = Number(form.get('candidate'));
    const scenarioKey = formText(form, 'scenario', 'demo');
    try {
      const r = await api<PracticeAttemptCreated>('POST', '/api/attempts', { candidateUserId, scenarioKey });
      setPracticeId(r.attempt.id);
      setError(undefined);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : 'The server could not be reached.');
    }
  };
  const form = (
    <form onSubmit={handled(start)} aria-label="Start a practice attempt">
      <label htmlFor="attempt-candidate">Candidate</label>
      <select id="attempt-candidate" name="candidate" required>
        {candidates.map((c) => (
          <option key={c.userId} value={c.userId}>
            {c.label}
          </option>
        ))}
      </select>
      <label htmlFor="attempt-scenario">Scenario (its CRM data)</label>
      <select id="attempt-scenario" name="scenario" defaultValue="demo">
        {(scenarios.length ? scenarios : [{ key: 'demo', title: 'Demo data set', direction: 'any' }]).map((s) => (
          <option key={s.key} value={s.key}>
            {s.key.toUpperCase()}: {s.title}
          </option>
        ))}
      </select>
      <button type="submit" disabled={candidates.length === 0}>
        Start practice attempt
      </button>
    </form>
  );
  return (
    <>
      {attemptId && (
        <section aria-labelledby="console-mirror" className="panel-mirror">
          <h2 id="console-mirror">What the candidate sees now</h2>
          <DesktopMirror key={attemptId} attemptId={attemptId} />
        </section>
      )}
      <section aria-label="Candidate activity" className="panel-activity">
      <h2>Candidate activity</h2>
      {/* While a sitting's assignment is followed here the practice form folds away, so the live view fits the screen. */}
      {sittingAttemptId && !practiceId ? (
        <details className="practice-start">
          <summary>Start a practice attempt instead</summary>
          {form}
        </details>
      ) : (
        form
      )}
      <Problem error={error} />
      {attemptId && (
        <>
          {practiceId ? (
            <p className="muted" data-testid="attempt-id">
              Practice attempt started: the candidate reloads their desktop to begin.
            </p>
          ) : (
            <p className="muted" data-testid="sitting-attempt-id">
              The sitting’s current assignment, as the candidate works on it:
            </p>
          )}
          <LiveTimeline key={attemptId} attemptId={attemptId} />
        </>
      )}
      </section>
    </>
  );
}

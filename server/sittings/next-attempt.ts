// What starting assignment n of a sitting means now: its first attempt, a re-take, or a refusal
// with the reason. Re-takes follow server/assessment/retakes.ts: only after the latest attempt is
// marked below 6, within the limit the centre had set when the sitting was created (its re-take
// policy, SittingResults.policy), while its marks are a draft, and with a variant not used before when the scenario
// has one. When every variant has been used (today each scenario ships one), the re-take uses the
// latest variant again and says so in its note; the variant rule is then not asked, because there
// is no other variant it could require.
import type { Scenario } from '../assessment/scenario-schema.js';
import type { Sitting } from '../db/repositories/sittings.js';
import { variantsOf } from './catalogue.js';
import { retakeFor, type SittingResults } from './results.js';

export type NextAttempt =
  | { ok: true; kind: 'first' | 'retake'; scenario: Scenario; retakeOf: string | null; note: string | null }
  | { ok: false; code: string; message: string };

export function planNextAttempt(sitting: Sitting, standing: SittingResults, position: number): NextAttempt {
  const p = standing.positions[position - 1];
  if (!p) return { ok: false, code: 'no_assignment', message: `The sitting has assignments 1 to ${standing.positions.length}; there is no assignment ${position}.` };
  if (standing.openAttempt) {
    const o = standing.openAttempt;
    return { ok: false, code: 'attempt_open', message: `Attempt ${o.id} (assignment ${o.position ?? '?'}) is still open; close it or finish its marking before starting another.` };
  }
  const variants = variantsOf(p.scenarioKey);
  if (variants.length === 0) return { ok: false, code: 'no_scenario', message: `Scenario ${p.scenarioKey} is no longer available.` };

  if (p.attempts.length === 0) {
    if (sitting.status !== 'in-progress') {
      return { ok: false, code: 'sitting_not_running', message: sitting.status === 'scheduled' ? 'Start the sitting first: its clock must be running.' : 'The sitting has ended; no new assignment can begin.' };
    }
    return { ok: true, kind: 'first', scenario: variants[0]!, retakeOf: null, note: null };
  }

  if (sitting.status === 'scheduled') return { ok: false, code: 'sitting_not_running', message: 'Start the sitting first.' };
  if (sitting.resultState !== 'draft') return { ok: false, code: 'result_signed', message: 'The mark sheet of this sitting has been signed: no re-take can begin.' };
  const used = new Set(p.attempts.map((a) => a.attempt.variant));
  const fresh = variants.find((v) => !used.has(v.variant));
  const latest = p.attempts[p.attempts.length - 1]!.attempt;
  const decision = retakeFor(p, standing.policy, fresh ? fresh.variant : null);
  if (!decision.allowed) return { ok: false, code: `retake_${decision.code.replace(/-/g, '_')}`, message: decision.message };
  if (fresh) return { ok: true, kind: 'retake', scenario: fresh, retakeOf: latest.id, note: `Re-take of attempt ${p.attempts.length}, on variant ${fresh.variant}.` };
  const same = variants.find((v) => v.variant === latest.variant) ?? variants[0]!;
  return {
    ok: true,
    kind: 'retake',
    scenario: same,
    retakeOf: latest.id,
    note: `Re-take of attempt ${p.attempts.length} on the same variant (${same.variant}): scenario ${p.scenarioKey.toUpperCase()} has no other variant.`,
  };
}

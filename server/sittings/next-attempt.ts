// What starting assignment n of a sitting means now: its first attempt, a re-take, or a refusal
// with the reason. Re-takes follow server/assessment/retakes.ts: only after the latest attempt is
// marked below 6, within the limit the centre had set when the sitting was created (its re-take
// policy, SittingResults.policy), while its marks are a draft, and always with a variant the
// candidate has not had in this assignment: the shipped variants in order (a, then b, …), then the
// sitting's centre's own variants of the key. When every one has been used the re-take is refused
// with a clear reason (409 retake_no_unused_variant) rather than replaying caller facts, names and
// answers the candidate has already heard: a re-take on the same facts is not a fresh assessment
// (digest 1.4: "a different variant of the same scenario type"), and the centre can put it right
// by cloning the scenario into a variant of its own (Scenarios page), which the next try picks up.
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
  const variants = variantsOf(p.scenarioKey, sitting.centreId);
  if (variants.length === 0) return { ok: false, code: 'no_scenario', message: `Scenario ${p.scenarioKey} is no longer available.` };

  if (p.attempts.length === 0) {
    if (sitting.status !== 'in-progress') {
      return { ok: false, code: 'sitting_not_running', message: sitting.status === 'scheduled' ? 'Start the sitting first: its clock must be running.' : sitting.status === 'cancelled' ? 'The sitting was cancelled; no assignment can begin.' : 'The sitting has ended; no new assignment can begin.' };
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
  const had = [...used].sort().join(', ');
  return {
    ok: false,
    code: 'retake_no_unused_variant',
    message: `The candidate has already had every version of assignment ${position} (${p.scenarioKey.toUpperCase()}: ${had}); a re-take needs one they have not heard. Make the centre's own version of this scenario on the Scenarios page, then start the re-take again.`,
  };
}

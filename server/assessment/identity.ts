// The identity check as contact centres run it (digest U2-1.1-verify-id, U2-2.1-verify-id,
// U2-3.2-verify-id, U2-6.3-data-protection): the scenario says how many security questions must be
// asked and answered correctly; a question left unanswered was not asked; identity is verified
// when at least that many were asked and every one asked was answered correctly (one wrong answer
// means the caller is not verified, whatever else they got right). A record with fewer questions
// on file than the scenario asks for needs all of them.
//
// ONE rule for everything that decides or describes an identity check: the desktop's check route
// (server/api/customer-routes.ts) stores its verdict, the auto-check (auto-checks.ts) re-applies it to
// the server's record, and the replay shows its words. Pure: no I/O.

/** Questions a scenario asks for when it says nothing (digest U2-1.1-verify-id: two factors). */
export const DEFAULT_IDENTITY_QUESTIONS = 2;

/** One security question as the candidate left it. */
export interface IdentityAnswer {
  /** Something was typed (an empty or blank answer is a question not asked). */
  asked: boolean;
  /** The answer matched the record. Ignored when not asked. */
  correct: boolean;
}

export interface IdentityOutcome {
  /** Questions that had to be asked and answered correctly. */
  required: number;
  asked: number;
  correct: number;
  wrong: number;
  passed: boolean;
  /** What happened in words, e.g. "2 asked, 2 correct: verified". */
  summary: string;
}

/**
 * How many questions a check needs: the scenario's number (default 2), or every question on the
 * record when it holds fewer (but at least one).
 */
export function requiredQuestions(scenarioRequires: number | undefined, questionsOnRecord: number): number {
  const wanted = scenarioRequires ?? DEFAULT_IDENTITY_QUESTIONS;
  if (!Number.isInteger(wanted) || wanted < 1) throw new RangeError(`an identity check needs a whole number of questions of at least 1; got ${String(wanted)}`);
  return Math.max(1, Math.min(wanted, questionsOnRecord));
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The verdict of one identity check under the rule at the top of this file. */
export function identityOutcome(answers: readonly IdentityAnswer[], required: number): IdentityOutcome {
  if (!Number.isInteger(required) || required < 1) throw new RangeError(`an identity check needs a whole number of questions of at least 1; got ${String(required)}`);
  const asked = answers.filter((a) => a.asked);
  const correct = asked.filter((a) => a.correct).length;
  const wrong = asked.length - correct;
  const passed = asked.length >= required && wrong === 0;
  const counts = `${asked.length} asked, ${correct} correct`;
  let summary: string;
  if (passed) summary = `${counts}: verified`;
  else if (wrong > 0) summary = `${counts}: not verified (${plural(wrong, 'answer was', 'answers were')} wrong)`;
  else summary = `${counts}: not verified (${plural(required, 'question')} must be asked and answered correctly)`;
  return { required, asked: asked.length, correct, wrong, passed, summary };
}

/**
 * The answers of a stored check: the timeline payload's `questions` list (server/realtime/
 * evidence.ts), or, for a payload that only counts them, `asked` (or `questions`) and `correct`.
 * Undefined when the payload says neither.
 */
export function answersOf(payload: Record<string, unknown>): IdentityAnswer[] | undefined {
  const list = payload.questions;
  if (Array.isArray(list)) {
    const answers: IdentityAnswer[] = [];
    for (const q of list) {
      if (q === null || typeof q !== 'object') return undefined;
      const { asked, correct } = q as Record<string, unknown>;
      if (typeof asked !== 'boolean' || typeof correct !== 'boolean') return undefined;
      answers.push({ asked, correct });
    }
    return answers;
  }
  const asked = typeof payload.asked === 'number' ? payload.asked : typeof list === 'number' ? list : undefined;
  const correct = payload.correct;
  if (asked === undefined || typeof correct !== 'number' || !Number.isInteger(asked) || !Number.isInteger(correct) || correct < 0 || correct > asked || asked > 100) return undefined;
  return Array.from({ length: asked }, (_, i) => ({ asked: true, correct: i < correct }));
}

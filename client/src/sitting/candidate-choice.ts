// The candidate picker's words (the new-sitting form, a sitting's change form, a practice attempt
// on the console): each candidate by what the centre tells two apart with, the name and the
// centre's candidate number, or the username where no number is given yet; the centre's name too
// when the list spans centres (an admin's). Never a phone's extension: that is an internal number.
import type { SittingCandidate } from '../../../server/protocol/assessment.js';

export interface CandidateChoice {
  userId: number;
  label: string;
}

/** The choices in the order shown: by their words, so two of the same name sit together. */
export function candidateChoices(candidates: readonly SittingCandidate[]): CandidateChoice[] {
  const severalCentres = new Set(candidates.map((c) => c.centreName)).size > 1;
  return candidates
    .map((c) => ({
      userId: c.userId,
      label: [c.displayName, c.candidateNumber ? `candidate number ${c.candidateNumber}` : `username ${c.username}`, severalCentres ? c.centreName : null].filter(Boolean).join(' · '),
    }))
    .sort((a, b) => a.label.localeCompare(b.label, 'en-GB'));
}

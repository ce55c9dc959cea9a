// What may be done to a sitting only before it starts (edit its candidate, assessor and planned
// time; cancel it), and the words for why not once it has started, ended or been cancelled.
import type { Sitting } from '../db/repositories/sittings.js';

export interface NotChangeable {
  code: 'sitting_started' | 'sitting_cancelled';
  message: string;
}

/** Null while the sitting is scheduled (not started, not cancelled); else the refusal, saying what to do instead. */
export function whyNotChangeable(sitting: Pick<Sitting, 'status'>, doing: 'changed' | 'cancelled'): NotChangeable | null {
  switch (sitting.status) {
    case 'scheduled':
      return null;
    case 'cancelled':
      return { code: 'sitting_cancelled', message: `This sitting was cancelled, so it cannot be ${doing}. Create a new sitting instead.` };
    case 'in-progress':
      return { code: 'sitting_started', message: `This sitting has started, so it can no longer be ${doing}. End it when the candidate has finished.` };
    case 'ended':
      return { code: 'sitting_started', message: `This sitting has ended, so it can no longer be ${doing}.` };
  }
}

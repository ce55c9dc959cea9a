// The centre's release rule applied to a sitting: what its candidate may see now.
import { candidateRelease, DEFAULT_RELEASE_RULE, type CandidateRelease } from '../assessment/release-rule.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';

export function releaseFor(repos: Repositories, sitting: Sitting): CandidateRelease {
  const rule = repos.centres.findById(sitting.centreId)?.releaseRule ?? DEFAULT_RELEASE_RULE;
  return candidateRelease(rule, sitting.resultState, sitting.resultOutcome);
}

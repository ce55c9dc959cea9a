// The scenarios staff may use, listed: the demo data set, the six shipped scenarios and the
// customised variants of the centres this user may see (assessors: their own centre's; admins and
// moderators: every centre's), plus the centre files that were left out and why. Only what
// identifies a scenario is listed: briefs, answer keys and rubrics stay on the server (candidates
// never see them; staff open one scenario at a time through scenario-edit-routes.ts).
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { attemptKey, centreScenarioIssues, parseAttemptKey, refreshCentreScenarios, scenarioCatalogue } from '../assessment/scenario-loader.js';
import { requireSession } from '../auth/access.js';
import type { ScenarioList, ScenarioListing } from '../protocol/scenarios.js';
import { canReadScenario } from '../auth/scenario-access.js';
import { registerZodRoutes } from './input.js';
import { scenarioList } from './scenario-responses.js';

export type { ScenarioListing };

export function registerScenarioRoutes(app: FastifyInstance): void {
  registerZodRoutes(app, (scope) => {
    scope.get('/api/scenarios', { config: { access: ['assessor', 'moderator', 'admin'] }, schema: { response: { 200: scenarioList } } }, async (request): Promise<ScenarioList> => {
    const me = requireSession(request).user;
    // A file edited by hand shows up (or shows its problems) the next time the list is opened.
    refreshCentreScenarios();
    const scenarios: ScenarioListing[] = [
      { key: 'demo', title: 'Demo data set (free practice, no brief)', direction: 'any', type: 'practice', scenarioKey: 'demo', builtIn: true, centreId: null },
      ...scenarioCatalogue()
        .filter((l) => canReadScenario(me, l.centreId))
        .map(({ scenario, centreId }) => ({
          key: attemptKey(scenario),
          title: scenario.title,
          direction: scenario.direction,
          type: scenario.type,
          scenarioKey: scenario.key,
          variant: scenario.variant,
          version: scenario.version,
          builtIn: centreId === undefined,
          centreId: centreId ?? null,
        })),
    ];
    const problems = centreScenarioIssues()
      .map((i) => {
        const key = path.basename(i.file).replace(/\.json$/, '');
        const parsed = parseAttemptKey(key);
        return { file: i.file, path: i.path, reason: i.message, key: parsed ? key : null, centreId: parsed?.centreId ?? null };
      })
      // A file whose name names no centre is shown to admins only (they look after the data folder).
      .filter((p) => (p.centreId === null ? me.role === 'admin' : canReadScenario(me, p.centreId)));
    return { scenarios, problems };
  });
  });
}

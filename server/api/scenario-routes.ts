// The scenarios a practice attempt can use, for staff. Only what identifies a scenario is listed:
// briefs, answer keys and rubrics stay on the server (candidates never see them).
import type { FastifyInstance } from 'fastify';
import { attemptKey, scenarioCatalogue } from '../assessment/scenario-loader.js';

export interface ScenarioListing {
  key: string;
  title: string;
  direction: string;
  type: string;
}

export function registerScenarioRoutes(app: FastifyInstance): void {
  app.get('/api/scenarios', { config: { access: ['assessor', 'moderator', 'admin'] } }, async () => {
    const listing: ScenarioListing[] = [
      { key: 'demo', title: 'Demo data set (free practice, no brief)', direction: 'any', type: 'practice' },
      ...scenarioCatalogue().map(({ scenario }) => ({
        key: attemptKey(scenario),
        title: scenario.title,
        direction: scenario.direction,
        type: scenario.type,
      })),
    ];
    return { scenarios: listing };
  });
}

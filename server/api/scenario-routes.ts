// The scenarios a practice attempt can use, for staff. Only what identifies a scenario is listed:
// briefs, answer keys and rubrics stay on the server (candidates never see them).
import type { FastifyInstance } from 'fastify';
import { loadScenariosOrThrow } from '../assessment/scenario-loader.js';

export interface ScenarioListing {
  key: string;
  title: string;
  direction: string;
  type: string;
}

export function registerScenarioRoutes(app: FastifyInstance): void {
  let listing: ScenarioListing[] | undefined;
  app.get('/api/scenarios', { config: { access: ['assessor', 'moderator', 'admin'] } }, async () => {
    listing ??= [
      { key: 'demo', title: 'Demo data set (free practice, no brief)', direction: 'any', type: 'practice' },
      ...loadScenariosOrThrow().map(({ scenario }) => ({
        key: scenario.variant === 'a' ? scenario.key : `${scenario.key}-${scenario.variant}`,
        title: scenario.title,
        direction: scenario.direction,
        type: scenario.type,
      })),
    ];
    return { scenarios: listing };
  });
}

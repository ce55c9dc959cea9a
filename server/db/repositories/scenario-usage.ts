// Whether a scenario (by its attempt key, e.g. "s1-c3-acme") has been used: by an attempt (its
// records and marks depend on that exact content) or named by a sitting (which will start one).
// A centre's variant in use is neither changed nor deleted. Read-only; a handful of rows.
import type { Db } from '../connection.js';

export interface ScenarioUsage {
  attempts: number;
  sittings: number;
}

export class ScenarioUsageRepository {
  constructor(private readonly db: Db) {}

  usage(scenarioKey: string): ScenarioUsage {
    const attempts = (this.db.prepare('SELECT COUNT(*) AS n FROM attempts WHERE scenario_key = ?').get(scenarioKey) as { n: number }).n;
    const sittings = (this.db.prepare('SELECT COUNT(DISTINCT sitting_id) AS n FROM sitting_assignments WHERE scenario_key = ?').get(scenarioKey) as { n: number }).n;
    return { attempts, sittings };
  }
}

// Centres and their settings (migration 11): the awarding-body centre number, the results release
// rule, re-takes allowed per assignment, the overrun policy and the enquiry/appeal window.
import type { CentreSettingsInput, OverrunPolicy, ReleaseRule } from '../../protocol/assurance.js';
import type { Db } from '../connection.js';

/** A centre's settings, as the admin sets them (server/protocol/assurance.ts). */
export type CentreSettings = CentreSettingsInput;

export interface Centre extends CentreSettings {
  id: number;
  name: string;
  isDemo: boolean;
  createdAt: number;
}

interface CentreRow {
  id: number;
  name: string;
  is_demo: number;
  created_at: number;
  centre_number: string | null;
  release_rule: ReleaseRule;
  max_retakes: number;
  overrun_policy: OverrunPolicy;
  appeal_window_days: number;
}

const toCentre = (r: CentreRow): Centre => ({
  id: r.id,
  name: r.name,
  isDemo: r.is_demo === 1,
  createdAt: r.created_at,
  centreNumber: r.centre_number,
  releaseRule: r.release_rule,
  maxRetakes: r.max_retakes,
  overrunPolicy: r.overrun_policy,
  appealWindowDays: r.appeal_window_days,
});

export class CentreRepository {
  constructor(private readonly db: Db) {}

  list(): Centre[] {
    return (this.db.prepare('SELECT * FROM centres ORDER BY name').all() as CentreRow[]).map(toCentre);
  }

  findById(id: number): Centre | undefined {
    const row = this.db.prepare('SELECT * FROM centres WHERE id = ?').get(id) as CentreRow | undefined;
    return row && toCentre(row);
  }

  findByName(name: string): Centre | undefined {
    const row = this.db.prepare('SELECT * FROM centres WHERE name = ?').get(name) as CentreRow | undefined;
    return row && toCentre(row);
  }

  findByCentreNumber(centreNumber: string): Centre | undefined {
    const row = this.db.prepare('SELECT * FROM centres WHERE centre_number = ?').get(centreNumber) as CentreRow | undefined;
    return row && toCentre(row);
  }

  create(input: { name: string; isDemo?: boolean }, now = Date.now()): Centre {
    const info = this.db
      .prepare('INSERT INTO centres (name, is_demo, created_at) VALUES (?, ?, ?)')
      .run(input.name, input.isDemo ? 1 : 0, now);
    return this.findById(Number(info.lastInsertRowid))!;
  }

  updateSettings(id: number, s: CentreSettings): Centre | undefined {
    this.db
      .prepare('UPDATE centres SET centre_number = @centreNumber, release_rule = @releaseRule, max_retakes = @maxRetakes, overrun_policy = @overrunPolicy, appeal_window_days = @appealWindowDays WHERE id = @id')
      .run({ id, ...s });
    return this.findById(id);
  }
}

import type { Db } from '../connection.js';

export interface Centre {
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
}

const toCentre = (r: CentreRow): Centre => ({ id: r.id, name: r.name, isDemo: r.is_demo === 1, createdAt: r.created_at });

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

  create(input: { name: string; isDemo?: boolean }, now = Date.now()): Centre {
    const info = this.db
      .prepare('INSERT INTO centres (name, is_demo, created_at) VALUES (?, ?, ?)')
      .run(input.name, input.isDemo ? 1 : 0, now);
    return { id: Number(info.lastInsertRowid), name: input.name, isDemo: Boolean(input.isDemo), createdAt: now };
  }
}

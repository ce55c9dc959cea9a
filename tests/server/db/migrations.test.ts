import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/db/connection.js';
import type { Migration } from '../../../server/db/migration.js';
import { migrate, migrations } from '../../../server/db/migrations.js';

describe('migrations', () => {
  it('applies every migration on an empty database and records it', () => {
    const db = openDatabase(':memory:');
    const result = migrate(db);
    expect(result.applied).toEqual(migrations.map((m) => m.version));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => (r as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(['centres', 'users', 'sessions', 'schema_migrations']));
  });

  it('is a no-op when run a second time', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    db.prepare("INSERT INTO centres (name, created_at) VALUES ('Kept', 1)").run();
    const again = migrate(db);
    expect(again.applied).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM centres').get()).toEqual({ n: 1 });
  });

  it('rolls back a failing migration completely and applies nothing of it', () => {
    const db = openDatabase(':memory:');
    const broken: Migration[] = [
      ...migrations,
      { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE half_done (id INTEGER); INSERT INTO no_such_table VALUES (1);' },
    ];
    expect(() => migrate(db, broken)).toThrow(/no such table/);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").all();
    expect(tables).toEqual([]);
    const versions = db.prepare('SELECT version FROM schema_migrations').all();
    expect(versions).toHaveLength(migrations.length);
  });

  it('refuses a numbering gap', () => {
    const db = openDatabase(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'gap', sql: '' }])).toThrow(/without gaps/);
  });

  it('opens file databases in WAL mode with foreign keys on', () => {
    const db = openDatabase(':memory:');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('enforces that candidates and assessors belong to a centre', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    expect(() =>
      db.prepare("INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) VALUES ('c', 'C', 'candidate', 'x', 1, 1)").run(),
    ).toThrow(/CHECK constraint/);
  });
});

describe('migration 12 (CRM forms)', () => {
  it('gives an attempt made before it the categories of its own cases as its vocabulary, labelled in words', async () => {
    const { createRepositories } = await import('../../../server/db/repositories/index.js');
    const db = openDatabase(':memory:');
    migrate(db, migrations.filter((m) => m.version < 12));
    const repos = createRepositories(db);
    const centre = repos.centres.create({ name: 'Northgate College' });
    const candidate = repos.users.create({ username: 'c1', displayName: 'C', role: 'candidate', centreId: centre.id, passwordHash: 'x' });
    const attempt = repos.attempts.create({ centreId: centre.id, candidateUserId: candidate.id, scenarioKey: 's3' }, 1);
    const customerId = repos.crm.insertCustomer(
      attempt.id,
      { accountNumber: 'BL100777', title: null, firstName: 'Tomasz', lastName: 'Nowak', dateOfBirth: null, addressLine1: '1 High St', addressLine2: null, town: 'Leeds', postcode: 'LS1 1AA', phone: '0113 496 0000', phoneNorm: '01134960000', mobile: null, mobileNorm: null, email: null, contactPreference: null, doNotCall: false },
      1,
    );
    for (const category of ['MISSED_APPOINTMENT', 'MISSED_APPOINTMENT', null, 'BILLING']) {
      repos.crm.insertCase(attempt.id, { customerId, type: 'complaint', category, priority: 'high', status: 'open', escalated: false, description: 'x', creditPence: null, origin: 'seed', createdAt: 1 });
    }
    expect(migrate(db).applied).toEqual(migrations.filter((m) => m.version >= 12).map((m) => m.version));
    expect(repos.crm.listCaseCategories(attempt.id)).toEqual([
      { code: 'BILLING', label: 'Billing' },
      { code: 'MISSED_APPOINTMENT', label: 'Missed appointment' },
    ]);
    expect(repos.crm.listMessages(attempt.id)).toEqual([]);
    expect(repos.crm.autoReply(attempt.id)).toEqual({ enabled: false, body: null, updatedAt: null });
  });
});

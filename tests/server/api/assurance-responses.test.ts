// The sitting, assurance, standardisation, centre-admin and call-detail routes send what their
// response schemas declare (server/api/assessment-responses.ts, assurance-responses.ts,
// telephony-responses.ts): a stored row's own fields stay behind, and a handler that returns more
// than its schema declares still sends only the declared fields, at every depth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let admin: Login;
beforeAll(async () => {
  t = await createTestApp();
  ({ admin } = await t.loginRoles('admin'));
});
afterAll(async () => {
  await t.close();
});

const keys = (o: object) => Object.keys(o).sort();

describe('response schemas of the centre admin', () => {
  it('changed centre settings are sent as the centre’s view: the stored row’s creation time stays behind', async () => {
    // The repository's centre has createdAt; the wire type (CentreView) does not, and the client never reads it.
    expect(t.repos.centres.findById(t.centreId)).toHaveProperty('createdAt');
    const res = await call(t, admin, 'PUT', `/api/centres/${t.centreId}/settings`, { centreNumber: null, releaseRule: 'moderated', maxRetakes: 1, overrunPolicy: 'warn', appealWindowDays: 30 });
    expect(res.statusCode, res.body).toBe(200);
    expect(keys(res.json<{ centre: object }>().centre)).toEqual(['appealWindowDays', 'centreNumber', 'id', 'isDemo', 'maxRetakes', 'name', 'overrunPolicy', 'releaseRule']);
  });
});

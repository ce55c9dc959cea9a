// The waveform peaks as JSON, the check of an uploaded moderation pack and /healthz send what their
// response schemas declare (server/api/moderation-responses.ts, health-routes.ts): a field they do
// not declare is not sent, at any depth, whatever the handler or the upload holds. The peaks as
// bytes are the file the route declares (config.sendsFile), sent as they are.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerZodRoutes } from '../../../server/api/input.js';
import { peaksJson } from '../../../server/api/moderation-responses.js';
import { MANIFEST } from '../../../server/moderation/pack-format.js';
import type { WorkerPoolHealth } from '../../../media/index.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

/** What the media plane reports, with fields /healthz does not declare at the top and on a worker. */
const mediaHealth = { workers: [{ index: 0, pid: 4242, routers: 1, alive: true, rtcPorts: '40000-40100' }], replacements: 0, internalQueue: 3 };
const MEDIA: WorkerPoolHealth = mediaHealth;

let t: TestApp;
let moderator: Login;
let admin: Login;
let callId: string;
beforeAll(async () => {
  t = await createTestApp({
    media: { health: () => MEDIA },
    metrics: { token: 'scraper-token' },
    // A route with the peaks' schema whose handler returns more than the schema declares, at every depth.
    beforeReady: (app) =>
      registerZodRoutes(app, (scope) => {
        scope.get('/api/test/peaks-with-extras', { config: { access: 'public' }, schema: { response: { 200: peaksJson } } }, async () => {
          const leaky = { callId: 'c', channels: 2, peaksPerSecond: 50, durationMs: 40, left: [1], right: [2], recordingPath: '/srv/recordings/c.ogg' };
          return leaky;
        });
      }),
  });
  ({ moderator, admin } = await t.loginRoles('moderator', 'admin'));
  callId = randomUUID();
  const file = path.join(t.dir, 'recordings', `${callId}.ogg`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'OggS fake');
  t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: t.clock.now() });
  t.repos.calls.update(callId, { state: 'ended', recordingPath: file, recordingStatus: 'complete' });
  t.repos.recordingAnalysis.saveDone({ callId, recordingSha256: 'ab'.repeat(32), analyserVersion: 1, analysedAt: 1, durationMs: 40, channels: 2, peaksPerSecond: 50, peaks: new Uint8Array([1, 2, 3, 4]), talkMs: [0, 0], silenceMs: 40, overtalkMs: 0, segments: [[], []] });
});
afterAll(async () => {
  await t.close();
});

const keys = (o: object) => Object.keys(o).sort();

describe('GET /api/calls/:id/peaks', () => {
  it('as JSON: exactly the fields of PeaksJson', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/calls/${callId}/peaks?format=json`, headers: { cookie: moderator.cookie } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ callId, channels: 2, peaksPerSecond: 50, durationMs: 40, left: [1, 3], right: [2, 4] });
  });

  it('a handler returning more than the peaks’ schema declares sends only what it declares', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/test/peaks-with-extras' });
    expect(res.statusCode, res.body).toBe(200);
    expect(keys(res.json<object>())).toEqual(['callId', 'channels', 'durationMs', 'left', 'peaksPerSecond', 'right']);
    expect(res.body).not.toContain('recordings');
  });

  it('as bytes: the file it declares, sent as it is', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/calls/${callId}/peaks`, headers: { cookie: moderator.cookie } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect([...res.rawPayload]).toEqual([1, 2, 3, 4]);
  });
});

/** A zip holding only a manifest: a pack of an empty scope, with `extra` merged into the manifest. */
function manifestOnlyPack(extra: Record<string, unknown>): Buffer {
  const zip = new AdmZip();
  const manifest = { format: 'callmark-moderation-pack', formatVersion: 1, packId: randomUUID(), createdAt: 1767258005500, createdBy: null, scope: { sittings: [], attempts: [] }, files: [], ...extra };
  zip.addFile(MANIFEST, Buffer.from(JSON.stringify(manifest)));
  return zip.toBuffer();
}
const verify = (zip: Buffer) =>
  t.app.inject({ method: 'POST', url: '/api/packs/verify', headers: { cookie: moderator.cookie, 'x-csrf-token': moderator.csrf, 'content-type': 'application/zip' }, payload: zip });

describe('POST /api/packs/verify', () => {
  it('sends the declared fields of the check, not what else the uploaded manifest holds', async () => {
    const res = await verify(
      manifestOnlyPack({ createdBy: { userId: 4, role: 'moderator', name: 'A moderator', password: 'in the upload' }, scope: { sittings: [], attempts: [], note: 'in the upload' } }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ manifest: { createdBy: object; scope: object } }>();
    expect(keys(body)).toEqual(['checked', 'issuedByThisServer', 'manifest', 'ok', 'problems', 'summary']);
    expect(keys(body.manifest)).toEqual(['createdAt', 'createdBy', 'packId', 'scope']);
    expect(keys(body.manifest.createdBy)).toEqual(['name', 'role', 'userId']);
    expect(keys(body.manifest.scope)).toEqual(['attempts', 'sittings']);
    expect(res.body).not.toContain('in the upload');
  });

  it('a manifest whose heading is not a pack’s (a creation time in words, a creator that is not one) is a problem of the pack, not a failure of the server', async () => {
    for (const heading of [{ createdAt: 'yesterday' }, { packId: 7 }, { createdBy: 'someone' }, { createdBy: { userId: '4', role: 'moderator', name: 'A' } }]) {
      const res = await verify(manifestOnlyPack(heading));
      expect(res.statusCode, `${JSON.stringify(heading)}: ${res.body}`).toBe(200);
      expect(res.json()).toMatchObject({ ok: false, problems: [{ file: MANIFEST }], issuedByThisServer: false });
      expect(res.json()).not.toHaveProperty('manifest');
    }
  });
});

describe('GET /healthz', () => {
  it('to anyone: the verdict and the number of workers, no details', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'ok', media: { workers: 1, alive: 1 } });
  });

  it('to an admin or the scraper: each worker, but only the fields the report declares', async () => {
    for (const headers of [{ cookie: admin.cookie }, { authorization: 'Bearer scraper-token' }]) {
      const res = await t.app.inject({ method: 'GET', url: '/healthz', headers });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ status: 'ok', database: 'ok', media: { workers: 1, alive: 1 }, details: { media: { workers: [{ index: 0, pid: 4242, routers: 1, alive: true }], replacements: 0 } } });
    }
  });

  it('degraded (503): the same declared fields', async () => {
    mediaHealth.workers[0]!.alive = false;
    try {
      const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { authorization: 'Bearer scraper-token' } });
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json()).toEqual({ status: 'degraded', database: 'ok', media: { workers: 1, alive: 0 }, details: { media: { workers: [{ index: 0, pid: 4242, routers: 1, alive: false }], replacements: 0 } } });
    } finally {
      mediaHealth.workers[0]!.alive = true;
    }
  });
});

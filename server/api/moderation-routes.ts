// Moderation API: what the moderation player and page need of a call and an attempt, and the packs.
//   GET  /api/calls/:id/peaks          [assessor (own centre), moderator, admin]  waveform peaks:
//        application/octet-stream (uint8 per channel per frame, interleaved L R L R …; headers
//        x-peaks-channels, x-peaks-per-second, x-duration-ms) or JSON with ?format=json
//   GET  /api/attempts/:id/metrics     [assessor (own centre), moderator, admin]  AttemptMetrics
//   GET  /api/attempts/:id/pack.zip    [moderator, admin]   moderation pack of one attempt
//   GET  /api/sittings/:id/pack.zip    [moderator, admin]   moderation pack of a sitting
//   POST /api/packs                    [moderator, admin]   { sittingIds?, attemptIds? } → pack of a sample
//   POST /api/packs/verify             [moderator, admin]   body = the zip (application/zip or
//        application/octet-stream), size-limited → PackVerification + whether this server issued it
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { attemptMetrics, METRICS_TIMELINE } from '../analysis/metrics.js';
import { requireSession } from '../auth/access.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { attemptCalls } from '../moderation/attempt-calls.js';
import type { PackManifest } from '../moderation/pack-format.js';
import { PackVerifierBusy, verifyPackInWorker } from '../moderation/pack-verify-thread.js';
import { buildModerationPack, PackScopeError, type MarkSheetRenderer, type PackScope } from '../moderation/pack.js';
import type { PeaksJson } from '../protocol/moderation.js';
import type { SessionUser } from '../protocol/roles.js';
import { idOf36Params, invalid, registerZodRoutes } from './input.js';
import { attemptOf, attemptParams, type AttemptScope } from './attempt-scope.js';
import { attemptMetrics as attemptMetricsSchema, packVerificationResult, peaksJson } from './moderation-responses.js';

export interface ModerationRouteOptions {
  repos: Repositories;
  clock: Clock;
  printoutsDir: string;
  /** Mark sheets in packs; without it packs say the mark sheet is missing. */
  markSheet?: MarkSheetRenderer;
  /** Largest pack accepted by POST /api/packs/verify (default 256 MiB). */
  verifyLimitBytes?: number;
}

const STAFF = { access: ['assessor', 'moderator', 'admin'] } as const;
const MODERATORS = { access: ['moderator', 'admin'] } as const;
const MAX_PACK_ITEMS = 500;

/** Builds a moderation pack and sends it as a download named `name`-<date>.zip. */
async function sendPack(opts: ModerationRouteOptions, reply: FastifyReply, user: SessionUser, scope: PackScope, name: string) {
  const { repos, clock } = opts;
  let built: { zip: Buffer; manifest: PackManifest };
  try {
    built = await buildModerationPack(
      { repos, printoutsDir: opts.printoutsDir, now: () => clock.now(), markSheet: opts.markSheet },
      scope,
      { userId: user.id, role: user.role, name: user.displayName },
    );
  } catch (err) {
    if (err instanceof PackScopeError) throw new HttpError(404, 'not_found', err.message);
    throw err;
  }
  return reply
    .type('application/zip')
    .header('content-disposition', `attachment; filename="${name}-${new Date(built.manifest.createdAt).toISOString().slice(0, 10)}.zip"`)
    .header('cache-control', 'no-store')
    .header('x-pack-id', built.manifest.packId)
    .send(built.zip);
}

export function registerModerationRoutes(app: FastifyInstance, opts: ModerationRouteOptions): void {
  const { repos } = opts;
  const verifyLimit = opts.verifyLimitBytes ?? 256 * 1024 * 1024;

  registerZodRoutes(app, (scope) => {
    scope.get(
      '/api/calls/:id/peaks',
      {
        // The peaks as JSON with ?format=json (its schema), otherwise as bytes (the file it sends).
        config: { ...STAFF, sendsFile: 'application/octet-stream' },
        schema: {
          params: idOf36Params,
          querystring: z.object({ format: z.enum(['json', 'binary'], { errorMap: () => ({ message: 'must be json or binary' }) }).optional() }).strict(),
          response: { 200: peaksJson },
        },
      },
      async (request, reply) => {
        const user = requireSession(request).user;
        const call = repos.calls.find(request.params.id.toLowerCase());
        // Same rule as the recording itself: assessors their centre's calls, moderators and admins all.
        const visible = call && (user.role !== 'assessor' || (call.centreId !== null && call.centreId === user.centreId));
        if (!call || !visible || !call.recordingPath) throw new HttpError(404, 'not_found', 'There is no such call with a recording.');
        const stored = repos.recordingAnalysis.find(call.id);
        if (stored?.status === 'failed') throw new HttpError(409, 'analysis_failed', `The recording could not be analysed: ${stored.error ?? 'unknown error'}`);
        const peaks = repos.recordingAnalysis.peaks(call.id);
        if (!peaks) throw new HttpError(409, 'not_analysed', 'The recording has not been analysed yet; try again in a minute.');
        reply.header('cache-control', 'private, no-cache');
        if (request.query.format === 'json') {
          const perChannel = Array.from({ length: peaks.channels }, (_, c) => Array.from(peaks.peaks.filter((_, i) => i % peaks.channels === c)));
          const body: PeaksJson = { callId: call.id, channels: peaks.channels, peaksPerSecond: peaks.peaksPerSecond, durationMs: peaks.durationMs, left: perChannel[0] ?? [], right: perChannel[1] ?? [] };
          return body;
        }
        // The bytes are the file this route declares (config.sendsFile): Fastify sends a buffer as it
        // is, never through the JSON schema, so the reply is used as the untyped one it is.
        const file: FastifyReply = reply;
        return file
          .type('application/octet-stream')
          .header('x-peaks-channels', String(peaks.channels))
          .header('x-peaks-per-second', String(peaks.peaksPerSecond))
          .header('x-duration-ms', String(peaks.durationMs))
          .send(peaks.peaks);
      },
    );

    // A pack is a zip file: its contents are listed in its own manifest (server/moderation/pack-format.ts), not in a JSON schema.
    scope.get('/api/sittings/:id/pack.zip', { config: { ...MODERATORS, sendsFile: 'application/zip' }, schema: { params: idOf36Params } }, async (request, reply) => {
      const user = requireSession(request).user;
      const sitting = repos.sittings.findById(request.params.id.toLowerCase());
      if (!sitting) throw new HttpError(404, 'not_found', 'There is no such sitting.');
      return sendPack(opts, reply, user, { sittingIds: [sitting.id] }, `moderation-pack-sitting-${sitting.id.slice(0, 8)}`);
    });

    const idList = z
      .array(z.string().regex(/^[0-9a-f-]{36}$/, 'must be an id of 36 lower-case hexadecimal digits and hyphens'))
      .max(MAX_PACK_ITEMS, `must name at most ${MAX_PACK_ITEMS}`)
      .refine((ids) => new Set(ids).size === ids.length, 'must not name the same one twice')
      .optional();
    scope.post(
      '/api/packs',
      { config: { ...MODERATORS, sendsFile: 'application/zip' }, schema: { body: z.object({ sittingIds: idList, attemptIds: idList }).strict() } },
      async (request, reply) => {
        const user = requireSession(request).user;
        const { sittingIds = [], attemptIds = [] } = request.body;
        if (sittingIds.length + attemptIds.length === 0) throw invalid('sittingIds', 'Name at least one sitting or attempt.');
        return sendPack(opts, reply, user, { sittingIds, attemptIds }, 'moderation-pack-sample');
      },
    );
  });

  // The upload is the zip itself; its parser lives in this encapsulated zod scope only.
  registerZodRoutes(app, (scope) => {
    scope.addContentTypeParser(['application/zip', 'application/octet-stream', 'application/x-zip-compressed'], { parseAs: 'buffer', bodyLimit: verifyLimit }, (_req, body, done) => done(null, body));
    scope.post<{ Body: Buffer }>(
      '/api/packs/verify',
      {
        config: MODERATORS,
        schema: { response: { 200: packVerificationResult } },
        bodyLimit: verifyLimit,
        onRequest: async (request) => {
          if (Number(request.headers['content-length'] ?? 0) > verifyLimit) throw new HttpError(413, 'body_too_large', `A pack to verify may be at most ${verifyLimit} bytes.`);
        },
      },
      async (request) => {
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) throw new HttpError(400, 'validation', 'Send the pack (a .zip file) as the request body, with Content-Type application/zip.');
        // Read, inflated and hashed in a worker thread with limits (a zip bomb gets a 400, and the
        // server keeps answering meanwhile).
        let outcome;
        try {
          outcome = await verifyPackInWorker(body);
        } catch (err) {
          if (!(err instanceof PackVerifierBusy)) throw err;
          throw new HttpError(503, 'busy', `The pack could not be checked now: ${err.message}.`);
        }
        if (outcome.kind === 'not-a-zip') throw new HttpError(400, 'not_a_zip', 'The upload is not a readable zip file.');
        if (outcome.kind === 'limit') throw new HttpError(400, 'pack_refused', `The upload was refused: ${outcome.message}`);
        if (outcome.kind === 'unreadable') throw new HttpError(400, 'pack_refused', `The pack could not be checked: ${outcome.message}`);
        const result = outcome.verification;
        // Whether this server exported exactly this manifest (it audits every export with its hash).
        const sha = outcome.manifestSha256;
        let issuedHere = false;
        if (sha && result.manifest) {
          const subjects = [...result.manifest.scope.sittings.map((id) => ['sitting', id] as const), ...result.manifest.scope.attempts.map((id) => ['attempt', id] as const)];
          issuedHere = subjects.slice(0, MAX_PACK_ITEMS).some(([type, id]) =>
            repos.auditLog.forSubject(type, id, 'moderation-pack-exported').some((e) => (e.after as { manifestSha256?: string } | null)?.manifestSha256 === sha),
          );
        }
        return { ...result, issuedByThisServer: issuedHere };
      },
    );
  });
}

/** The metrics and the pack of one attempt, registered in the attempt scope (attempt-scope.ts), under /api/attempts/:id. */
export function registerModerationAttemptRoutes(scope: AttemptScope, opts: ModerationRouteOptions): void {
  const { repos, clock } = opts;

  scope.get(
    '/metrics',
    { config: { ...STAFF, attempt: { use: 'supervise' } }, schema: { params: attemptParams, response: { 200: attemptMetricsSchema } } },
    async (request) => {
      const attempt = attemptOf(request);
      const calls = attemptCalls(repos, attempt).map((call) => ({ call, events: repos.calls.events(call.id), analysis: repos.recordingAnalysis.find(call.id), candidateLeg: repos.calls.candidateLeg(call) }));
      return attemptMetrics(attempt.id, calls, repos.attemptEvents.list(attempt.id, METRICS_TIMELINE), clock.now());
    },
  );

  // The pack is a zip file: its contents are listed in its own manifest (server/moderation/pack-format.ts), not in a JSON schema.
  scope.get('/pack.zip', { config: { ...MODERATORS, attempt: { use: 'supervise' }, sendsFile: 'application/zip' }, schema: { params: attemptParams } }, async (request, reply) => {
    const user = requireSession(request).user;
    const attempt = attemptOf(request);
    return sendPack(opts, reply, user, { attemptIds: [attempt.id] }, `moderation-pack-attempt-${attempt.id.slice(0, 8)}`);
  });
}

// Customising scenarios (the Assessment requirement "clone one and customise it to the centre's
// own company, products and data, with precise errors for an invalid scenario"):
//   GET    /api/scenarios/:key        the file's text for staff (briefs and answer key: never candidates)
//   POST   /api/scenarios/:key/clone  { variant, title, centreId? } → a new centre variant, version 1
//   PUT    /api/scenarios/:key        the whole scenario (JSON, or its text as text/plain) → 200, or
//                                      400 { issues: [{ file, path, reason }] } with nothing written
//   DELETE /api/scenarios/:key        a centre variant no attempt or sitting uses
// A centre variant is a file <data dir>/scenarios/<key>-c<centre>-<name>.json, checked by the same
// schema and cross-checks as the shipped six (scenario-loader.ts), so it can be edited by hand as
// well; the catalogue is re-read after every write here, and when a hand edit is noticed.
// The shipped six are read-only. A variant an attempt has used is frozen too: the attempt's marking
// reads the scenario, so changing it would change the rules after the fact (clone it instead).
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  attemptKey,
  builtInScenarios,
  centreFileLabel,
  centreNamingIssues,
  centreScenariosDir,
  defaultScenariosDir,
  parseAttemptKey,
  parseScenario,
  parseScenarioText,
  refreshCentreScenarios,
  reloadCentreScenarios,
  scenarioCatalogue,
  useCentreScenarios,
  type ScenarioIssue,
} from '../assessment/scenario-loader.js';
import type { ScenarioKey } from '../assessment/scenario-schema.js';
import { deleteCentreScenarioFile, readCentreScenarioText, scenarioFileText, writeCentreScenarioText } from '../assessment/centre-scenario-files.js';
import { requireSession } from '../auth/access.js';
import { canEditScenario, canReadScenario } from '../auth/scenario-access.js';
import type { Clock } from '../clock.js';
import { canonicalJson } from '../hash-chain.js';
import type { Repositories } from '../db/repositories/index.js';
import { ScenarioUsageRepository } from '../db/repositories/scenario-usage.js';
import { HttpError } from '../http/errors.js';
import type { SessionUser } from '../protocol/roles.js';
import type { ScenarioDocument, ScenarioIssueView, ScenarioRefusal } from '../protocol/scenarios.js';
import { assertJsonDepth } from '../http/json-depth.js';
import { invalid, parseInput, registerZodRoutes } from './input.js';
import { scenarioBadRequest, scenarioDocument } from './scenario-responses.js';
import { auditActor } from '../db/repositories/audit-log.js';

const READERS = { access: ['assessor', 'moderator', 'admin'] } as const;
const EDITORS = { access: ['assessor', 'admin'] } as const;
const keyParams = z.object({ key: z.string().max(80, 'must be at most 80 characters') });

const cloneSchema = z
  .object({
    /** The new variant's name; the server puts c<centre id>- in front unless it is there already. */
    variant: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$/, 'must be 1 to 41 letters, digits, - or _, starting with a letter or digit, e.g. acme'),
    title: z.string().trim().min(1).max(200),
    /** Admins without a centre say which centre the copy is for; assessors get their own. */
    centreId: z.number().int().positive().optional(),
  })
  .strict();

type Json = Record<string, unknown>;

const notFound = (key: string) => new HttpError(404, 'not_found', `There is no scenario "${key}".`);
const view = (i: ScenarioIssue): ScenarioIssueView => ({ file: i.file, path: i.path, reason: i.message });
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const jsonOrUndefined = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** Where a scenario lives and who owns it. */
interface Located {
  key: string;
  scenarioKey: ScenarioKey;
  variant: string;
  centreId: number | undefined;
  file: string;
  text: string;
}

export function registerScenarioEditRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock; dir: string | undefined }): void {
  const { repos, clock } = opts;
  const usage = new ScenarioUsageRepository(repos.db);

  if (opts.dir && path.resolve(opts.dir) === path.resolve(defaultScenariosDir())) {
    // The shipped folder is not a centre folder (a database kept in the repository's root would point here).
    app.log.warn({ dir: opts.dir }, 'centre scenarios not enabled: their folder would be the shipped scenarios folder');
  } else if (opts.dir) {
    // Read the centres' files now; a bad one is skipped with its reasons in the log, never fatal.
    const used = useCentreScenarios(opts.dir);
    for (const i of used.issues) app.log.warn({ file: i.file, path: i.path, reason: i.message }, `scenario file skipped: ${i.file}${i.path ? `: ${i.path}` : ''}: ${i.message}`);
    app.addHook('onClose', async () => used.release());
  }

  const dirOrFail = (): string => {
    const dir = centreScenariosDir();
    if (!dir) throw new HttpError(409, 'no_scenario_folder', 'This server has no data folder for customised scenarios.');
    return dir;
  };

  /** The scenario this user may read, or the 404 of an unknown key. */
  const locate = (me: SessionUser, key: string): Located => {
    const parsed = parseAttemptKey(key);
    if (!parsed || !canReadScenario(me, parsed.centreId)) throw notFound(key);
    if (parsed.centreId === undefined) {
      const shipped = builtInScenarios().find((l) => attemptKey(l.scenario) === key);
      if (!shipped?.sourcePath) throw notFound(key);
      return { key, scenarioKey: parsed.key, variant: parsed.variant, centreId: undefined, file: shipped.file, text: fs.readFileSync(shipped.sourcePath, 'utf8') };
    }
    const dir = centreScenariosDir();
    const text = dir === undefined ? undefined : readCentreScenarioText(dir, key);
    if (dir === undefined || text === undefined) throw notFound(key);
    return { key, scenarioKey: parsed.key, variant: parsed.variant, centreId: parsed.centreId, file: centreFileLabel(dir, `${key}.json`), text };
  };

  /** Every problem of a stored or proposed centre file: schema, cross-checks, naming. */
  const centreIssues = (raw: unknown, at: Located): ScenarioIssue[] => {
    const parsed = parseScenario(raw, at.file);
    if (!parsed.ok) return parsed.issues;
    return centreNamingIssues(parsed.scenario, `${at.key}.json`, at.file, builtInScenarios());
  };

  const documentOf = (me: SessionUser, at: Located): ScenarioDocument => {
    const raw = jsonOrUndefined(at.text);
    let issues: ScenarioIssue[] = [];
    if (at.centreId !== undefined) {
      const parsed = parseScenarioText(at.text, at.file);
      issues = parsed.ok ? centreNamingIssues(parsed.scenario, `${at.key}.json`, at.file, builtInScenarios()) : parsed.issues;
    }
    const used = usage.usage(at.key);
    return {
      key: at.key,
      scenarioKey: at.scenarioKey,
      variant: at.variant,
      version: isObject(raw) && typeof raw.version === 'number' ? raw.version : null,
      title: isObject(raw) && typeof raw.title === 'string' ? raw.title : null,
      file: at.file,
      builtIn: at.centreId === undefined,
      centreId: at.centreId ?? null,
      editable: canEditScenario(me, at.centreId) && used.attempts === 0,
      usage: used,
      text: at.text,
      issues: issues.map(view),
    };
  };

  const refuse = (issues: ScenarioIssue[]): ScenarioRefusal => ({
    error: 'invalid_scenario',
    message: `The scenario was not saved: ${issues.length} problem${issues.length === 1 ? '' : 's'} (file · path · reason).`,
    issues: issues.map(view),
  });

  const audit = (me: SessionUser, centreId: number, action: string, key: string, before: unknown, after: unknown, now: number) =>
    repos.transaction(() => repos.auditLog.append({ at: now, actor: auditActor(me), centreId, action, subjectType: 'scenario', subjectId: key, before, after }));

  /** A centre variant this user may change, not frozen by an attempt. */
  const editable = (me: SessionUser, key: string, doing: string): Located => {
    const at = locate(me, key);
    if (at.centreId === undefined) throw new HttpError(403, 'read_only', `${key.toUpperCase()} is one of the shipped scenarios and cannot be ${doing}; clone it to make your centre's own copy.`);
    if (!canEditScenario(me, at.centreId)) throw new HttpError(403, 'read_only', `Only the centre's assessors and admins can change ${key}.`);
    const used = usage.usage(key);
    if (used.attempts > 0) {
      throw new HttpError(409, 'scenario_in_use', `${key} has been used by ${used.attempts} attempt${used.attempts === 1 ? '' : 's'}; their marking depends on it, so it cannot be ${doing}. Clone it to make a changed copy.`);
    }
    return at;
  };

  registerZodRoutes(app, (scope) => {
    scope.get('/api/scenarios/:key', { config: READERS, schema: { params: keyParams, response: { 200: scenarioDocument } } }, async (request) => {
      const me = requireSession(request).user;
      refreshCentreScenarios();
      return documentOf(me, locate(me, request.params.key));
    });

    scope.post('/api/scenarios/:key/clone', { config: EDITORS, schema: { params: keyParams, response: { 201: scenarioDocument, 400: scenarioBadRequest } } }, async (request, reply) => {
      const me = requireSession(request).user;
      const source = locate(me, request.params.key);
      const input = parseInput(cloneSchema, request.body);
      // Assessors copy into their own centre; an admin into the one named (or their own).
      let centreId: number | null | undefined = me.role === 'admin' ? (input.centreId ?? me.centreId) : me.centreId;
      if (me.role !== 'admin' && input.centreId !== undefined && input.centreId !== me.centreId) centreId = undefined;
      if (centreId === null) throw invalid('centreId', 'Say which centre the copy is for (centreId).');
      if (centreId === undefined || !repos.centres.findById(centreId)) throw invalid('centreId', 'There is no such centre among yours.');
      const prefix = `c${centreId}-`;
      const variant = input.variant.startsWith(prefix) ? input.variant : `${prefix}${input.variant}`;
      const key = attemptKey({ key: source.scenarioKey, variant });
      if (!parseAttemptKey(key) || variant.length > 64) throw invalid('variant', `The variant "${variant}" is too long (at most 64 characters).`);
      const dir = dirOrFail();
      if (readCentreScenarioText(dir, key) !== undefined || scenarioCatalogue().some((l) => attemptKey(l.scenario) === key)) {
        throw new HttpError(409, 'scenario_exists', `There is already a scenario ${key}; choose another variant name.`, 'variant');
      }
      const raw = jsonOrUndefined(source.text);
      if (!isObject(raw)) throw new HttpError(409, 'invalid_source', `${source.file} is not valid JSON; fix it before cloning it.`);
      // The copy keeps the source's text (not the parsed form with its defaults filled in).
      const copy: Json = { ...raw, variant, version: 1, title: input.title };
      const target: Located = { key, scenarioKey: source.scenarioKey, variant, centreId, file: centreFileLabel(dir, `${key}.json`), text: scenarioFileText(copy) };
      const issues = centreIssues(copy, target);
      if (issues.length > 0) return reply.status(400).send(refuse(issues));
      writeCentreScenarioText(dir, key, target.text);
      reloadCentreScenarios();
      audit(me, centreId, 'scenario-created', key, null, { key, from: source.key, version: 1, title: input.title }, clock.now());
      request.log.info({ by: me.id, key, from: source.key }, 'scenario cloned');
      return reply.status(201).send(documentOf(me, target));
    });

    scope.put('/api/scenarios/:key', { config: EDITORS, schema: { params: keyParams, response: { 200: scenarioDocument, 400: scenarioBadRequest } } }, async (request, reply) => {
      const me = requireSession(request).user;
      const at = editable(me, request.params.key, 'changed');
      const centreId = at.centreId!;
      // The editor sends the text as it stands (text/plain), so a JSON mistake is placed by line
      // and column; a JSON body is the scenario itself.
      let raw: unknown;
      if (typeof request.body === 'string') {
        raw = jsonOrUndefined(request.body);
        assertJsonDepth(raw);
        if (raw === undefined) {
          const r = parseScenarioText(request.body, at.file);
          return reply.status(400).send(refuse(r.ok ? [] : r.issues));
        }
      } else raw = request.body;
      if (!isObject(raw)) return reply.status(400).send(refuse([{ file: at.file, path: '', message: 'must be a JSON object (the whole scenario)' }]));

      const stored = jsonOrUndefined(at.text);
      const storedVersion = isObject(stored) && typeof stored.version === 'number' ? stored.version : 0;
      const sameContent = isObject(stored) && canonicalJson({ ...stored, version: 0 }) === canonicalJson({ ...raw, version: 0 });
      // Every saved change gets a higher version (attempts record the version they used).
      if (!sameContent && typeof raw.version === 'number' && Number.isInteger(raw.version) && raw.version <= storedVersion) raw = { ...raw, version: storedVersion + 1 };
      const proposed = raw as Json;
      const issues: ScenarioIssue[] = [];
      if (proposed.key !== at.scenarioKey) issues.push({ file: at.file, path: 'key', message: `must stay "${at.scenarioKey}" in ${at.key}.json; clone a scenario of the other assignment instead` });
      if (proposed.variant !== at.variant) issues.push({ file: at.file, path: 'variant', message: `must stay "${at.variant}" in ${at.key}.json; clone it to make another variant` });
      if (issues.length === 0) issues.push(...centreIssues(proposed, at));
      else {
        const parsed = parseScenario(proposed, at.file);
        if (!parsed.ok) issues.push(...parsed.issues);
      }
      if (issues.length > 0) return reply.status(400).send(refuse(issues));
      if (sameContent && proposed.version === storedVersion) return documentOf(me, at);

      const text = scenarioFileText(proposed);
      writeCentreScenarioText(dirOrFail(), at.key, text);
      reloadCentreScenarios();
      audit(me, centreId, 'scenario-changed', at.key, { version: storedVersion }, { version: proposed.version, title: proposed.title }, clock.now());
      request.log.info({ by: me.id, key: at.key, version: proposed.version }, 'scenario changed');
      return documentOf(me, { ...at, text });
    });

    scope.delete('/api/scenarios/:key', { config: EDITORS, schema: { params: keyParams, response: { 204: z.undefined() } } }, async (request, reply) => {
      const me = requireSession(request).user;
      const at = editable(me, request.params.key, 'deleted');
      const used = usage.usage(at.key);
      if (used.sittings > 0) throw new HttpError(409, 'scenario_in_use', `${at.key} is an assignment of ${used.sittings} sitting${used.sittings === 1 ? '' : 's'}; it cannot be deleted.`);
      const stored = jsonOrUndefined(at.text);
      deleteCentreScenarioFile(dirOrFail(), at.key);
      reloadCentreScenarios();
      audit(me, at.centreId!, 'scenario-deleted', at.key, { version: isObject(stored) ? (stored.version ?? null) : null }, null, clock.now());
      request.log.info({ by: me.id, key: at.key }, 'scenario deleted');
      return reply.status(204).send();
    });
  });
}

// Known-answer vectors for the attempt-event hash chain (chain v1, FROZEN: packs already handed
// to moderators are verified with it, and migration 7 backfilled rows with it).
//
// The expected digests were NOT computed by the code under test. Each canonical text below was
// written out by hand (keys sorted by UTF-16 code unit, no white space) and hashed with coreutils:
//
//   printf '%s' 'callmark-chain-v1:attempt_events
//   <prev hash>
//   <canonical JSON>' | sha256sum
//
// So dropping, renaming or reordering a hashed field, changing the domain tag or the separators,
// or sorting keys another way makes these tests fail. An event with a field added later (e.g. a
// "source") must still hash exactly like this when the field is absent.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/connection.js';
import { migrate } from '../../server/db/migrations.js';
import { createRepositories } from '../../server/db/repositories/index.js';
import { RECORDING_FINALISED, recordingClientId } from '../../server/moderation/recording-chain.js';
import { attemptEventHash, canonicalJson, chainHash, GENESIS_HASH, legacySource, RECORDING_CLIENT_ID_PREFIX, sha256Hex, verifyChain, type AttemptEventContent } from '../../server/hash-chain.js';

const ATTEMPT = '6f1c2a4e-0b7d-4c3e-9a51-2d8e4f6a7b90';
const CALL = '9b2f7d10-3c4e-4a5b-8c6d-7e8f90a1b2c3';
/** sha256sum of the 4 bytes "OggS" (printf 'OggS' | sha256sum). */
const RECORDING_SHA256 = '68d9ed2adb24458ff173db06b41b9d1b6e228764c457030d63fad11b02bfae1e';

/** Three events as the desktop and the recorder store them, with the digest each must have. */
const VECTORS: Array<{ event: AttemptEventContent; canonical: string; hash: string }> = [
  {
    event: {
      attemptId: ATTEMPT,
      seq: 1,
      clientId: 'c1d2e3f4-0000-4000-8000-000000000001',
      at: 1767607200000,
      clientAt: 1767607199990,
      callId: null,
      offsetMs: null,
      type: 'screen-pop',
      // Non-ASCII text (UTF-8 in the hash), a capitalised key (sorts before lower case), a nested object, a fraction.
      payload: { callerNumber: '01134960412', customer: { name: 'Zoë Hughes', balance: '£12.50' }, matchScore: 0.5, CLI: 'withheld' },
    },
    canonical:
      `{"at":1767607200000,"attemptId":"${ATTEMPT}","callId":null,"clientAt":1767607199990,"clientId":"c1d2e3f4-0000-4000-8000-000000000001","offsetMs":null,` +
      '"payload":{"CLI":"withheld","callerNumber":"01134960412","customer":{"balance":"£12.50","name":"Zoë Hughes"},"matchScore":0.5},"seq":1,"type":"screen-pop"}',
    hash: '97c83e16f05d8fb0e57db193ec0ea87e659ba766286d035c43aa3cf2aedc39cc',
  },
  {
    event: {
      attemptId: ATTEMPT,
      seq: 2,
      clientId: 'c1d2e3f4-0000-4000-8000-000000000002',
      at: 1767607203500,
      clientAt: 1767607203490,
      callId: CALL,
      offsetMs: 500,
      type: 'field-changed',
      payload: { field: 'town', old: 'York', new: 'Leeds' },
    },
    canonical: `{"at":1767607203500,"attemptId":"${ATTEMPT}","callId":"${CALL}","clientAt":1767607203490,"clientId":"c1d2e3f4-0000-4000-8000-000000000002","offsetMs":500,"payload":{"field":"town","new":"Leeds","old":"York"},"seq":2,"type":"field-changed"}`,
    hash: 'd28edb66afbf45707fc2ff2655d06d59a9d7dd7ce0c4e20a9c3128c4a45929e2',
  },
  {
    // The server's own entry when a recording is finalised: no client clock.
    event: {
      attemptId: ATTEMPT,
      seq: 3,
      clientId: `recording:${CALL}`,
      at: 1767607210000,
      clientAt: null,
      callId: CALL,
      offsetMs: 7000,
      type: 'recording-finalised',
      payload: { callId: CALL, file: `${CALL}.ogg`, sha256: RECORDING_SHA256, bytes: 4, durationMs: 2000, status: 'complete' },
    },
    canonical: `{"at":1767607210000,"attemptId":"${ATTEMPT}","callId":"${CALL}","clientAt":null,"clientId":"recording:${CALL}","offsetMs":7000,"payload":{"bytes":4,"callId":"${CALL}","durationMs":2000,"file":"${CALL}.ogg","sha256":"${RECORDING_SHA256}","status":"complete"},"seq":3,"type":"recording-finalised"}`,
    hash: '7eda71fdb24bf7cda41afca72731fbc84446185504867a20a5fa596da3f6212e',
  },
];

const prevOf = (i: number): string => (i === 0 ? GENESIS_HASH : VECTORS[i - 1]!.hash);

describe('attempt-event chain v1: known answers', () => {
  it('the genesis is 64 zeros and SHA-256 is the FIPS 180-2 one', () => {
    expect(GENESIS_HASH).toBe('0000000000000000000000000000000000000000000000000000000000000000');
    // FIPS 180-2 appendix B.1, and the empty string (printf '' | sha256sum).
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(Buffer.alloc(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(Buffer.from('OggS'))).toBe(RECORDING_SHA256);
  });

  VECTORS.forEach((v, i) => {
    it(`event ${v.event.seq} (${v.event.type}) hashes to ${v.hash.slice(0, 12)}…`, () => {
      expect(canonicalJson({ ...v.event })).toBe(v.canonical);
      expect(attemptEventHash(prevOf(i), v.event)).toBe(v.hash);
      expect(chainHash('attempt_events', prevOf(i), v.event)).toBe(v.hash);
    });
  });

  it('the vectors form an intact chain, and an edit anywhere breaks it', () => {
    const chain = VECTORS.map((v, i) => ({ ...v.event, prevHash: prevOf(i), hash: v.hash }));
    expect(verifyChain(chain, (prev, e) => attemptEventHash(prev, e), (e) => `event ${e.seq}`)).toBeUndefined();
    const edited = chain.map((e) => (e.seq === 2 ? { ...e, clientAt: 1767607203491 } : e));
    expect(verifyChain(edited, (prev, e) => attemptEventHash(prev, e), (e) => `event ${e.seq}`)).toMatchObject({ index: 1 });
  });

  it('fields the hash does not cover (row id, the stored hashes, unknown extras) change nothing', () => {
    const withExtras = { ...VECTORS[1]!.event, id: 42, prevHash: 'x', hash: 'y' } as AttemptEventContent;
    expect(attemptEventHash(prevOf(1), withExtras)).toBe(VECTORS[1]!.hash);
  });
});

/**
 * Rows stored since sources were kept (migration 10) hash their source too: the same canonical
 * text with `"source":…` in its sorted place (between "seq" and "type"), hashed with coreutils as
 * above. Each prev hash is the row before's.
 */
const STORED: Array<{ source: 'server' | 'browser'; hash: string }> = [
  { source: 'browser', hash: '3761fa303feaa7186c77c6c85aca48d86fc8fb7672217cb9b40ab664f0129e04' },
  { source: 'server', hash: '4d6c6bdfb5a001297db99d4ed2a0a9254d4b75a4e7f60ce956fd7dfebbb75195' },
  { source: 'server', hash: '0e4e73c232e207a256b45f9777b8198ccbe3e54cea90397a644ed847ec623ae6' },
];

describe('attempt_events rows store the known-answer hashes', () => {
  const dbs: Db[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
  });

  it('appending the three events through the repository, each with its source, gives exactly the known hashes', () => {
    const db = openDatabase(':memory:');
    dbs.push(db);
    migrate(db);
    const repos = createRepositories(db);
    const centreId = repos.centres.create({ name: 'C' }).id;
    const candidate = repos.users.create({ username: 'c', displayName: 'C', role: 'candidate', centreId, passwordHash: 'x' }).id;
    repos.attempts.create({ id: ATTEMPT, centreId, candidateUserId: candidate, scenarioKey: 'demo' }, 1767607100000);
    repos.calls.create({ id: CALL, centreId, callerUserId: null, calleeUserId: candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: candidate, invitedAt: 1767607201000 });
    VECTORS.forEach((v, i) => {
      const { attemptId, seq, clientId, at, clientAt, callId, offsetMs, type, payload } = v.event;
      const { event } = repos.attemptEvents.append(attemptId, clientId, { at, clientAt, callId, offsetMs, type, payload: payload as Record<string, unknown>, source: STORED[i]!.source });
      expect(event.seq).toBe(seq);
    });
    const prevStored = (i: number): string => (i === 0 ? GENESIS_HASH : STORED[i - 1]!.hash);
    expect(repos.attemptEvents.list(ATTEMPT).map((e) => [e.prevHash, e.hash])).toEqual(STORED.map((v, i) => [prevStored(i), v.hash]));
  });

  it('the same content without a source (as stored before migration 10) still hashes to the v1 vectors', () => {
    VECTORS.forEach((v, i) => expect(attemptEventHash(prevOf(i), { ...v.event, source: STORED[i]!.source, sourceInChain: false })).toBe(v.hash));
  });
});

describe('canonicalJson, the text every chain hash is taken over', () => {
  it('sorts keys at every level, keeps array order, drops undefined members and writes undefined as null', () => {
    expect(canonicalJson({ b: [3, { d: 1, c: [true, null] }], a: 'x', u: undefined })).toBe('{"a":"x","b":[3,{"c":[true,null],"d":1}]}');
    expect(canonicalJson([undefined, 'a', 2])).toBe('[null,"a",2]');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson('caf\u00e9 "q"')).toBe('"caf\u00e9 \\"q\\""');
  });

  it('refuses numbers JSON cannot hold, naming the rule', () => {
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => canonicalJson({ at: n })).toThrow('canonicalJson: numbers must be finite');
    }
    expect(canonicalJson(-0.5)).toBe('-0.5');
  });
});

describe('legacySource: where an entry stored before sources came from', () => {
  it("is the server only for a 'recording-finalised' entry with a recording client id", () => {
    expect(legacySource({ type: 'recording-finalised', clientId: `${RECORDING_CLIENT_ID_PREFIX}call-1` })).toBe('server');
    expect(legacySource({ type: 'recording-finalised', clientId: '7f1c0b7e-0000-4000-8000-000000000001' })).toBe('browser');
    expect(legacySource({ type: 'field-changed', clientId: `${RECORDING_CLIENT_ID_PREFIX}call-1` })).toBe('browser');
    expect(legacySource({ type: 'field-changed', clientId: '7f1c0b7e-0000-4000-8000-000000000001' })).toBe('browser');
    // The id the recording chain gives its entries is the one legacySource recognises.
    expect(recordingClientId('call-1')).toBe('recording:call-1');
    expect(legacySource({ type: RECORDING_FINALISED, clientId: recordingClientId('call-1') })).toBe('server');
  });
});

// The attempt's final CRM state against the scenario's answer key, for the moderator: every
// expected customer field (the answer key's expected changes, its planted errors, and the fields its
// field-accuracy checks compare) with the expected value, the value the record ended with, and
// match/mismatch by the same normalising comparison the automatic marking uses (field-compare.ts),
// so a mistyped postcode shows here exactly as the suggestion saw it. Plus the expected follow-ups
// against the messages the candidate sent.
import { compareField, showValue } from '../../assessment/field-compare.js';
import { CUSTOMER_FIELD_KINDS, finalCustomerValue, toRulesAnswerKey } from '../../assessment/scenario-adapters.js';
import type { EditableCustomerField, Scenario } from '../../assessment/scenario-schema.js';
import { normaliseUkPhone } from '../../crm/validation.js';
import type { Message } from '../../db/repositories/crm.js';
import type { Repositories } from '../../db/repositories/index.js';
import { channelWords } from '../../protocol/words.js';
import type { FieldCheck, FinalStateView, FollowUpCheck } from '../../protocol/moderation.js';

const isCustomerField = (f: string): f is EditableCustomerField => f in CUSTOMER_FIELD_KINDS;

/** (account, field) pairs the key has an opinion on, in a stable order: key changes first. */
function expectedFields(s: Scenario): Array<{ accountNumber: string; field: EditableCustomerField }> {
  const seen = new Set<string>();
  const out: Array<{ accountNumber: string; field: EditableCustomerField }> = [];
  const add = (accountNumber: string, field: string) => {
    const id = `${accountNumber}/${field}`;
    if (seen.has(id) || !isCustomerField(field)) return;
    seen.add(id);
    out.push({ accountNumber, field });
  };
  // An expected customer holds its account number (no customer field: skipped by add) and the
  // fields the key expects; the parsed key has no keys for fields it leaves alone.
  for (const c of s.answerKey.customers) for (const f of Object.keys(c)) add(c.accountNumber, f);
  for (const p of s.answerKey.plantedErrors) add(p.accountNumber, p.field);
  for (const a of s.autoChecks) if (a.kind === 'field-accuracy') for (const f of a.fields) add(a.accountNumber, f);
  return out;
}

const address = (channel: string, to: string): string => (channel === 'sms' ? (normaliseUkPhone(to) ?? to.replace(/\s+/g, '')) : to.trim().toLowerCase());
const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const x = [...new Set(a.map((v) => v.trim().toLowerCase()))].sort();
  const y = [...new Set(b.map((v) => v.trim().toLowerCase()))].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

function followUpChecks(s: Scenario, sent: readonly Message[]): FollowUpCheck[] {
  const used = new Set<number>();
  return toRulesAnswerKey(s).followUps!.map((f): FollowUpCheck => {
    const expectedCc = [...(f.cc ?? [])];
    const sameChannel = sent.filter((m) => m.channel === f.channel);
    const toRight = sameChannel.filter((m) => address(f.channel, m.to) === address(f.channel, f.to));
    // A message answers one follow-up only: two expected e-mails to the same customer need two.
    const unused = toRight.filter((m) => !used.has(m.id));
    const exact = unused.find((m) => f.channel !== 'email' || sameSet(m.cc, expectedCc));
    // The follow-up by its template's name and channel ("\"Home move confirmation\" e-mail"), as the marking evidence names it.
    const base = { label: f.label ?? channelWords(f.channel), channel: f.channel, expectedTo: f.to, expectedCc };
    if (exact) {
      used.add(exact.id);
      return { ...base, messageId: exact.id, sentTo: exact.to, match: true, problem: null };
    }
    const kind = f.channel === 'email' ? 'e-mail' : 'SMS';
    const near = unused[0] ?? toRight[0] ?? sameChannel[0];
    if (!near) return { ...base, messageId: null, sentTo: null, match: false, problem: `no ${kind} was sent` };
    const problem = unused.length
      ? `copied to ${near.cc.join(', ') || 'nobody'}, expected ${expectedCc.join(', ') || 'nobody'}`
      : toRight.length
        ? `every ${kind} sent to ${f.to} answers an earlier follow-up`
        : `sent to ${near.to}, expected ${f.to}`;
    return { ...base, messageId: near.id, sentTo: near.to, match: false, problem };
  });
}

export function finalStateView(repos: Repositories, attemptId: string, s: Scenario, anonymised: boolean): FinalStateView {
  const planted = new Set(s.answerKey.plantedErrors.map((p) => `${p.accountNumber}/${p.field}`));
  const fields: FieldCheck[] = expectedFields(s).map(({ accountNumber, field }) => {
    const customer = repos.crm.findCustomerByAccount(attemptId, accountNumber);
    const seed = s.seed.customers.find((c) => c.accountNumber === accountNumber);
    const kind = CUSTOMER_FIELD_KINDS[field];
    const expected = finalCustomerValue(s, accountNumber, field) ?? null;
    const final = customer ? (customer as unknown as Record<string, unknown>)[field] : undefined;
    const cmp = compareField(kind, expected, final);
    return {
      accountNumber,
      customerName: customer ? `${customer.firstName} ${customer.lastName}` : null,
      field,
      kind,
      expected: cmp.expected,
      final: customer ? cmp.actual : '(record missing)',
      initial: showValue(seed?.[field]),
      match: customer !== undefined && cmp.equal,
      planted: planted.has(`${accountNumber}/${field}`),
    };
  });
  const sent = repos.crm.listMessages(attemptId, 'out').filter((m) => m.origin === 'attempt');
  const followUps = followUpChecks(s, sent);
  return {
    scenarioKey: s.key,
    fields,
    followUps,
    mismatches: fields.filter((f) => !f.match).length + followUps.filter((f) => !f.match).length,
    anonymised,
  };
}

// The title a candidate sees for an assignment. The full title is written for staff and may name the
// caller and what the candidate is meant to find out ("Mrs Hughes moves to Rawdon", where the new
// address is the thing to ask for and several Hughes records are a trap); the candidate-facing title
// must not. A word of the candidate title leaks when the caller brief has it (the persona, the facts
// given only when asked, what is never volunteered, the caller's description, situation, opening
// line, objections and buying signals) and the candidate brief does not. Words are compared by stem.
//
// Pure; imports nothing of the scenario schema (which calls it), so it takes the parts it reads.

export interface TitledScenario {
  key: string;
  candidateTitle?: string | undefined;
  direction: 'inbound' | 'outbound';
  type: 'service' | 'sales';
  candidateBrief: { role: string; situation: string; tasks: string[]; afterCall: string[]; transferTargets?: Array<{ label: string }> };
  callerBrief: {
    persona: { name: string; accountNumber: string | null; phone: string; description: string };
    situation: string;
    openingLine: string;
    facts: Array<{ value?: string | undefined; label: string }>;
    objections: Array<{ text: string }>;
    buyingSignals: Array<{ text: string }>;
    neverVolunteer: string[];
  };
  seed: { company: { name: string } };
}

/**
 * A word without its common English endings, so "moving", "moves" and "move" are one word: "mov".
 * The final e goes from any word of four letters or more, whether or not an ending went first.
 */
const stem = (w: string): string => {
  const base = w.length > 4 ? w.replace(/(?:ing|ed|es|s)$/, '') : w;
  return base.length >= 4 ? base.replace(/e$/, '') : base;
};

/** Function words and the words of any assignment's type: never a leak on their own. */
const COMMON = new Set(
  [
  'the', 'and', 'for', 'with', 'from', 'that', 'this', 'your', 'you', 'are', 'has', 'have', 'was', 'not', 'but', 'his', 'her', 'hers',
  'their', 'them', 'they', 'she', 'him', 'who', 'what', 'when', 'into', 'about', 'out', 'off', 'all', 'any', 'can', 'will', 'been',
  'inbound', 'outbound', 'service', 'sales', 'call', 'calls', 'customer', 'customers', 'follow', 'assignment',
  ].map((w) => stem(w)),
);
const HONORIFICS = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr']);

/** Lower-case words of a text: letters and digits, at least three characters (or any number). */
export function titleWords(text: string): string[] {
  return (text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length >= 3 || /^\d+$/.test(w));
}
const stems = (text: string): string[] => titleWords(text).map(stem);

/** The type of the assignment in words: what a candidate sees when the scenario names no title. */
export function defaultCandidateTitle(s: Pick<TitledScenario, 'direction' | 'type'>): string {
  return `${s.direction === 'inbound' ? 'Inbound' : 'Outbound'} ${s.type} call`;
}

/** The title the candidate sees. */
export function candidateTitleOf(s: Pick<TitledScenario, 'candidateTitle' | 'direction' | 'type'>): string {
  return s.candidateTitle ?? defaultCandidateTitle(s);
}

/** Word stems of the caller brief the candidate brief does not give. */
export function callerOnlyWords(s: TitledScenario): Set<string> {
  const b = s.callerBrief;
  const caller = [
    b.persona.name
      .split(/\s+/)
      .filter((w) => !HONORIFICS.has(w.toLowerCase().replace(/\.$/, '')))
      .join(' '),
    b.persona.accountNumber ?? '',
    b.persona.phone.replace(/\D/g, ''),
    b.persona.description,
    b.situation,
    b.openingLine,
    ...b.facts.map((f) => f.value ?? ''),
    ...b.objections.map((o) => o.text),
    ...b.buyingSignals.map((x) => x.text),
    ...b.neverVolunteer,
  ];
  const c = s.candidateBrief;
  const known = new Set(stems([c.role, c.situation, ...c.tasks, ...c.afterCall, ...(c.transferTargets ?? []).map((t) => t.label), s.seed.company.name].join(' ')));
  return new Set(caller.flatMap(stems).filter((w) => !known.has(w) && !COMMON.has(w)));
}

/** The words of the candidate title that come from the caller brief only (empty: it gives nothing away). */
export function candidateTitleLeaks(s: TitledScenario): string[] {
  const withheld = callerOnlyWords(s);
  return [...new Set(titleWords(candidateTitleOf(s)).filter((w) => withheld.has(stem(w))))];
}

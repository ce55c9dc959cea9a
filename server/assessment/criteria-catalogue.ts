// The catalogue of Unit 2 rubric criteria: every observable behaviour of the domain digest
// (shared/docs/assessment-domain.md, section 2), with its permanent id, how it can be measured and
// the automatic signal, if any. Scenario rubrics may only use these ids. Ids are retired, never
// reused: to retire one, keep its row and set `retired: true`.
//
// How (as printed in the digest): L = desktop event log / comparison with the answer key,
// T = timing or energy of the two-channel recording, S = speech recognition proposes evidence,
// H = human judgement. Codes in brackets are secondary aids, e.g. 'H (T)' is judged by a person
// with timing help; 'S (+L)' is spoken, possibly supported by a desktop tick.

export type Measure = 'L' | 'T' | 'S' | 'H';

/** Unit 2 content sections (the first number of an id). */
export const UNIT2_SECTIONS = {
  1: 'Incoming calls asking for routine product/service advice or support',
  2: 'Inbound sales calls',
  3: 'Outbound sales calls',
  4: 'Call handling techniques',
  5: 'Challenging service situations',
  6: 'Computer actions during the call',
  7: 'Follow-up after the call',
} as const;
export type Unit2Section = keyof typeof UNIT2_SECTIONS;

export interface CatalogueCriterion {
  /** 'U2-<section>.<subsection>-<slug>', e.g. 'U2-4.2-hold-max-60'. */
  id: string;
  /** Content section, 1–7. */
  section: Unit2Section;
  /** Subsection as printed, e.g. '4.2'. */
  subsection: string;
  behaviour: string;
  /** The digest's "How" column, e.g. 'T+L', 'H (T)'. */
  how: string;
  /** The primary measures (outside brackets). */
  measures: readonly Measure[];
  /** Objective: measured (at least partly) from the event log or the recording timing (L or T). */
  autoCheckable: boolean;
  /** The digest's automatic signal or evidence ('' when there is none). */
  signal: string;
  retired?: boolean;
}

function c(id: string, how: string, behaviour: string, signal: string): CatalogueCriterion {
  const m = /^U2-(([1-7])\.[0-9]+)-[a-z0-9-]+$/.exec(id);
  if (!m) throw new Error(`bad criterion id ${id}`);
  const primary = how.replace(/\(.*\)/, '').trim();
  const measures = primary.split('+').map((x) => x.trim()) as Measure[];
  return {
    id,
    section: Number(m[2]) as Unit2Section,
    subsection: m[1]!,
    behaviour,
    how,
    measures,
    autoCheckable: measures.includes('L') || measures.includes('T'),
    signal,
  };
}

export const CRITERIA: readonly CatalogueCriterion[] = [
  c("U2-1.1-answer-time", "T+L", "picks up within the centre's agreed ring time", "ringing-to-answer seconds <= scenario `maxRingSeconds`"),
  c("U2-1.1-greeting", "S+H", "opens with a brief, clear, positive greeting in the house form", "company and own name spoken in first ~10 s"),
  c("U2-1.1-offer-help", "S+H", "invites the caller on with an offer-of-help phrase", "help phrase in first candidate turn"),
  c("U2-1.1-acknowledge-opening", "H", "reacts sensibly to the caller's first statement", "bookmark first caller turn"),
  c("U2-1.1-caller-details", "L+S", "gets the caller's name and the details needed to find them", "correct record opened or created; name captured"),
  c("U2-1.1-verify-id", "L", "checks identity per the data-security procedure before discussing the account", "required factors checked; identity pass precedes any disclosure or record edit"),
  c("U2-1.1-recording-notice", "S (+L)", "tells the caller the call is recorded, where required", "keyword in first ~30 s, or disclosure tick before personal data taken"),
  c("U2-1.2-courtesy", "S+H", "says please/thank you when asking for and receiving information", "phrase counts"),
  c("U2-1.2-questioning", "L+H", "collects every necessary fact with suitable questions", "all `requiredFacts` present in fields"),
  c("U2-1.2-read-back", "S", "reads back the details given", "spoken value matches keyed value (postcode, phone, e-mail, amounts)"),
  c("U2-1.2-prompt-response", "T+L+H", "deals with queries and problems quickly, correctly and pleasantly", "response latency after caller turns; answers vs key"),
  c("U2-1.2-confirm-understanding", "S+H", "checks that details have been understood", ""),
  c("U2-1.2-confirm-requirement", "S+H", "states back what the caller wants", ""),
  c("U2-1.2-service-standard", "H", "reaches the organisation's service and quality level", ""),
  c("U2-1.3-accurate-info", "S+H", "gives correct, complete information in a clear order", "`mustTell` facts found in transcript"),
  c("U2-1.3-features-benefits", "H", "introduces relevant features and benefits", ""),
  c("U2-1.3-knowledge", "H", "shows knowledge of services and procedures", ""),
  c("U2-1.3-comply", "L+H", "follows the relevant rules and procedures", "required steps present, `forbidden` actions absent"),
  c("U2-1.3-explain-policy", "H", "explains a policy and the reason for it where needed", ""),
  c("U2-1.3-options", "H", "offers alternatives that suit both caller and organisation", ""),
  c("U2-1.3-recommend", "L+H", "recommends the best option for the need heard", "recommended/selected option = key"),
  c("U2-1.3-caller-preference", "H", "lets the caller state the outcome they prefer before agreeing one", ""),
  c("U2-1.3-agreement", "S+H", "gets the caller to commit to the outcome and checks they are happy with it", ""),
  c("U2-1.3-expectations", "H", "sets realistic expectations (what happens, when)", ""),
  c("U2-1.3-resolution-time", "L+T", "meets response and resolution time targets", "handle time <= target; case resolved within the call"),
  c("U2-1.4-summary", "S+H", "summarises outcomes, actions and timescales", ""),
  c("U2-1.4-confirmation", "L+S", "gives confirmation details such as a reference", "reference generated and spoken"),
  c("U2-1.4-further-help", "S", "makes a last offer of help", ""),
  c("U2-1.4-thanks", "S", "thanks the caller for calling", ""),
  c("U2-1.4-close-style", "S+H", "closes positively, concisely and clearly", ""),
  c("U2-1.4-house-wording", "S+H", "uses the words and standards the organisation accepts", "scenario closing phrases spotted"),
  c("U2-2.1-answer-time", "T+L", "picks up within the centre's agreed ring time", "ringing-to-answer seconds <= scenario `maxRingSeconds`"),
  c("U2-2.1-greeting", "S+H", "opens with a brief, clear, positive greeting in the house form", "company and own name spoken in first ~10 s"),
  c("U2-2.1-offer-help", "S+H", "invites the caller on with an offer-of-help phrase", "help phrase in first candidate turn"),
  c("U2-2.1-acknowledge-opening", "H", "reacts sensibly to the caller's first statement", "bookmark first caller turn"),
  c("U2-2.1-caller-details", "L+S", "gets the caller's name and the details needed to find them", "correct record opened or created; name captured"),
  c("U2-2.1-verify-id", "L", "checks identity per the data-security procedure before discussing the account", "required factors checked; identity pass precedes any disclosure or record edit"),
  c("U2-2.1-recording-notice", "S (+L)", "tells the caller the call is recorded, where required", "keyword in first ~30 s, or disclosure tick before personal data taken"),
  c("U2-2.2-answer-queries", "H", "answers the caller's questions appropriately", ""),
  c("U2-2.2-probe-needs", "H (S)", "probes to uncover the underlying need", "question count/type in transcript"),
  c("U2-2.2-read-back", "S", "reads back information given", "spoken = keyed"),
  c("U2-2.2-features", "H", "discusses key features and advantages", ""),
  c("U2-2.2-benefits", "H", "converts features into what the customer gains, phrased as selling points", ""),
  c("U2-2.2-brand-message", "S", "states the scenario's key brand messages", "scenario `brandPhrases` spotted"),
  c("U2-2.2-objections", "H", "handles routine objections and questions", "bookmark caller objection turns"),
  c("U2-2.2-needs-match", "L+H", "matches the need to the right product/service", "product chosen = key for the caller's stated facts"),
  c("U2-2.2-up-sell-spot", "L+S+H", "spots interest in a higher-value version (up-sell)", "higher tier offered (spoken or quoted on screen)"),
  c("U2-2.2-cross-sell-spot", "L+S+H", "spots interest in related products (cross-sell)", "related product offered/quoted"),
  c("U2-2.2-expectations", "H", "manages expectations", ""),
  c("U2-2.2-control", "H (T)", "keeps control of the conversation", "talk-time ratio, long caller monologues"),
  c("U2-2.2-comply", "L+S", "complies with sales rules and procedures", "mandatory disclosures made; no forbidden action"),
  c("U2-2.2-explain-policy", "H", "explains policy/procedure and why", ""),
  c("U2-2.2-technique", "H", "uses effective call-handling technique throughout", ""),
  c("U2-2.2-best-recommendation", "H", "recommends on the basis of the need understood", ""),
  c("U2-2.2-buying-signals", "H", "notices buying signals and acts on them", "bookmark scripted signal moments"),
  c("U2-2.3-confirm-requirements", "S+H", "confirms what the customer wants", ""),
  c("U2-2.3-ask-for-sale", "S+H", "asks for the sale", "closing question spotted"),
  c("U2-2.3-agree-product", "L", "reaches agreement on the preferred products", "order lines = agreed products"),
  c("U2-2.3-cross-up-sell", "L+H", "carries out routine up-/cross-selling where the chance exists", "add-on/upgrade offered; on order if accepted"),
  c("U2-2.3-next-stage", "S+H", "explains and agrees the sale or the next step", ""),
  c("U2-2.3-commitment", "H", "gets the customer to commit and confirms they are content", ""),
  c("U2-3.1-objectives", "L+H", "sets the objectives of the call before dialling", "planning form \"objective\" filled before first dial"),
  c("U2-3.1-review-customer", "L", "reviews the customer's information before dialling", "lead record opened before dial; dwell time"),
  c("U2-3.1-materials-ready", "L", "has script, documents and materials open", "script / product sheet opened before dial"),
  c("U2-3.1-questions-prepared", "L+H", "prepares questions that serve the objective", "planning form questions present"),
  c("U2-3.1-objections-prepared", "L+H", "anticipates objections and prepares answers", "planning form objections present"),
  c("U2-3.2-introduction", "S+H", "introduces self and organisation to house standard", ""),
  c("U2-3.2-verify-id", "L+S", "confirms it is the right person per data-security rules", "right-party check recorded before account details used"),
  c("U2-3.2-convenient", "S", "asks whether now is a good time to talk", "phrase spotted early in call"),
  c("U2-3.2-hook", "H", "uses a hook to win attention", ""),
  c("U2-3.2-probe", "H", "probes to understand the underlying need", ""),
  c("U2-3.2-read-back", "S", "reads back information given", "spoken = keyed"),
  c("U2-3.2-answer-queries", "H", "responds properly to questions", ""),
  c("U2-3.2-evaluate-interest", "L+H", "judges buying need and level of interest", "interest level / lead score recorded = key band"),
  c("U2-3.2-expectations", "H", "manages expectations", ""),
  c("U2-3.2-focus", "H", "keeps attention on this customer and on closing", ""),
  c("U2-3.2-accurate-info", "S+H", "gives accurate, complete, clear information", "`mustTell` facts spotted"),
  c("U2-3.2-comply", "L+S", "follows sales procedures and regulations", "e.g. opted-out lead not called; required statements made"),
  c("U2-3.2-explain-policy", "H", "explains policy/procedure and why", ""),
  c("U2-3.2-options", "H", "offers options and alternatives", ""),
  c("U2-3.2-objections", "H", "overcomes objections", ""),
  c("U2-3.2-competitor", "L+S", "finds out about competitor products and existing agreements", "competitor and contract end date captured = key"),
  c("U2-3.2-likelihood", "H", "reads the likelihood of a sale and adjusts course", ""),
  c("U2-3.2-no-interest-close", "H", "ends positively when the customer is not interested", ""),
  c("U2-3.2-benefit-match", "H", "matches benefits to the needs found", ""),
  c("U2-3.2-educate", "H", "teaches the customer what the relevant products do and why that matters to them", ""),
  c("U2-3.2-feature-vs-benefit", "H", "makes the feature/benefit difference clear when needed", ""),
  c("U2-3.2-invite-discussion", "H", "encourages the customer to discuss and weigh the benefits", ""),
  c("U2-3.2-brand-message", "S", "states key brand messages", "`brandPhrases` spotted"),
  c("U2-3.2-buying-signals", "H", "notices buying signals and acts on them", ""),
  c("U2-3.2-technique", "H", "uses effective call-handling technique", ""),
  c("U2-3.3-confirm-requirements", "S+H", "confirms what the customer wants", ""),
  c("U2-3.3-ask-for-sale", "S+H", "asks for the sale", ""),
  c("U2-3.3-agree-product", "L", "agrees the preferred products", "order / quote lines = agreed"),
  c("U2-3.3-next-stage", "L+S", "agrees the next stage: sale, referral or further contact", "disposition code + callback/appointment with agreed date"),
  c("U2-3.3-commitment", "H", "gets the customer to commit and confirms they are content", ""),
  c("U2-4.1-open-questions", "S+H", "uses open questions to gather information", "question classifier on transcript"),
  c("U2-4.1-closed-questions", "S+H", "uses closed questions to steer and get short answers", ""),
  c("U2-4.1-probing-questions", "S+H", "uses probing questions for detail", ""),
  c("U2-4.1-hypothetical-questions", "S+H", "uses \"what if\" questions to test views", ""),
  c("U2-4.2-active-listening", "H", "listens actively, supportively, reflectively", ""),
  c("U2-4.2-first-time", "L+S", "catches the caller's points first time", "repeated requests for the same fact; re-edits of the same field"),
  c("U2-4.2-acknowledge", "H", "acknowledges the caller's points", ""),
  c("U2-4.2-feelings", "H", "picks up and responds to points and feelings", ""),
  c("U2-4.2-use-name", "S", "addresses the customer by name", "customer name in candidate channel, count"),
  c("U2-4.2-no-interrupt", "T+H", "lets the caller finish without interrupting", "candidate onsets inside caller speech, excluding short backchannels"),
  c("U2-4.2-voice", "T+H", "voice control: pitch, speed, tone, loudness, clarity, energy and diction suit the call", "speaking rate, loudness range"),
  c("U2-4.2-willing", "H", "shows willingness to help; stays professional", ""),
  c("U2-4.2-mirroring", "H", "matches the caller's way of speaking and vocabulary level", ""),
  c("U2-4.2-can-do", "H", "reassures with a positive \"can do\" attitude and wording", ""),
  c("U2-4.2-calm", "H (T)", "stays calm and patient", "loudness spikes"),
  c("U2-4.2-pause", "H", "leaves silence where it helps", ""),
  c("U2-4.2-check-understanding", "S+H", "checks the customer has understood", ""),
  c("U2-4.2-empathy", "H", "builds trust, empathy and rapport", ""),
  c("U2-4.2-explain-delays", "T+L+S", "keeps delays short and explains them (typing, system, look-ups)", "dead air > N s while desktop busy; explanation spoken before it"),
  c("U2-4.2-hold-permission", "L+S", "explains why a hold is needed and asks before holding", "every hold preceded by a request within ~15 s"),
  c("U2-4.2-hold-max-60", "L", "returns to the caller within 60 s of putting them on hold", "each hold segment <= 60 s"),
  c("U2-4.2-hold-recheck", "L+S", "if more time is needed, asks whether the caller will keep holding", "hold > 60 s total only as separate segments with a check-in between"),
  c("U2-4.2-hold-thanks", "S", "thanks the caller for holding", "phrase within ~5 s of unhold"),
  c("U2-4.2-paraphrase", "S+H", "paraphrases to summarise and clarify", ""),
  c("U2-4.2-focus-time", "L+T+H", "keeps the call focused and uses contact time well", "handle time vs scenario target; dead-air share"),
  c("U2-4.3-plain-language", "S+H", "uses simple words, avoids jargon", "scenario `jargon` list hits"),
  c("U2-4.3-no-negative", "S+H", "avoids hesitant and negative language", "filler and negative-word rate"),
  c("U2-4.3-grammar", "H", "uses correct grammar and wording", ""),
  c("U2-4.3-house-standards", "H", "follows the organisation's call-handling standards", ""),
  c("U2-4.3-natural-script", "H", "personalises scripted guidance so it sounds natural", ""),
  c("U2-4.3-professional-friendly", "H", "stays professional and friendly", ""),
  c("U2-4.3-emotions", "H", "manages own emotions and stays calm", ""),
  c("U2-4.3-flow", "H (T)", "keeps the caller engaged and the conversation flowing", "turn-taking rhythm"),
  c("U2-4.3-service-level", "H", "reaches the required level of service and quality", ""),
  c("U2-4.3-control", "H", "steers the call to meet customer and business objectives", ""),
  c("U2-5.1-slow-clear", "T+H", "slows down and speaks clearly for a caller with hearing, listening or language difficulty", "speaking rate drops vs candidate's own baseline"),
  c("U2-5.1-louder", "T+H", "raises volume when needed", "candidate-channel loudness rises after the cue"),
  c("U2-5.1-repeat", "S+H", "repeats information as often as needed, patiently", ""),
  c("U2-5.1-offer-written", "L", "agrees to send the information by e-mail, fax or post", "document sent via the channel the caller chose; preference stored on record"),
  c("U2-5.2-let-vent", "T+H", "lets the caller vent while listening actively", "no candidate interruption in caller's long opening turn"),
  c("U2-5.2-patience", "H", "shows patience and understanding with an upset caller", ""),
  c("U2-5.2-probe-complaint", "H", "asks probing questions to pin down the complaint", ""),
  c("U2-5.2-assertive", "L+H", "is assertive with unreasonable demands", "no concession above the scenario's authority limit"),
  c("U2-5.2-difficult-message", "H", "delivers unwelcome news and explains why", ""),
  c("U2-5.2-composure", "H (T)", "keeps composure and a consistent style throughout", ""),
  c("U2-5.2-apologise-no-blame", "S+H", "apologises for errors without blaming anyone", "apology spotted; blame phrases flagged"),
  c("U2-5.2-put-at-ease", "H", "settles the caller as soon as possible", ""),
  c("U2-5.2-can-do", "H", "keeps a supportive, \"can do\" atmosphere", ""),
  c("U2-5.2-priority", "L", "assesses how urgent the issue is", "case priority = key"),
  c("U2-5.2-negotiate", "L+H", "negotiates a suitable resolution", "resolution chosen from allowed options"),
  c("U2-5.2-polite-end", "S+H", "ends the call politely (including abusive-call procedure if scripted)", "who hung up; closing phrase"),
  c("U2-5.2-follow-up", "L", "follows up the problem", "complaint case + follow-up task/callback created"),
  c("U2-6.1-right-system", "L", "uses the correct system/screen for the task", "screens opened vs allowed set"),
  c("U2-6.1-all-details", "L", "captures every relevant detail from the customer", "required fields non-empty"),
  c("U2-6.1-verify-details", "L+S", "checks details are right before saving", "read-back before save; final values = key"),
  c("U2-6.1-accurate-entry", "L", "keys numbers and text accurately into the right fields", "field-by-field comparison with key after normalisation"),
  c("U2-6.1-interaction-record", "L+H", "completes the contact record: reason, outcome, follow-ups", "wrap-up code = key; notes present; notes quality by assessor"),
  c("U2-6.1-correct-errors", "L", "spots and fixes errors: adds, amends, cancels data", "planted wrong value corrected; unwanted record cancelled"),
  c("U2-6.1-talk-while-typing", "T+L", "keeps the conversation going while keying", "dead air during field-change bursts"),
  c("U2-6.2-right-system", "L", "looks in the correct system", ""),
  c("U2-6.2-navigate", "L", "moves through screens/steps in the right order", "path vs expected path"),
  c("U2-6.2-retrieve-accurately", "L+T+S", "finds and reads out the right data within the time allowed", "request-to-display seconds <= target; spoken value = record"),
  c("U2-6.2-search-method", "L", "uses a sensible search method", "search keys used (account no. before name, etc.), number of searches"),
  c("U2-6.3-data-protection", "L", "follows data-protection law", "nothing disclosed before ID pass; no records opened unrelated to the caller"),
  c("U2-6.3-recording-disclosure", "S (+L)", "follows the rules on telling callers about recording/monitoring", "as U2-1.1-recording-notice"),
  c("U2-6.3-security-procedure", "L", "follows house security and confidentiality procedures, e.g. caller ID", "ID factors required by policy all checked"),
  c("U2-6.3-caller-confidentiality", "L+H", "respects the caller's own confidentiality wishes", "third party not given data without authority; preference flags set"),
  c("U2-7.1-review-needs", "H", "reviews what the customer needs after the call", ""),
  c("U2-7.1-prioritise", "L", "orders follow-up actions by customer and business priority", "task priorities / due dates = key; urgent first"),
  c("U2-7.1-update-system", "L", "records the follow-up actions in the system", "task/callback records exist with correct type"),
  c("U2-7.2-check-messages", "L", "checks for messages at sensible intervals", "inbox opened at start and again before end"),
  c("U2-7.2-process-received", "L", "deals with incoming messages per procedure", "each seeded message actioned as key says"),
  c("U2-7.2-save", "L", "saves messages per procedure", ""),
  c("U2-7.2-compose", "L+H", "writes a message that meets customer and business needs", "required content tokens present (ref, date, amount)"),
  c("U2-7.2-formality", "H", "uses the right formality for the medium (e-mail vs SMS)", ""),
  c("U2-7.2-recipients", "L", "sends to the correct single or multiple recipients", "to/cc = key; no wrong customer"),
  c("U2-7.2-spellcheck", "L", "uses automatic checking to cut errors", "spell-check run; residual misspellings count"),
  c("U2-7.2-auto-response", "L", "uses automated replies where appropriate", "auto-reply set when scenario calls for it"),
  c("U2-7.2-attachments", "L", "attaches the right files where needed", "attachment names/hashes = key"),
  c("U2-7.2-transmit", "L", "sends successfully and per procedure", "send status OK"),
  c("U2-7.2-seek-support", "L", "gets help when sending fails (online help, escalation)", "after injected failure: help opened or escalation raised"),
  c("U2-7.2-file", "L", "files messages per procedure", "message in correct folder"),
  c("U2-7.3-identify-needs", "H", "works out what information the caller needs in writing", ""),
  c("U2-7.3-gather-info", "L", "collects the content from systems, records or people", "required look-ups done"),
  c("U2-7.3-best-format", "L+H", "picks the best way to provide it", "channel/format = caller's stated need"),
  c("U2-7.3-produce", "L", "produces the document electronically and as a print-out", "document saved and print event present"),
  c("U2-7.3-house-style", "L+H", "follows agreed standards and styles", "approved template used"),
  c("U2-7.3-language", "L+H", "correct spelling, punctuation and grammar; right length; easy to read", "misspelling count; assessor judges the rest"),
  c("U2-7.3-accurate-content", "L", "all facts in the document are valid and correct", "values in document = key"),
  c("U2-7.3-on-time", "L", "finishes within the agreed timescale", "sent within N minutes of call end / before sitting ends"),
];

export const CRITERIA_BY_ID: ReadonlyMap<string, CatalogueCriterion> = new Map(CRITERIA.map((x) => [x.id, x]));

/** The catalogue entry for an id, or undefined (also for a retired id when `includeRetired` is false). */
export function findCriterion(id: string, includeRetired = false): CatalogueCriterion | undefined {
  const found = CRITERIA_BY_ID.get(id);
  return found && (includeRetired || !found.retired) ? found : undefined;
}

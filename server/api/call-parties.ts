// Who each side of a call is, in the words the staff's call list shows (never an extension): the
// candidate by name; the assessor in a role-play as the customer the call presented (the name and
// number the candidate's phone showed, from the 'presented-number' call event) or as the number the
// candidate dialled (the 'invite' event); anyone else by name.
import type { CallEvent, CallRecord } from '../db/repositories/calls.js';
import type { CallParty } from '../protocol/telephony.js';

/** The account behind a side of the call, as far as the call list needs it. */
export interface PartyUser {
  id: number;
  displayName: string;
  role: string;
}

export const ROLE_PLAY = 'Assessor (role-play)';
export const UNKNOWN_PHONE = 'Unknown phone';

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** What the assessor's side of a role-play call stood for: the presented customer, or the number dialled. */
function rolePlayed(leg: 'caller' | 'callee', events: readonly CallEvent[]): string | null {
  if (leg === 'caller') {
    const presented = events.find((e) => e.type === 'presented-number');
    const number = text(presented?.detail?.number);
    if (number === null) return null;
    const name = text(presented?.detail?.name);
    return name === null ? number : `${name}, ${number}`;
  }
  return text(events.find((e) => e.type === 'invite')?.detail?.dialledNumber);
}

/** The caller and callee of a call as the call list shows them. */
export function callParties(call: CallRecord, users: { caller: PartyUser | undefined; callee: PartyUser | undefined }, events: readonly CallEvent[]): { caller: CallParty; callee: CallParty } {
  const side = (leg: 'caller' | 'callee', extension: string, user: PartyUser | undefined): CallParty => {
    const displayName = user?.displayName ?? extension;
    if (!user) return { extension, displayName, shownAs: UNKNOWN_PHONE };
    if (call.candidateUserId !== null && user.id !== call.candidateUserId && user.role === 'assessor') {
      const played = rolePlayed(leg, events);
      return { extension, displayName, shownAs: played === null ? ROLE_PLAY : `${played} · ${ROLE_PLAY}` };
    }
    return { extension, displayName, shownAs: user.displayName };
  };
  return { caller: side('caller', call.callerExtension, users.caller), callee: side('callee', call.calleeExtension, users.callee) };
}

// Walks every transition table of the B2BUA: each listed transition is accepted, every other pair of
// states throws, and a transition stops the timers the new state does not allow.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/clock.js';
import {
  CALL_TRANSITIONS,
  CALLEE_INVITE_TRANSITIONS,
  CALLER_INVITE_TRANSITIONS,
  OFFER_EXCHANGE_TRANSITIONS,
  OUR_OFFER_TRANSITIONS,
  callMachine,
  offerExchangeMachine,
} from '../../../server/sip/call-state.js';
import { InvalidTransitionError, StateMachine, type TransitionTable } from '../../../server/sip/state-machine.js';

const tables: Record<string, TransitionTable<string, string>> = {
  call: CALL_TRANSITIONS,
  'caller INVITE': CALLER_INVITE_TRANSITIONS,
  'callee INVITE': CALLEE_INVITE_TRANSITIONS,
  'offer exchange': OFFER_EXCHANGE_TRANSITIONS,
  'our re-INVITE': OUR_OFFER_TRANSITIONS,
};

describe('call state machines', () => {
  for (const [name, table] of Object.entries(tables)) {
    it(`${name}: every listed transition is accepted, every other one throws`, () => {
      const states = Object.keys(table);
      let accepted = 0;
      let refused = 0;
      for (const from of states) {
        for (const to of states) {
          const machine = new StateMachine(name, table, from, new ManualClock());
          if (table[from]!.to.includes(to)) {
            machine.transition(to);
            expect(machine.state).toBe(to);
            accepted++;
          } else {
            expect(() => machine.transition(to)).toThrow(InvalidTransitionError);
            expect(machine.state).toBe(from);
            refused++;
          }
        }
      }
      expect(accepted).toBe(states.reduce((n, s) => n + table[s]!.to.length, 0));
      expect(accepted + refused).toBe(states.length ** 2);
    });
  }

  it('the call: every state is reachable from setup, and ended is final', () => {
    const reachable = new Set(['setup']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const s of [...reachable]) for (const t of CALL_TRANSITIONS[s as keyof typeof CALL_TRANSITIONS].to) if (!reachable.has(t)) grew = reachable.add(t) !== undefined;
    }
    expect([...reachable].sort()).toEqual(Object.keys(CALL_TRANSITIONS).sort());
    expect(CALL_TRANSITIONS.ended.to).toEqual([]);
  });

  it('a transition stops the timers the new state does not allow; ending stops them all', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const call = callMachine(clock);
    call.startTimer('no-answer', 1_000, () => fired.push('no-answer'));
    call.transition('ringing');
    call.startTimer('prack', 500, () => fired.push('prack'));
    expect(call.isRunning('no-answer')).toBe(true);
    call.transition('answered'); // neither runs once answered
    expect(call.isRunning('no-answer') || call.isRunning('prack')).toBe(false);
    call.startTimer('ack', 32_000, () => fired.push('ack'));
    call.transition('ended');
    clock.advance(60_000);
    expect(fired).toEqual([]);
    expect(() => call.startTimer('ack', 1, () => {})).toThrow(/may not run/);
  });

  it('a timer allowed in its state fires on the injected clock; a settled offer exchange stops its ACK wait', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const call = callMachine(clock);
    call.startTimer('no-answer', 1_000, () => fired.push('no-answer'));
    clock.advance(999);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['no-answer']);
    expect(call.isRunning('no-answer')).toBe(false);

    const offers = offerExchangeMachine(clock);
    offers.transition('awaiting-ack');
    offers.startTimer('ack-answer', 32_000, () => fired.push('ack-answer'));
    offers.transition('idle');
    clock.advance(40_000);
    expect(fired).toEqual(['no-answer']);
  });
});

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/clock.js';
import type { SipConnection } from '../../../server/sip/connection.js';
import { parseSipMessage, type SipResponse } from '../../../server/sip/message.js';
import { ClientTransactions } from '../../../server/sip/transactions.js';

function fakeConn() {
  const handlers: Array<() => void> = [];
  return {
    conn: {
      isOpen: true,
      onClose: (h: () => void) => {
        handlers.push(h);
        return () => handlers.splice(handlers.indexOf(h), 1);
      },
    } as unknown as SipConnection,
    handlers,
  };
}

const response = (status: number, method: string, branch: string) =>
  parseSipMessage(
    [`SIP/2.0 ${status} X`, `Via: SIP/2.0/WSS callmark.invalid;branch=${branch}`, 'From: <sip:a@x>;tag=1', 'To: <sip:b@x>;tag=2', 'Call-ID: c', `CSeq: 1 ${method}`, 'Content-Length: 0', '', ''].join('\r\n'),
  ) as SipResponse;

describe('ClientTransactions', () => {
  it('keeps an INVITE and the CANCEL that shares its branch apart', () => {
    const tx = new ClientTransactions(new ManualClock(), 60_000);
    const { conn } = fakeConn();
    const invite: number[] = [];
    const cancel: number[] = [];
    tx.start('z9hG4bKsame', 'INVITE', conn, (r) => invite.push(r.statusCode ?? 0));
    tx.start('z9hG4bKsame', 'CANCEL', conn, (r) => cancel.push(r.statusCode ?? 0));
    expect(tx.dispatch(response(200, 'CANCEL', 'z9hG4bKsame'), conn)).toBe(true);
    expect(tx.dispatch(response(487, 'INVITE', 'z9hG4bKsame'), conn)).toBe(true);
    expect(cancel).toEqual([200]);
    expect(invite).toEqual([487]);
    tx.dispose();
  });

  it('stops the INVITE timeout (Timer B) once a provisional response arrives', () => {
    const clock = new ManualClock();
    const tx = new ClientTransactions(clock, 50);
    const { conn } = fakeConn();
    const seen: number[] = [];
    tx.start('z9hG4bKring', 'INVITE', conn, (r) => seen.push(r.statusCode ?? 0));
    tx.dispatch(response(180, 'INVITE', 'z9hG4bKring'), conn);
    clock.advance(120);
    expect(seen).toEqual([180]);
    tx.dispose();
  });

  it('completes an unanswered request with a local 408 when the injected clock reaches 32 s (Timer F)', () => {
    const clock = new ManualClock();
    const tx = new ClientTransactions(clock);
    const { conn } = fakeConn();
    const seen: unknown[] = [];
    tx.start('z9hG4bKlate', 'BYE', conn, (r) => seen.push(r));
    clock.advance(31_999);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen).toEqual([{ statusCode: 408, local: true }]);
    expect(tx.size).toBe(0);
  });

  it('forgets a completed INVITE 32 s after its final response, and dispose() clears every timer', () => {
    const clock = new ManualClock();
    const tx = new ClientTransactions(clock);
    const { conn } = fakeConn();
    const seen: unknown[] = [];
    tx.start('z9hG4bKdone', 'INVITE', conn, (r) => seen.push((r as SipResponse).statusCode));
    tx.dispatch(response(200, 'INVITE', 'z9hG4bKdone'), conn);
    // A retransmitted 2xx still matches (it needs its ACK again) until the transaction is forgotten.
    expect(tx.dispatch(response(200, 'INVITE', 'z9hG4bKdone'), conn)).toBe(true);
    clock.advance(32_000);
    expect(tx.dispatch(response(200, 'INVITE', 'z9hG4bKdone'), conn)).toBe(false);
    tx.start('z9hG4bKopen', 'OPTIONS', conn, (r) => seen.push(r));
    tx.dispose();
    clock.advance(60_000);
    expect(seen).toEqual([200, 200]);
    expect(tx.size).toBe(0);
  });

  it('does not pile up close handlers on a long-lived connection', () => {
    const tx = new ClientTransactions(new ManualClock(), 60_000);
    const { conn, handlers } = fakeConn();
    for (let i = 0; i < 50; i++) {
      tx.start(`z9hG4bK${i}`, 'INFO', conn, () => {});
      tx.dispatch(response(200, 'INFO', `z9hG4bK${i}`), conn);
    }
    expect(handlers.length).toBe(0);
  });
});

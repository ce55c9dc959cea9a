import { describe, expect, it } from 'vitest';
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
    const tx = new ClientTransactions(60_000);
    const { conn } = fakeConn();
    const invite: number[] = [];
    const cancel: number[] = [];
    tx.start('z9hG4bKsame', 'INVITE', conn, (r) => invite.push(r.statusCode ?? 0));
    tx.start('z9hG4bKsame', 'CANCEL', conn, (r) => cancel.push(r.statusCode ?? 0));
    expect(tx.dispatch(response(200, 'CANCEL', 'z9hG4bKsame'), conn)).toBe(true);
    expect(tx.dispatch(response(487, 'INVITE', 'z9hG4bKsame'), conn)).toBe(true);
    expect(cancel).toEqual([200]);
    expect(invite).toEqual([487]);
    tx.cancelAll();
  });

  it('stops the INVITE timeout (Timer B) once a provisional response arrives', async () => {
    const tx = new ClientTransactions(50);
    const { conn } = fakeConn();
    const seen: number[] = [];
    tx.start('z9hG4bKring', 'INVITE', conn, (r) => seen.push(r.statusCode ?? 0));
    tx.dispatch(response(180, 'INVITE', 'z9hG4bKring'), conn);
    await new Promise((r) => setTimeout(r, 120));
    expect(seen).toEqual([180]);
    tx.cancelAll();
  });

  it('does not pile up close handlers on a long-lived connection', () => {
    const tx = new ClientTransactions(60_000);
    const { conn, handlers } = fakeConn();
    for (let i = 0; i < 50; i++) {
      tx.start(`z9hG4bK${i}`, 'INFO', conn, () => {});
      tx.dispatch(response(200, 'INFO', `z9hG4bK${i}`), conn);
    }
    expect(handlers.length).toBe(0);
  });
});

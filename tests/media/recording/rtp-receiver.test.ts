// RtpReceiver (media/recording/rtp-receiver.ts) with the real receiving process: what it does with the
// process's events about control lines.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RtpReceiver, type NativeRecordingOwner } from '../../../media/recording/rtp-receiver.js';
import { until } from '../../support/until.js';

afterEach(() => vi.restoreAllMocks());

describe('RtpReceiver', () => {
  it('hears that the process refused a malformed control line, tells the recording it names, and logs one that names none', async () => {
    const receiver = await RtpReceiver.shared();
    const events: string[][] = [];
    const owner: NativeRecordingOwner = { afterBatch() {}, onReceiverRestart() {}, onNativeEvent: (words) => events.push(words) };
    const id = receiver.registerRecording(owner);
    const warned: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((text: string) => void warned.push(text));
    try {
      const before = receiver.refused.length;
      receiver.command(`stop ${id} NaN`); // what `${Number.NaN}` prints
      receiver.command('rewind everything');
      await until(() => receiver.refused.length >= before + 2, 5000, 'two refusals');
      expect(events).toEqual([['refused', String(id), 'invalid', 'time:', 'stop', String(id), 'NaN']]);
      expect(warned).toEqual(['callmark-rtp-receiver refused a control line: an unknown command: rewind everything']);
    } finally {
      receiver.forgetRecording(id);
    }
  });
});

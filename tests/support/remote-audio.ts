// What a softphone page hears: the tone levels of the remote audio its softphone plays
// (`data-testid="remote-audio"`, the first remote track), measured in the page with WebAudio and
// Goertzel, and a poll that waits until a tone is heard. Browser tests that check audio wait with
// `untilHears` instead of sleeping a fixed time: on a loaded machine ICE, DTLS, a re-INVITE or a
// new party's media can take seconds longer than on an idle one.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Goertzel amplitude above which a tone counts as heard (silence and the other tone stay below 0.001). */
export const HEARD_LEVEL = 0.003;

/**
 * The level of each frequency in what the page's softphone plays over the next `ms`
 * (0 for every frequency when nothing is playing).
 */
export async function remoteToneLevels(page: Page, frequenciesHz: readonly number[], ms = 500): Promise<number[]> {
  return page.evaluate(
    async ([freqs, windowMs]) => {
      const el = document.querySelector<HTMLAudioElement>('[data-testid="remote-audio"]');
      const stream = el?.srcObject as MediaStream | null | undefined;
      const track = stream?.getAudioTracks().find((t) => t.readyState === 'live');
      if (!track) {
        await new Promise((r) => setTimeout(r, windowMs));
        return freqs.map(() => 0);
      }
      const ctx = new AudioContext({ sampleRate: 48000 });
      await ctx.resume();
      const proc = ctx.createScriptProcessor(4096, 1, 1);
      const chunks: Float32Array[] = [];
      proc.onaudioprocess = (e) => chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
      ctx.createMediaStreamSource(new MediaStream([track])).connect(proc);
      proc.connect(ctx.destination);
      await new Promise((r) => setTimeout(r, windowMs));
      await ctx.close();
      const n = chunks.reduce((a, c) => a + c.length, 0);
      const all = new Float32Array(n);
      let o = 0;
      for (const c of chunks) {
        all.set(c, o);
        o += c.length;
      }
      return freqs.map((f) => {
        const k = Math.round((n * f) / 48000);
        const coeff = 2 * Math.cos((2 * Math.PI * k) / Math.max(1, n));
        let s1 = 0;
        let s2 = 0;
        for (let i = 0; i < n; i++) {
          const s0 = all[i]! + coeff * s1 - s2;
          s2 = s1;
          s1 = s0;
        }
        return Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - coeff * s1 * s2)) / Math.max(1, n);
      });
    },
    [frequenciesHz, ms] as const,
  );
}

/**
 * Waits until the page's softphone plays the tone `hz` (listening 0.5 s at a time), at most
 * `timeoutMs`. Resolves with the wall-clock time the successful listen ended: the tone was
 * flowing by then.
 */
export async function untilHears(page: Page, hz: number, what: string, timeoutMs = 15_000): Promise<number> {
  let last = 0;
  await expect
    .poll(async () => (last = (await remoteToneLevels(page, [hz]))[0]!), { timeout: timeoutMs, interval: 0, message: `${what}: ${hz} Hz not heard within ${timeoutMs} ms (last level ${last})` })
    .toBeGreaterThan(HEARD_LEVEL);
  return Date.now();
}

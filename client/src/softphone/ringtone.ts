// A UK-style ring tone, also the ringback a caller hears (400+450 Hz, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off) from WebAudio, so no
// sound file has to be shipped.
export class RingTone {
  private ctx: AudioContext | undefined;
  private timer: number | undefined;

  start(): void {
    if (this.ctx) return;
    try {
      this.ctx = new AudioContext();
    } catch {
      return;
    }
    const ctx = this.ctx;
    const burst = (at: number) => {
      const gain = ctx.createGain();
      gain.gain.value = 0.08;
      gain.connect(ctx.destination);
      for (const f of [400, 450]) {
        const osc = ctx.createOscillator();
        osc.frequency.value = f;
        osc.connect(gain);
        osc.start(at);
        osc.stop(at + 0.4);
      }
    };
    const cycle = () => {
      const t = ctx.currentTime;
      burst(t);
      burst(t + 0.6);
    };
    cycle();
    this.timer = window.setInterval(cycle, 3000);
  }

  stop(): void {
    window.clearInterval(this.timer);
    void this.ctx?.close();
    this.ctx = undefined;
  }
}

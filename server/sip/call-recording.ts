// The recording of a call: started when the call is answered, one channel per side (left the
// candidate, right everyone else), and finalised when it ends (stopped while packets still flow, its
// SHA-256, duration and size stored). A failure is stored as an event and never ends the call.
import fs from 'node:fs';
import path from 'node:path';
import { CallRecorder } from '../../media/index.js';
import type { Call } from './call.js';
import type { CallContext } from './call-context.js';

export class CallRecording {
  constructor(private readonly ctx: CallContext) {}

  async startRecording(call: Call): Promise<void> {
    const media = call.media;
    // By the legs' names in the media plane (a delayed-offer call swaps them, delayed-offer.ts).
    const callerProducer = media?.producerOf(call.caller.mediaId);
    const calleeProducer = call.callee && media?.producerOf(call.callee.mediaId);
    if (!media || !callerProducer || !calleeProducer) return;
    const day = new Date(this.ctx.now()).toISOString().slice(0, 10);
    const dir = path.join(this.ctx.opts.recordingsDir, day);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${call.id}.ogg`);
    const left = call.candidateRole === 'caller' ? callerProducer : calleeProducer;
    const right = call.candidateRole === 'caller' ? calleeProducer : callerProducer;
    call.recordingFile = file;
    this.ctx.opts.repos.calls.update(call.id, { recordingPath: file, recordingStatus: 'recording' });
    try {
      const recorder = await CallRecorder.start({
        router: media.router,
        left,
        right,
        file,
        onFailure: (err) => {
          call.log.error({ err }, 'recording failed');
          this.ctx.event(call, 'recording-failed', null, { message: err.message });
          this.ctx.opts.repos.calls.update(call.id, { recordingStatus: 'failed' });
        },
        // A step that failed and was retried (a mix of added parties, the RTP receiver restarted).
        onRetry: (message) => {
          call.log.warn({ recording: path.basename(file) }, message);
          this.ctx.event(call, 'recording-retried', null, { message });
        },
        // A step of the file that takes seconds (a stalled disk: the receiver's open, or the last
        // writes and fsync after the stop), or that finished after the stop gave up on it.
        onDelay: (message) => {
          call.log.warn({ recording: path.basename(file) }, message);
          this.ctx.event(call, 'recording-delayed', null, { message });
        },
      });
      if (call.phase === 'ended') {
        // The call ended while the recorder was starting: finalise it, and let shutdown wait for it.
        await this.ctx.keepUntilDone(this.finaliseRecording(call, recorder));
        return;
      }
      call.recorder = recorder;
      this.ctx.opts.repos.calls.update(call.id, { recordingStartedAt: recorder.startedAt });
      this.ctx.event(call, 'recording-started', null, { file: path.relative(this.ctx.opts.recordingsDir, file), channels: { left: call.candidateRole, right: call.candidateRole === 'caller' ? 'callee' : 'caller' } });
    } catch (err) {
      call.log.error({ err }, 'recording could not start');
      this.ctx.event(call, 'recording-failed', null, { message: err instanceof Error ? err.message : String(err) });
      this.ctx.opts.repos.calls.update(call.id, { recordingStatus: 'failed' });
    }
  }

  async finaliseRecording(call: Call, recorder: CallRecorder): Promise<void> {
    try {
      const result = await recorder.stop();
      // If ffmpeg died during the call, what it wrote up to then is kept, marked partial.
      this.ctx.opts.repos.calls.update(call.id, {
        recordingStatus: recorder.failed ? 'partial' : 'complete',
        recordingSha256: result.sha256,
        recordingDurationMs: result.durationMs,
        recordingBytes: result.bytes,
      });
      this.ctx.event(call, 'recording-finished', null, { durationMs: result.durationMs, sha256: result.sha256 });
    } catch (err) {
      call.log.error({ err }, 'recording could not be finalised');
      this.ctx.opts.repos.calls.update(call.id, { recordingStatus: 'failed' });
      this.ctx.event(call, 'recording-failed', null, { message: err instanceof Error ? err.message : String(err) });
    }
  }

}

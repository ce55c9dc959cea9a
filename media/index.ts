// The media plane's public face: the server imports media/ only through this file.
export { DEFAULT_FILL_ROUTERS, DEFAULT_WORKER_SLICE_US, MediaWorkerPool } from './worker-pool.js';
export type { WorkerPoolHealth, WorkerPoolOptions, WorkerSlot } from './worker-pool.js';
// Per-call media for the B2BUA: SDP in, SDP out (see call-media.ts); SdpError means "answer 488".
// MediaNoAnswerError: a worker request went unanswered past the bound; the step failed, the call's later steps run.
export { CallMedia, MEDIA_REQUEST_TIMEOUT_MS, MediaNoAnswerError, SdpError } from './call-media.js';
export type { CallMediaOptions, Leg, LegStats, ReofferHold } from './call-media.js';
// For re-INVITEs: the audio direction of an SDP body, and whether it puts the other party on hold.
export { isHold, sdpAudioDirection } from './sdp/direction.js';
export type { Direction } from './sdp/direction.js';
// Server-side call recording: one stereo Opus/Ogg file per call (left = candidate, right = the others),
// written while the call runs; finishLegFiles mixes in the leg files of parties added during a call
// (conference, transfer) and finishes a crashed call's recording at the next start.
export { CallRecorder, finishLegFiles, legsDirOf, probeDurationMs, sha256File } from './recorder.js';
export type { LegManifest, RecorderOptions, RecordingResult, RecordingSide } from './recorder.js';
// End-of-call mixes run through one queue, at most N ffmpeg at once (default one per core).
export { mixQueueStats, setMixConcurrency } from './recording/mix.js';
// Recording analysis for moderation: waveform peaks and per-channel voice activity (ffmpeg decode).
export { ANALYSER_VERSION, analyseRecording } from './analysis/index.js';
export type { MsSegment, RecordingAnalysis } from './analysis/index.js';

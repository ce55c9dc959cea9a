// The stereo player: the recording in an <audio> element routed through WebAudio so each party's
// channel can be muted or soloed (MediaElementSource → ChannelSplitter → one GainNode per channel →
// ChannelMerger → speakers), speed 0.5×–2× (playbackRate, pitch kept by the browser), and two
// waveform lanes drawn on <canvas> from the peaks, with the hold regions shaded and the playhead.
// Keyboard (documented on the page): space play/pause, ←/→ seek 5 s, [ and ] slower/faster.
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { HoldRegion } from '../../../server/protocol/moderation.js';
import { clock } from '../format.js';
import { loadPeaks, type Peaks } from './peaks.js';
import { Problem } from '../components/useAction.js';

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2] as const;
const SEEK_STEP_S = 5;

type Lane = 'left' | 'right';

interface Graph {
  ctx: AudioContext;
  gains: Record<Lane, GainNode>;
}

export interface WaveformPlayerProps {
  audioRef: RefObject<HTMLAudioElement | null>;
  recordingUrl: string;
  peaksUrl: string;
  durationMs: number;
  currentMs: number;
  holds: readonly HoldRegion[];
  laneNames: Record<Lane, string>;
  seek: (ms: number) => void;
}

function drawLane(canvas: HTMLCanvasElement, values: readonly number[], perSecond: number, durationMs: number, holds: readonly HoldRegion[], currentMs: number, colour: string): void {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 600;
  const height = canvas.clientHeight || 64;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const g = canvas.getContext('2d');
  if (!g) return;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const x = (ms: number) => (Math.max(0, Math.min(durationMs, ms)) / durationMs) * width;
  // Holds behind the wave: amber, red when over 60 s.
  for (const h of holds) {
    g.fillStyle = h.over60 ? 'rgba(200, 40, 40, 0.18)' : 'rgba(230, 160, 0, 0.18)';
    g.fillRect(x(h.startMs), 0, Math.max(1, x(h.endMs) - x(h.startMs)), height);
  }
  g.fillStyle = colour;
  const mid = height / 2;
  const totalMs = (values.length / perSecond) * 1000;
  for (let px = 0; px < width; px++) {
    const from = Math.floor((((px / width) * durationMs) / totalMs) * values.length);
    const to = Math.max(from + 1, Math.floor(((((px + 1) / width) * durationMs) / totalMs) * values.length));
    let peak = 0;
    for (let i = from; i < to && i < values.length; i++) peak = Math.max(peak, values[i]!);
    const h = Math.max(1, (peak / 255) * (height - 4));
    g.fillRect(px, mid - h / 2, 1, h);
  }
  g.fillStyle = '#111';
  g.fillRect(x(currentMs), 0, 2, height);
}

export function WaveformPlayer({ audioRef, recordingUrl, peaksUrl, durationMs: givenDuration, currentMs, holds, laneNames, seek }: WaveformPlayerProps) {
  const [peaks, setPeaks] = useState<Peaks>();
  const [peaksError, setPeaksError] = useState<string>();
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(1);
  const [muted, setMuted] = useState<Record<Lane, boolean>>({ left: false, right: false });
  const [solo, setSolo] = useState<Lane | null>(null);
  const graph = useRef<Graph>(undefined);
  const canvases = { left: useRef<HTMLCanvasElement>(null), right: useRef<HTMLCanvasElement>(null) };
  const durationMs = givenDuration > 0 ? givenDuration : (peaks?.durationMs ?? 1);

  useEffect(() => {
    let live = true;
    setPeaks(undefined);
    loadPeaks(peaksUrl, recordingUrl).then(
      (p) => live && setPeaks(p),
      (err: unknown) => live && setPeaksError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [peaksUrl, recordingUrl]);

  // Mute and solo become the two gains (solo wins over mute).
  const applyGains = useCallback(() => {
    const g = graph.current;
    if (!g) return;
    for (const lane of ['left', 'right'] as const) {
      const on = solo ? solo === lane : !muted[lane];
      g.gains[lane].gain.setValueAtTime(on ? 1 : 0, g.ctx.currentTime);
    }
  }, [muted, solo]);
  useEffect(applyGains, [applyGains]);

  // The graph is built on the first play (a user gesture), as browsers want for an AudioContext;
  // a media element can be connected once only, so it is kept for the page's life.
  const ensureGraph = useCallback(() => {
    const audio = audioRef.current;
    if (!audio || graph.current) return;
    try {
      const ctx = new AudioContext();
      const source = ctx.createMediaElementSource(audio);
      const splitter = ctx.createChannelSplitter(2);
      const merger = ctx.createChannelMerger(2);
      const gains = { left: ctx.createGain(), right: ctx.createGain() };
      source.connect(splitter);
      splitter.connect(gains.left, 0);
      splitter.connect(gains.right, 1);
      gains.left.connect(merger, 0, 0);
      gains.right.connect(merger, 0, 1);
      merger.connect(ctx.destination);
      graph.current = { ctx, gains };
      applyGains();
    } catch {
      // Without WebAudio the recording still plays, both channels together.
    }
  }, [audioRef, applyGains]);

  const toggle = useCallback(() => {
    const audio = audioRef.current;
    if (!audio) return;
    ensureGraph();
    void graph.current?.ctx.resume();
    if (audio.paused) void audio.play().catch(() => undefined);
    else audio.pause();
  }, [audioRef, ensureGraph]);

  const changeSpeed = useCallback(
    (step: number) => {
      setSpeed((s) => {
        const i = SPEEDS.indexOf(s as (typeof SPEEDS)[number]);
        return SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? 2 : i) + step))]!;
      });
    },
    [],
  );
  useEffect(() => {
    if (audioRef.current) audioRef.current.playbackRate = speed;
  }, [audioRef, speed]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      // Typing in the marking form, or a focused button's own Space, are left alone.
      if (el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'IFRAME'].includes(el.tagName))) return;
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === ' ') toggle();
      else if (e.key === 'ArrowLeft') seek(currentMs - SEEK_STEP_S * 1000);
      else if (e.key === 'ArrowRight') seek(currentMs + SEEK_STEP_S * 1000);
      else if (e.key === '[') changeSpeed(-1);
      else if (e.key === ']') changeSpeed(1);
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [toggle, seek, currentMs, changeSpeed]);

  useEffect(() => {
    if (!peaks) return;
    const colours = { left: '#1f6feb', right: '#8250df' };
    for (const lane of ['left', 'right'] as const) {
      const c = canvases[lane].current;
      if (c) drawLane(c, peaks[lane], peaks.perSecond, durationMs, holds, currentMs, colours[lane]);
    }
  });

  const onCanvasClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    seek(((e.clientX - rect.left) / rect.width) * durationMs);
  };

  return (
    <section aria-label="Recording" className="replay-player" data-testid="waveform-player">
      <audio
        ref={audioRef}
        src={recordingUrl}
        preload="auto"
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => setPlaying(false)}
        data-testid="replay-audio"
      />
      <div className="replay-controls">
        <button type="button" onClick={toggle} aria-pressed={playing}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <button type="button" onClick={() => seek(currentMs - SEEK_STEP_S * 1000)}>
          −5 s
        </button>
        <button type="button" onClick={() => seek(currentMs + SEEK_STEP_S * 1000)}>
          +5 s
        </button>
        <label>
          Speed{' '}
          <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))} data-testid="replay-speed">
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        <span aria-live="off" data-testid="replay-position">
          {clock(currentMs)} / {clock(durationMs)}
        </span>
      </div>
      <Problem error={peaksError && `The waveform could not be drawn: ${peaksError}`} />
      {!peaks && !peaksError && <p className="muted">Drawing the waveform…</p>}
      <div className="replay-lanes" data-peaks-source={peaks?.source}>
        {(['left', 'right'] as const).map((lane) => (
          <div className="replay-lane" key={lane} data-lane={lane === 'left' ? 'candidate' : 'caller'}>
            <div className="replay-lane-controls">
              <strong>{laneNames[lane]}</strong>
              <button type="button" aria-pressed={muted[lane]} onClick={() => setMuted((m) => ({ ...m, [lane]: !m[lane] }))}>
                Mute
              </button>
              <button type="button" aria-pressed={solo === lane} onClick={() => setSolo((s) => (s === lane ? null : lane))}>
                Solo
              </button>
            </div>
            <canvas
              ref={canvases[lane]}
              className="replay-canvas"
              role="img"
              aria-label={`Waveform of ${laneNames[lane]} (${lane} channel); click to seek`}
              onClick={onCanvasClick}
              height={64}
            />
          </div>
        ))}
      </div>
      {peaks?.source === 'decoded' && <p className="muted small">The server has not analysed this recording yet: the waveform was decoded in this browser.</p>}
    </section>
  );
}

// The recorded calls of an attempt, each a player: what the IQA checks a centre's marks against and
// what an assessor marks blind in standardisation.
import type { RecordingLink } from '../../../server/protocol/assurance.js';

export function RecordedCalls({ recordings }: { recordings: readonly RecordingLink[] }) {
  return (
    <>
      {recordings.map((r) => (
        <audio key={r.callId} controls preload="metadata" src={r.url} aria-label="The recorded call" />
      ))}
    </>
  );
}

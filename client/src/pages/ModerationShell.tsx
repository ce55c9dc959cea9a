import { CallList } from '../calls/CallList.js';
import { ModerationHome } from '../moderation/ModerationHome.js';
// The moderator's view: centres' sittings and samples, each attempt's replay (its own page,
// /moderation/attempts/:id), and the recent calls.
export function ModerationShell() {
  return (
    <div className="shell" data-testid="home-moderator">
      <h1>Moderation</h1>
      <ModerationHome />
      <section aria-label="Calls">
        <h2>Calls and recordings</h2>
        <CallList />
      </section>
    </div>
  );
}

import { useCallback, useEffect, useRef, useState } from 'react';
import type { MarkingView, SittingDetail } from '../../../server/protocol/assessment.js';
import { ConflictsPanel } from '../assurance/ConflictsPanel.js';
import { StandardisationMarking } from '../assurance/StandardisationMarking.js';
import { AttemptPanel } from '../console/AttemptPanel.js';
import { CallList } from '../calls/CallList.js';
import { NotYet } from '../components/AsyncState.js';
import { Section } from '../components/Section.js';
import { MarkingForm } from '../marking/MarkingForm.js';
import { useSession } from '../session.js';
import { CallerBrief } from '../sitting/CallerBrief.js';
import { sittings } from '../sitting/sitting-api.js';
import { SittingDetailView } from '../sitting/SittingDetailView.js';
import { SittingsPanel } from '../sitting/SittingsPanel.js';
import { useSitting } from '../sitting/useSitting.js';
import { PhoneProvider } from '../softphone/PhoneContext.js';
import { Softphone } from '../softphone/Softphone.js';

// The centre assessor's console: the centre's sittings (create, run, mark, check identity, sign),
// the caller brief of the sitting's current attempt beside the call controls, a live read-only
// mirror of the candidate's desktop beside their activity in words, the marking form, calls with their recordings, standardisation exercises to
// mark blind, and the assessor's declarations of personal interest.
export function ConsoleShell() {
  const { session } = useSession();
  const [openId, setOpenId] = useState<string>();
  const sitting = useSitting(openId);
  const [listKey, setListKey] = useState(0);
  const [marking, setMarking] = useState<{ attemptId: string; label: string }>();
  const markingRef = useRef<HTMLElement>(null);

  // On arrival, open the sitting this assessor is running (if one is in progress).
  const autoOpened = useRef(false);
  useEffect(() => {
    if (autoOpened.current || !session) return;
    autoOpened.current = true;
    sittings.list().then(
      (list) => {
        const mine = list.find((s) => s.status === 'in-progress' && s.assessor?.id === session.user.id);
        if (mine) setOpenId((cur) => cur ?? mine.id);
      },
      () => {},
    );
  }, [session]);

  const open = useCallback(
    (id: string, d?: SittingDetail) => {
      setOpenId(id);
      setMarking(undefined);
      if (d) window.setTimeout(() => sitting.apply(d), 0);
    },
    [sitting],
  );
  const changed = useCallback(
    (d: SittingDetail) => {
      sitting.apply(d);
      setListKey((k) => k + 1);
    },
    [sitting],
  );
  const openMarking = (attemptId: string, label: string) => {
    setMarking({ attemptId, label });
    window.setTimeout(() => markingRef.current?.focus(), 0);
  };
  const marked = (_v: MarkingView, final: boolean) => {
    void sitting.refresh();
    if (final) setListKey((k) => k + 1);
  };

  const detail = sitting.detail?.id === openId ? sitting.detail : undefined;
  const currentAttemptId = detail?.currentAttemptId ?? undefined;
  const currentPosition = detail?.assignments.find((a) => a.attempts.some((t) => t.attemptId === currentAttemptId))?.position;

  // While an assignment is in progress the call panels (softphone, caller brief, the mirror of the
  // candidate's desktop and their activity) come first and fit one screen (1366×768 included), each scrolling on its own.
  const inProgress = Boolean(detail && currentAttemptId);
  const callPanels = (
    <div className={inProgress ? 'panels call-panels' : 'panels'}>
      <section aria-label="Softphone" className="panel-phone">
        <h2>Softphone</h2>
        <Softphone allowPresentedNumber />
      </section>
      <Section heading="Caller brief" className="panel-brief">
        {detail && currentAttemptId ? (
          <CallerBrief key={currentAttemptId} attemptId={currentAttemptId} candidate={detail.candidate} position={currentPosition} />
        ) : (
          <p className="muted">{detail ? 'No assignment in progress: start one in the sitting above.' : 'No sitting in progress.'}</p>
        )}
      </Section>
      {/* The candidate's desktop mirrored, and their activity in words: the attempt in progress; between assignments, the one being marked. */}
      <AttemptPanel attemptId={currentAttemptId ?? marking?.attemptId} />
    </div>
  );

  return (
    <PhoneProvider>
      <div className="shell" data-testid="home-assessor">
        <h1>Assessor console</h1>
        {inProgress && callPanels}
        <Section heading="Sittings" className="sittings-section">
          <SittingsPanel openId={openId} onOpen={open} reloadKey={listKey} />
          {(sitting.error !== undefined || (openId && !detail)) && <NotYet error={sitting.error} loading="Loading the sitting…" />}
          {detail && (
            <>
              <h2 className="visually-hidden">Open sitting</h2>
              <SittingDetailView
                detail={detail}
                snapshot={sitting.snapshot}
                onChange={changed}
                onMark={openMarking}
                markingAttemptId={marking?.attemptId}
                onRefresh={() => {
                  void sitting.refresh();
                  setListKey((k) => k + 1);
                }}
              />
            </>
          )}
        </Section>
        {!inProgress && callPanels}
        {marking && (
          <section aria-labelledby="console-marking" className="marking-section" ref={markingRef} tabIndex={-1}>
            <div className="row spread">
              <h2 id="console-marking">Marking: {marking.label}</h2>
              <button type="button" className="small" onClick={() => setMarking(undefined)}>
                Close marking
              </button>
            </div>
            <MarkingForm key={marking.attemptId} attemptId={marking.attemptId} onSaved={marked} heading="Criteria" />
          </section>
        )}
        <section aria-label="Calls">
          <h2>Calls and recordings</h2>
          <CallList />
        </section>
        <div className="two-col">
          <Section heading="Standardisation">
            <StandardisationMarking />
          </Section>
          <Section heading="Personal interests">
            <ConflictsPanel />
          </Section>
        </div>
      </div>
    </PhoneProvider>
  );
}

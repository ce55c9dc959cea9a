// Polls a condition until it holds (every 25 ms), or fails after `ms`: for server state that a
// test cannot await directly (a call row, a timeline event written by the B2BUA), or a page's state
// read with page.evaluate (an async condition). `what` names it in the failure.
export async function until(cond: () => boolean | Promise<boolean>, ms = 5000, what?: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(what ? `timed out waiting for ${what}` : 'condition not met in time');
    await sleep(25);
  }
}

/** Lets `ms` pass: media flowing for a while, a call held for a while (never to wait for a state: use `until`). */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Polls a condition until it holds (every 25 ms), or fails after `ms`: for server state that a
// test cannot await directly (a call row, a timeline event written by the B2BUA).
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

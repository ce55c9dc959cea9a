// An async function as a React event handler. React ignores what a handler returns, so the promise
// would float and a failure the handler did not turn into a message on screen would vanish. The
// handlers show their own errors; whatever still escapes one is logged here, never lost silently.
export function handled<E>(handler: (event: E) => Promise<unknown>): (event: E) => void {
  return (event) => {
    handler(event).catch((err: unknown) => console.error('An action on this page failed:', err));
  };
}

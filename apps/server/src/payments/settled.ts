/**
 * Start a promise now, read its value later: `await read()` gives the value or throws its error
 * then. Until read, a rejection is held (never an unhandled rejection), so facts fetched ahead
 * for checks that end up not running cannot crash the process.
 */
export function settled<T>(promise: Promise<T>): () => Promise<T> {
  const outcome = promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return async () => {
    const result = await outcome;
    if (!result.ok) throw result.error;
    return result.value;
  };
}

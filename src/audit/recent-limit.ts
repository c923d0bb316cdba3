/** The largest number of events that one `recent()` call returns. */
export const MAX_RECENT_EVENTS = 500;

/**
 * Checks the `limit` of a `recent()` call and caps it at MAX_RECENT_EVENTS. Raises
 * RangeError, naming the value, when it is not a whole number of at least 1.
 */
export function checkRecentLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`audit limit ${limit} is invalid: use a whole number of at least 1`);
  }
  return Math.min(limit, MAX_RECENT_EVENTS);
}

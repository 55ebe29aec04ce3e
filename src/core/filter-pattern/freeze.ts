/**
 * Deep freezing, for values the engine hands to many callers from a memo or cache (parsed patterns,
 * cached decisions and their witness events): one caller must not be able to change what the next
 * one reads.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

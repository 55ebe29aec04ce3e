/**
 * The once-only key store port (the replay cache): request signatures and other keys that must be
 * accepted once, by whichever replica sees them first, and still refused after a restart.
 */

export interface OnceKeyStore {
  /**
   * Remembers `key` until `expiresAt` (ISO). True for exactly one caller: the first to present the key,
   * across processes sharing the store; false while the key is remembered. Keys whose expiry is at or
   * before `now` may be purged, after which the key counts as new again, so callers pick an expiry past
   * the time the key could still be accepted. The key (it may be a request signature) never appears in
   * an error message.
   */
  rememberOnce(key: string, expiresAt: string, now: Date): Promise<boolean>;
}

/**
 * How a subscription endpoint appears in findings, which anyone in a channel can ask to see: an https
 * endpoint's path and query often carry a secret (PagerDuty and Opsgenie integration keys, webhook
 * tokens), and an SMS number is personal, so only what identifies the destination is kept.
 */
export function displayEndpoint(protocol: string, endpoint: string): string {
  if (protocol === 'http' || protocol === 'https') {
    try {
      const url = new URL(endpoint);
      return url.pathname === '/' && url.search === '' ? url.origin : `${url.origin}/…`;
    } catch {
      return `${protocol} endpoint`;
    }
  }
  if (protocol === 'sms') return endpoint.length > 4 ? `…${endpoint.slice(-4)}` : '…';
  return endpoint;
}

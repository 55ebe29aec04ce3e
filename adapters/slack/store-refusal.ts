/**
 * The answer to a signed Slack request the bot cannot take because its store failed before the ack
 * (the replay check is a write): the request is refused explicitly, with the store's "database
 * unavailable, reference …" text and a reference that finds the log line, never silently dropped.
 *
 * Slack shows nothing of a non-200 answer but a generic error ("dispatch_failed"), so the refusal is
 * answered 200 in Slack's own terms: a slash command gets the text as its ephemeral response body (Slack
 * shows it to the user at once); a button click's response body is ignored by Slack, so the click is
 * acknowledged and the text goes to the clicker through the click's response_url (ephemeral, the
 * clicked message left as it is). Anything else gets a JSON 503 with the reference.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '@slack/bolt';
import type { Response } from 'express';
import { StoreError } from '../../src/core/ports/store';
import { FORM_CONTENT_TYPE } from './request-shape';

/** How long posting the refusal to a click's response_url may take. */
const RESPONSE_URL_TIMEOUT_MS = 5000;

/** The click's response_url when the body is a block_actions payload that has one. */
function clickResponseUrl(form: URLSearchParams): string | undefined {
  const payload = form.get('payload');
  if (payload === null) return undefined;
  try {
    const url = (JSON.parse(payload) as { response_url?: unknown }).response_url;
    return typeof url === 'string' && /^https?:\/\//.test(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Answers `res` for a request refused because the store failed; logs the failure under a reference. */
export function refuseForStoreFailure(
  error: unknown,
  request: { contentType: string | undefined; body: Buffer },
  res: Response,
  logger: Logger,
): void {
  const ref = randomBytes(4).toString('hex');
  const kind = error instanceof StoreError ? error.kind : 'failed';
  // Fail closed: without the replay check the request must not run.
  logger.error({ event: 'slack.request.replay_check_failed', ref, kind, error });
  const text = StoreError.chatText(ref, kind);
  const form =
    request.contentType === FORM_CONTENT_TYPE
      ? new URLSearchParams(request.body.toString('utf8'))
      : undefined;
  if (form?.has('command')) {
    res.status(200).json({ response_type: 'ephemeral', text });
    return;
  }
  const responseUrl = form && clickResponseUrl(form);
  if (responseUrl !== undefined) {
    res.status(200).send();
    void fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
      signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
    }).catch((postError: unknown) =>
      logger.warn({ event: 'slack.request.refusal_not_shown', ref, error: postError }),
    );
    return;
  }
  res.status(503).set('Retry-After', '30').json({ error: text, ref });
}

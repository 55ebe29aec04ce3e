/**
 * What a signed Slack request must look like before Bolt sees it: the `/cis` slash command, or a click
 * on one of cis-bot's buttons (`payload` JSON of type block_actions). Bolt answers anything else late or
 * badly: no listener matches a payload without the fields it routes on, so Slack's request waits for
 * Bolt's 3-second timeout and gets a 404; a payload missing what the listeners read fails with a 500;
 * another content type is parsed as JSON. Such a request is signed, so it came through Slack, but it is
 * not one Slack sends for this app: it is answered 400 at once (after the signature check, so unsigned
 * requests still get 401 and learn nothing).
 */

/** Slack sends commands and interactivity form-encoded, with exactly this content type (Bolt relies on it). */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Why a slash-command form is not one cis-bot handles, or undefined when it is. */
function commandProblem(form: URLSearchParams, command: string): string | undefined {
  if (form.get('command') !== command) return `not the ${command} command`;
  for (const field of ['user_id', 'channel_id', 'response_url']) {
    if (!nonEmpty(form.get(field))) return `the command has no ${field}`;
  }
  return undefined;
}

/** Why an interaction payload is not a click on one of cis-bot's buttons, or undefined when it is. */
function payloadProblem(text: string, actionPattern: RegExp): string | undefined {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return 'the payload is not JSON';
  }
  if (!isRecord(payload)) return 'the payload is not a JSON object';
  if (payload.type !== 'block_actions') return 'not a button click (block_actions)';
  if (!isRecord(payload.user) || !nonEmpty(payload.user.id)) return 'the click names no user';
  const actions = payload.actions;
  if (!Array.isArray(actions) || actions.length === 0) return 'the click has no action';
  for (const action of actions) {
    if (!isRecord(action) || !nonEmpty(action.action_id) || !nonEmpty(action.type))
      return 'an action has no action_id or type';
    if (!actionPattern.test(action.action_id)) return 'not a click on a cis-bot button';
  }
  return undefined;
}

/** Why an Events API request is not one of the events the app listens to (or Slack's URL check). */
function eventProblem(body: Buffer, events: readonly string[]): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return 'the event is not JSON';
  }
  if (!isRecord(parsed)) return 'the event is not a JSON object';
  if (parsed.type === 'url_verification' && nonEmpty(parsed.challenge)) return undefined;
  if (parsed.type !== 'event_callback' || !isRecord(parsed.event)) return 'not an event callback';
  const type = parsed.event.type;
  return typeof type === 'string' && events.includes(type) ? undefined : 'not an event cis-bot listens to';
}

/**
 * Why a signed request to the Slack endpoint is malformed (a short reason for the log and the 400), or
 * undefined when Bolt's listeners can take it. `events`: the Events API events expected too (JSON).
 */
export function malformedBecause(
  contentType: string | undefined,
  body: Buffer,
  expected: { command: string; actionPattern: RegExp; events?: readonly string[] },
): string | undefined {
  if (expected.events !== undefined && contentType?.split(';')[0]?.trim() === 'application/json') {
    return eventProblem(body, expected.events);
  }
  if (contentType !== FORM_CONTENT_TYPE) return `the content type is not ${FORM_CONTENT_TYPE}`;
  const form = new URLSearchParams(body.toString('utf8'));
  const payload = form.get('payload');
  if (payload !== null) return payloadProblem(payload, expected.actionPattern);
  if (form.has('command')) return commandProblem(form, expected.command);
  return 'neither a slash command nor a button click';
}

/**
 * The Web API client options every Slack client of the bot uses, in HTTP and Socket Mode alike: the
 * bot's WebClient (Bolt's App), the Socket Mode client's (apps.connections.open) and the OAuth
 * installer's (oauth.v2.access). `SLACK_API_URL` (GovSlack, a gateway, tests) must reach all of them:
 * a client left at the default address would talk to slack.com with a token meant elsewhere.
 */
import type { WebClientOptions } from '@slack/web-api';
import type { EnvConfig } from '../../src/config/schema';

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Where Web API calls go and how they are retried (the bot's own calls: commands, cards, lookups). */
export function slackClientOptions(slackEnv: EnvConfig['slack']): WebClientOptions {
  return {
    ...(slackEnv?.apiUrl ? { slackApiUrl: withSlash(slackEnv.apiUrl) } : {}),
    // A few quick retries on network errors and 429s (the client waits out Retry-After), not the
    // default half hour: a command's result is stale long before that.
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 10_000, randomize: true },
  };
}

/**
 * The same options for the clients that connect rather than answer (Socket Mode's apps.connections.open,
 * the installer): the address applies, the retry policy is theirs (Socket Mode keeps trying to reconnect
 * for as long as Slack is unreachable, which is what a bot without a public URL needs).
 */
export function slackConnectionClientOptions(slackEnv: EnvConfig['slack']): WebClientOptions {
  const { retryConfig: _bounded, ...rest } = slackClientOptions(slackEnv);
  return rest;
}

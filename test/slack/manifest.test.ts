/** The app manifest agrees with the adapter: the command, the endpoint path and the scopes it needs. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { REDIRECT_PATH } from '../../adapters/slack/oauth';
import { UNINSTALL_EVENTS } from '../../adapters/slack/per-installation';
import { SLACK_EVENTS_PATH, SLASH_COMMAND } from '../../adapters/slack/slack-adapter';

interface Manifest {
  features: { slash_commands: Array<{ command: string; url: string }> };
  oauth_config: { redirect_urls: string[]; scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
    socket_mode_enabled: boolean;
  };
}

describe('slack-app-manifest.yaml', () => {
  const manifest = parse(readFileSync('slack-app-manifest.yaml', 'utf8')) as Manifest;

  it('declares /cis and interactivity on the adapter endpoint', () => {
    const [command] = manifest.features.slash_commands;
    expect(command?.command).toBe(SLASH_COMMAND);
    expect(new URL(command?.url ?? '').pathname).toBe(SLACK_EVENTS_PATH);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(SLACK_EVENTS_PATH);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('names the OAuth redirect route and the uninstall events the adapter serves', () => {
    expect(manifest.oauth_config.redirect_urls.map((u) => new URL(u).pathname)).toEqual([REDIRECT_PATH]);
    expect(new URL(manifest.settings.event_subscriptions.request_url).pathname).toBe(SLACK_EVENTS_PATH);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual([...UNINSTALL_EVENTS]);
  });

  it('asks for the scopes the adapter uses, and no more', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
      'chat:write',
      'chat:write.public',
      'commands',
      'usergroups:read',
    ]);
  });
});

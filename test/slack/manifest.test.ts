/** The app manifest agrees with the adapter: the command, the endpoint path and the scopes it needs. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SLACK_EVENTS_PATH, SLASH_COMMAND } from '../../adapters/slack/slack-adapter';

interface Manifest {
  features: { slash_commands: Array<{ command: string; url: string }> };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url: string }; socket_mode_enabled: boolean };
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

  it('asks for the scopes the adapter uses, and no more', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
      'chat:write',
      'chat:write.public',
      'commands',
      'usergroups:read',
    ]);
  });
});

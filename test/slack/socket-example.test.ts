/** The README's Socket Mode example runs: connected, acknowledged, the audit's result posted. */
import { runSocketModeExample } from '../../examples/slack-socket-mode';

it('examples/slack-socket-mode.ts connects over the socket and answers /cis 4.1 audit', async () => {
  const lines = await runSocketModeExample(() => undefined);
  expect(lines).toEqual([
    'cis-bot connected to Slack over a WebSocket (connections: 1, HTTP server: none)',
    expect.stringMatching(/^Slack received the ack of \/cis 4\.1 audit/),
    expect.stringMatching(/^Posted in #sec-ops: CIS 4\.1 audit: 0 of 1 account compliant/),
  ]);
});

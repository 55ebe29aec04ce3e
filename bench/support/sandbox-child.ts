/**
 * The sandbox in a process of its own, for benchmarks that stand it in for a remote AWS endpoint (whose
 * CPU and memory are not the bot's). Started by `sandboxProcess` (sandbox-process.ts) with an IPC
 * channel: it receives the sandbox's options, answers with its endpoint, then serves requests for an
 * account's credentials and the call records' counts (and a new latency per call) until it is told to stop.
 */
import { type SandboxOptions, startSandbox } from '../../src/sandbox';

export type ChildRequest =
  | { id: number; type: 'credentials'; accountId: string }
  | { id: number; type: 'calls' }
  | { id: number; type: 'reset' }
  | { id: number; type: 'latency'; ms: number }
  | { id: number; type: 'close' };

export interface CallCounts {
  calls: number;
  throttled: number;
}

const THROTTLED = /Throttl|TooManyRequests/i;

function send(message: unknown): void {
  process.send?.(message);
}

process.once('message', (options: SandboxOptions) => {
  startSandbox(options).then(
    (sandbox) => {
      send({ ready: true, endpoint: sandbox.endpoint });
      process.on('message', (req: ChildRequest) => {
        switch (req.type) {
          case 'credentials':
            send({ id: req.id, value: sandbox.credentialsFor(req.accountId) });
            return;
          case 'calls': {
            const counts: CallCounts = {
              calls: sandbox.calls.length,
              throttled: sandbox.calls.filter((c) => THROTTLED.test(c.errorCode ?? '')).length,
            };
            send({ id: req.id, value: counts });
            return;
          }
          case 'reset':
            sandbox.resetCalls();
            send({ id: req.id, value: null });
            return;
          case 'latency':
            sandbox.setFaults({ latencyMs: req.ms });
            send({ id: req.id, value: null });
            return;
          case 'close':
            sandbox.close().then(
              () => {
                send({ id: req.id, value: null });
                process.disconnect?.();
              },
              () => process.exit(1),
            );
            return;
        }
      });
    },
    (error: unknown) => {
      send({ ready: false, error: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
});

/**
 * A recording tap between the AWS SDK clients and the sandbox: a loopback HTTP server that notes each
 * request the moment it arrives (in a sequence the test shares with other events, e.g. Slack acks), then
 * forwards it unchanged to the sandbox and relays the answer. It tells which account a call is for: the
 * role's account for AssumeRole, the account behind the access key otherwise (base credentials, or a
 * session AssumeRole handed out). Ordering tests use it to show what happened before what.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../src/sandbox';

export interface TappedCall {
  /** Position in the shared sequence, taken when the request arrived (before its body). */
  seq: number;
  accessKeyId: string;
  /** `AssumeRole`, `DescribeTrails`, … (known once the body has been read). */
  operation: string;
  /** For AssumeRole: the account of the role asked for. */
  roleAccount?: string;
}

export class AwsCallTap {
  readonly calls: TappedCall[] = [];
  private target: Sandbox | undefined;

  private constructor(
    private readonly server: Server,
    private readonly nextSeq: () => number,
  ) {}

  /** `nextSeq` hands out positions in the test's shared sequence. */
  static async start(nextSeq: () => number): Promise<AwsCallTap> {
    let tap: AwsCallTap | undefined;
    const server = createServer((req, res) => {
      const call: TappedCall = {
        seq: tap?.nextSeq() ?? -1,
        accessKeyId: /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '',
        operation:
          String(req.headers['x-amz-target'] ?? '')
            .split('.')
            .pop() ?? '',
      };
      tap?.calls.push(call);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (call.operation === '') {
          const form = new URLSearchParams(body.toString('utf8'));
          call.operation = form.get('Action') ?? '';
          const roleArn = form.get('RoleArn');
          if (roleArn) call.roleAccount = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(roleArn)?.[1] ?? '';
        }
        const sandbox = tap?.target;
        if (!sandbox) {
          res.writeHead(503).end();
          return;
        }
        const { hostname, port } = new URL(sandbox.endpoint);
        const forward = request(
          { hostname, port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.writeHead(502).end());
        forward.end(body);
      });
    });
    tap = new AwsCallTap(server, nextSeq);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return tap;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  forwardTo(sandbox: Sandbox): void {
    this.target = sandbox;
  }

  /** The account a call acts on (after the run: sessions are looked up in the sandbox's state). */
  accountOf(call: TappedCall): string | undefined {
    if (call.roleAccount !== undefined) return call.roleAccount;
    const state = this.target?.state;
    if (!state) return undefined;
    const session = state.sessions.get(call.accessKeyId);
    if (session) return session.accountId;
    for (const account of state.accounts.values())
      if (account.accessKeyId === call.accessKeyId) return account.id;
    return undefined;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

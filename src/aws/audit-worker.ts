/**
 * The entry of an audit worker thread (audit-workers.ts starts it): makes its own AwsSession equal to
 * the main thread's from the session's description, then audits each account it is sent exactly as an
 * in-process audit does (auditAccount, the account's clients and role session released after), and
 * posts back the account's row of verdicts with the AWS calls its session counted meanwhile. The
 * session's log records go to the main thread's logger, which redacts and writes them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getControl } from '../core/controls/registry';
import type { LogFields, Logger, LogLevelName } from '../core/ports/logger';
import { type AwsCallEvent, type Metrics, NO_METRICS } from '../core/ports/metrics';
import { accountRow, auditAccount, MissingCredentialsError } from './account-audit';
import type { FromWorker, ToWorker, WorkerSetup } from './audit-workers';
import { AwsSession, type SdkClientConfig } from './session';

const port = parentPort;
if (!port) throw new Error('audit-worker.ts runs as a worker thread (audit-workers.ts starts it)');
const setup = workerData as WorkerSetup;
const post = (message: FromWorker) => port.postMessage(message);

/** Calls counted since the last message; they travel with the next row (or the periodic flush). */
let calls: AwsCallEvent[] = [];
const metrics: Metrics | undefined = setup.measured
  ? { ...NO_METRICS, awsCall: (event) => void calls.push(event) }
  : undefined;
const takeCalls = () => {
  const out = calls;
  calls = [];
  return out;
};
// Calls that end after their account's row (an account stopped by its timeout) are not lost.
setInterval(() => {
  if (calls.length > 0) post({ type: 'calls', calls: takeCalls() });
}, 1000).unref();

const forward =
  (level: LogLevelName) =>
  (msg: string, fields?: LogFields): void => {
    try {
      post({ type: 'log', level, msg, ...(fields ? { fields } : {}) });
    } catch {
      // A field that cannot be copied to the main thread: the record without its fields.
      post({ type: 'log', level, msg });
    }
  };
const logger: Logger | undefined = setup.logs
  ? { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') }
  : undefined;

const { clientConfig, ...sessionOptions } = setup.session;
const session = new AwsSession({
  ...sessionOptions,
  clientConfig: clientConfig as SdkClientConfig,
  ...(logger ? { logger } : {}),
  ...(metrics ? { metrics } : {}),
});
const controls = setup.controls.map((id) => getControl(id));

async function audit(index: number, accountId: string): Promise<void> {
  try {
    const out = await auditAccount(
      { ...setup.settings, controls, session, region: setup.region, now: () => new Date() },
      accountId,
    );
    // A worker audits many accounts: it keeps only those in flight.
    session.release(accountId);
    post({ type: 'row', index, ...accountRow(out), calls: takeCalls() });
  } catch (error) {
    // auditAccount throws only a run-wide problem (no credentials at all); anything else is a bug to see.
    post({
      type: 'fatal',
      missingCredentials: error instanceof MissingCredentialsError,
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'audit') void audit(message.index, message.accountId);
});

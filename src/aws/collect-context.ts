/**
 * What every part of one account's collection shares: the request (which controls, whose clients), the
 * call counter, the once-per-resource memo (shared resources are read once however many trails or
 * controls lead to them), the per-account abort signal, and the snapshot parts being filled in. Each
 * AWS call goes through `probe`, which counts it and turns any failure into a Probe error naming the IAM
 * action, so nothing downstream ever mistakes an AccessDenied for "nothing there".
 */
import type { MetricFilterControl } from '../core/controls/types';
import type { AcceptedDeviation } from '../core/evaluate/accepted-deviations';
import {
  type AccountAccess,
  type LogGroupSnapshot,
  type MetricAlarmsSnapshot,
  type Probe,
  probeError,
  probeOk,
  type TopicSnapshot,
} from '../core/snapshot';
import { classifyError } from './errors';
import type { AwsClients } from './session';

export interface CollectRequest {
  /** The audited account, or a promise of it (current credentials: GetCallerIdentity runs beside DescribeTrails). */
  accountId: string | Promise<string>;
  label?: string;
  access: AccountAccess;
  auditRegion: string;
  /** The chain controls whose patterns (and variants) decide which metrics' alarms are read. */
  controls: readonly MetricFilterControl[];
  /** Named deviations of those controls: the metrics of the filters they accept are read too. */
  deviations?: readonly AcceptedDeviation[];
  /** Read Security Hub in the regions in use (a CIS 4.16 service check is audited). */
  securityHub?: boolean;
  /** Clients of the audited account. */
  home: (region: string) => AwsClients;
  /** Clients of another account the chain leads to; throws UnreachableAccountError when there is no role. */
  other: (accountId: string, region: string) => AwsClients;
  /** Aborts every call still running (the account's audit timed out). */
  signal?: AbortSignal;
  now?: () => Date;
}

/** The SDK's per-call options: the account's abort signal, when there is one. */
export type SendOptions = { abortSignal?: AbortSignal };

export class CollectContext {
  calls = 0;
  readonly logGroups: Record<string, LogGroupSnapshot> = {};
  readonly metricAlarms: Record<string, MetricAlarmsSnapshot> = {};
  readonly topics: Record<string, TopicSnapshot> = {};
  readonly send: SendOptions;
  private readonly memo = new Map<string, Promise<unknown>>();
  private account = '';

  constructor(readonly req: CollectRequest) {
    this.send = req.signal ? { abortSignal: req.signal } : {};
  }

  get accountId(): string {
    return this.account;
  }

  setAccount(accountId: string): void {
    this.account = accountId;
  }

  /** Runs `work` once per key; later callers share its promise. */
  once<T>(key: string, work: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = work();
      this.memo.set(key, p);
    }
    return p;
  }

  /** One AWS call (or page): counted, and any failure turned into a Probe error naming the action. */
  async probe<T>(action: string, call: () => Promise<T>): Promise<Probe<T>> {
    this.calls++;
    try {
      return probeOk(await call());
    } catch (error) {
      return probeError(classifyError(error, action));
    }
  }

  /** Clients for wherever a resource lives; an unreachable account becomes a probe error. */
  clients(accountId: string, region: string): Probe<AwsClients> {
    try {
      return probeOk(accountId === this.account ? this.req.home(region) : this.req.other(accountId, region));
    } catch (error) {
      return probeError(classifyError(error, 'sts:AssumeRole'));
    }
  }
}

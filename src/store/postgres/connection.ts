/**
 * What every part of the PostgreSQL store shares: the connection pool (node-postgres), the store's clock,
 * one query helper and one transaction helper, both bounded in time, and the translation of any driver
 * failure into a StoreError that says what was being done. No global state: the pool's type parsers and
 * timeouts are its own, so several stores (replicas in a test, other databases) live side by side.
 *
 * Time bounds: a connection is awaited at most `connectTimeoutMs` (a new one, or a pooled one when all
 * are busy), the server cancels a statement after `statementTimeoutMs`, and the client gives up on a
 * server that stopped answering shortly after that; so a call that cannot proceed fails fast.
 *
 * Two lanes: the pool of `poolSize` connections serves everything else (audit runs, the audit log,
 * leases, schedules: the background work of audits and remediations), and a lane of ACK_LANE_SIZE
 * connections of its own, opened with the store and kept open, serves the short statements a chat
 * platform waits for before its ack: the replay check of every Slack request (once-keys.ts) and a click's
 * decision (an approval's read and its compare-and-set, an exception's revocation). Measured with
 * bench/store-ack.ts (50 commands at once): replay checks queued in the pool behind other statements and
 * behind connections still being opened (10-80 ms each under load); on their own lane they wait for
 * neither. A replica therefore opens up to `poolSize + ACK_LANE_SIZE` connections.
 */
import pg from 'pg';
import { StoreError } from '../../core/ports/store';

export interface PostgresSettings {
  /** postgres:// or postgresql:// connection string (TLS with `sslmode` in it). */
  url: string;
  /** Connections in the pool. */
  poolSize: number;
  /** How long a call waits for a connection (new, or free in the pool), in ms. */
  connectTimeoutMs: number;
  /** How long the server may run one statement, in ms (its `statement_timeout`). */
  statementTimeoutMs: number;
}

/** Past the server's own statement timeout, how long the client still waits for an answer. */
const CLIENT_MARGIN_MS = 1000;

/** Connections kept open for the ack path (see the header): two, so one slow answer does not hold it. */
export const ACK_LANE_SIZE = 2;

/**
 * Which connections a statement uses: `background` (the pool) or `ack`, the lane kept for statements a
 * chat platform waits for before its ack (replay checks, decisions). Only short one-row statements go
 * on the ack lane.
 */
export type Lane = 'background' | 'ack';

const JSON_OID = 114;
const JSONB_OID = 3802;
const INT8_OID = 20;

/**
 * JSON columns come back as text, as from SQLite (the shared row mapping parses them), and 64-bit
 * integers (sequence numbers, epoch milliseconds: far below 2^53) as numbers.
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === JSON_OID || oid === JSONB_OID) return (text: string) => text;
    if (oid === INT8_OID) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** Runs statements on one connection (inside a transaction: see `PgConnection#transaction`). */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: readonly unknown[],
  ): Promise<pg.QueryResult<R>>;
}

function messageOf(cause: unknown): string {
  const message = (cause as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(cause);
}

/**
 * False for a failure that leaves the connection usable: an error the server sent about the statement,
 * or our own refusal; true for a lost socket, a client-side time-out or a fatal server error.
 */
function mayBreakConnection(cause: unknown): boolean {
  if (cause instanceof StoreError) return false;
  const severity = (cause as { severity?: unknown } | null)?.severity;
  return typeof severity !== 'string' || severity === 'FATAL' || severity === 'PANIC';
}

/** SQLSTATEs that say the server cannot serve now: connection exceptions, shutting down, overloaded, timed out. */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-4]$|57014$|55P03$)/;
/** Node's codes for a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True when `cause` says the database cannot be reached or did not answer in time (the store's kind
 * 'unavailable'), rather than refusing the statement itself.
 */
function cannotReachDatabase(cause: unknown, closed: boolean): boolean {
  if (closed) return true;
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  return /timeout exceeded when trying to connect|terminated due to connection timeout|Connection terminated|Query read timeout|after calling end on the pool|Client has encountered a connection error/i.test(
    messageOf(cause),
  );
}

export class PgConnection {
  readonly pool: pg.Pool;
  /** The ack lane's connections (ACK_LANE_SIZE, kept open): see the header. */
  readonly ackPool: pg.Pool;
  readonly now: () => Date;
  readonly settings: PostgresSettings;
  private closed = false;
  /** Checked-out connections that must be discarded rather than returned to the pool. */
  private readonly broken = new WeakSet<pg.PoolClient>();

  constructor(settings: PostgresSettings, now: () => Date, onIdleError: (error: Error) => void) {
    this.settings = settings;
    this.now = now;
    const options: pg.PoolConfig = {
      connectionString: settings.url,
      max: settings.poolSize,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      statement_timeout: settings.statementTimeoutMs,
      query_timeout: settings.statementTimeoutMs + CLIENT_MARGIN_MS,
      // A replica that stalls inside a transaction must not hold its row locks for long.
      idle_in_transaction_session_timeout: Math.max(5000, settings.statementTimeoutMs * 5),
      keepAlive: true,
      application_name: 'cis-bot',
      types: TYPES,
    };
    this.pool = new pg.Pool(options);
    // Kept open (min = max, no idle time-out): opening a connection on the ack path costs more than the
    // statement. A connection the server dropped is replaced on the next call, as in the pool.
    this.ackPool = new pg.Pool({
      ...options,
      max: ACK_LANE_SIZE,
      min: ACK_LANE_SIZE,
      idleTimeoutMillis: 0,
      application_name: 'cis-bot ack',
    });
    // An idle connection the server dropped (a restart, a failover): the pool discards it and opens a
    // new one on the next call. Without a listener the process would crash.
    this.pool.on('error', onIdleError);
    this.ackPool.on('error', onIdleError);
  }

  /** Opens the ack lane's connections now (the store's start-up), so the first acks do not wait for them. */
  async openAckLane(): Promise<void> {
    const clients: pg.PoolClient[] = [];
    try {
      for (let i = 0; i < ACK_LANE_SIZE; i++) clients.push(await this.ackPool.connect());
    } catch (cause) {
      throw this.storeError('open the connections kept for acknowledgements', cause);
    } finally {
      for (const client of clients) client.release();
    }
  }

  /** Runs one statement; its rows. */
  async rows<R>(
    what: string,
    sql: string,
    values: readonly unknown[] = [],
    lane: Lane = 'background',
  ): Promise<R[]> {
    const result = await this.withClient(what, (client) => client.query(sql, values as unknown[]), lane);
    return result.rows as R[];
  }

  /** Runs one statement; how many rows it changed. */
  async count(
    what: string,
    sql: string,
    values: readonly unknown[] = [],
    lane: Lane = 'background',
  ): Promise<number> {
    const result = await this.withClient(what, (client) => client.query(sql, values as unknown[]), lane);
    return result.rowCount ?? 0;
  }

  /**
   * Runs `work` in a transaction on one connection: committed when it resolves, rolled back when it
   * rejects. `statementTimeoutMs` overrides the statement timeout inside it (migrations wait longer).
   */
  transaction<T>(
    what: string,
    work: (tx: Queryable) => Promise<T>,
    options: { statementTimeoutMs?: number; lane?: Lane } = {},
  ): Promise<T> {
    return this.withClient(
      what,
      async (client) => {
        const timeout = Math.trunc(options.statementTimeoutMs ?? this.settings.statementTimeoutMs);
        // The client gives up shortly after the server's own timeout (a server that stopped answering).
        const tx: Queryable = {
          query: <R extends pg.QueryResultRow>(text: string, values?: readonly unknown[]) => {
            // node-postgres reads a per-query `query_timeout` that its type definitions do not declare.
            const config = { text, values: values as unknown[], query_timeout: timeout + CLIENT_MARGIN_MS };
            return client.query<R>(config as pg.QueryConfig);
          },
        };
        await tx.query('BEGIN');
        try {
          if (options.statementTimeoutMs !== undefined) {
            await tx.query(`SET LOCAL statement_timeout = ${timeout}; SET LOCAL lock_timeout = ${timeout}`);
          }
          const result = await work(tx);
          await tx.query('COMMIT');
          return result;
        } catch (cause) {
          // A connection that cannot roll back is discarded, which ends the transaction on the server.
          if (mayBreakConnection(cause)) this.broken.add(client);
          else await tx.query('ROLLBACK').catch(() => this.broken.add(client));
          throw cause;
        }
      },
      options.lane,
    );
  }

  /**
   * Checks a connection out for `work` and returns it; a connection that may be broken (lost, timed out
   * on the client side) is discarded instead. Every failure becomes a StoreError naming `what`.
   */
  private async withClient<T>(
    what: string,
    work: (client: pg.PoolClient) => Promise<T>,
    lane: Lane = 'background',
  ): Promise<T> {
    if (this.closed) throw new StoreError(`could not ${what}: the store is closed`, { kind: 'unavailable' });
    let client: pg.PoolClient;
    try {
      client = await (lane === 'ack' ? this.ackPool : this.pool).connect();
    } catch (cause) {
      throw this.storeError(what, cause);
    }
    // A connection that dies while checked out emits 'error': without this listener the process would crash.
    const onError = () => this.broken.add(client);
    client.on('error', onError);
    try {
      return await work(client);
    } catch (cause) {
      if (mayBreakConnection(cause)) this.broken.add(client);
      throw this.storeError(what, cause);
    } finally {
      client.off('error', onError);
      // Releasing with an error makes the pool close the connection instead of reusing it.
      client.release(this.broken.has(client) ? new Error('connection discarded') : undefined);
    }
  }

  /** A StoreError for `cause`, saying what was being done and, for time-outs, which bound was hit. */
  storeError(what: string, cause: unknown): StoreError {
    if (cause instanceof StoreError) return cause;
    const message = messageOf(cause);
    const code = (cause as { code?: unknown } | null)?.code;
    let detail = message;
    if (/timeout exceeded when trying to connect|terminated due to connection timeout/i.test(message)) {
      detail =
        `no database connection within ${this.settings.connectTimeoutMs} ms (the server does not answer, ` +
        `or all ${this.settings.poolSize} pooled connections are busy)`;
    } else if (code === '57014' && /statement timeout/i.test(message)) {
      detail = `the database did not finish within ${this.settings.statementTimeoutMs} ms (statement timeout)`;
    } else if (/Query read timeout/i.test(message)) {
      detail = `the database did not answer within ${this.settings.statementTimeoutMs + CLIENT_MARGIN_MS} ms`;
    } else if (/after calling end on the pool/i.test(message)) {
      detail = 'the store is closed';
    }
    return new StoreError(`could not ${what}: ${detail}`, {
      cause,
      kind: cannotReachDatabase(cause, this.closed) ? 'unavailable' : 'failed',
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await Promise.all([this.pool.end(), this.ackPool.end()]);
    } catch (cause) {
      throw new StoreError(`could not close the database connections: ${messageOf(cause)}`, { cause });
    }
  }
}

/**
 * Which database the configuration names: the SQLite file by default (store.path, CIS_BOT_DB), PostgreSQL
 * when a URL is set (store.url, DATABASE_URL) with its pool and time bounds; a URL together with a path
 * is refused naming both settings, and a URL that is not PostgreSQL's is refused without its password.
 */
import { loadConfig } from '../../src/config/load';
import { ConfigError } from '../../src/core/errors';

const URL_ = 'postgres://cis_bot:S3CRET-pw@db.internal:5432/cis_bot?sslmode=verify-full';

function store(document: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  return loadConfig({ document: { store: document }, env }).store;
}

function refusal(document: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Error {
  try {
    store(document, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as Error;
  }
  throw new Error('expected a configuration error');
}

describe('store configuration', () => {
  it('is the SQLite file cis-bot.db by default, store.path or CIS_BOT_DB otherwise', () => {
    expect(store({})).toEqual({ kind: 'sqlite', path: 'cis-bot.db' });
    expect(store({ path: '/data/a.db' })).toEqual({ kind: 'sqlite', path: '/data/a.db' });
    expect(store({ path: '/data/a.db' }, { CIS_BOT_DB: '/data/b.db' })).toEqual({
      kind: 'sqlite',
      path: '/data/b.db',
    });
    // Pool settings are allowed (and unused) with SQLite, so one file can serve both set-ups.
    expect(store({ pool_size: 3 })).toEqual({ kind: 'sqlite', path: 'cis-bot.db' });
  });

  it('is PostgreSQL when a URL is set, with short default time bounds and a pool of 10', () => {
    const expected = {
      kind: 'postgres',
      url: URL_,
      pool_size: 10,
      connect_timeout_ms: 1000,
      statement_timeout_ms: 1000,
    };
    expect(store({}, { DATABASE_URL: URL_ })).toEqual(expected);
    expect(store({ url: URL_ })).toEqual(expected);
    expect(store({ url: 'postgresql://other/db' }, { DATABASE_URL: URL_ })).toEqual(expected);
    expect(
      store({
        url: 'postgresql://db/cis',
        pool_size: 25,
        connect_timeout_ms: 500,
        statement_timeout_ms: 2000,
      }),
    ).toEqual({
      kind: 'postgres',
      url: 'postgresql://db/cis',
      pool_size: 25,
      connect_timeout_ms: 500,
      statement_timeout_ms: 2000,
    });
  });

  it('refuses a PostgreSQL URL together with an SQLite path, naming both settings', () => {
    expect(refusal({ path: 'a.db' }, { DATABASE_URL: URL_ }).message).toBe(
      'Both DATABASE_URL (a PostgreSQL database) and store.path (an SQLite file) are set: cis-bot keeps its ' +
        'state in one database. Unset store.path to use PostgreSQL, or DATABASE_URL to use the SQLite file.',
    );
    expect(refusal({ url: URL_ }, { CIS_BOT_DB: 'b.db' }).message).toMatch(
      /^Both store\.url .* and CIS_BOT_DB /,
    );
    expect(refusal({ url: URL_, path: 'a.db' }).message).toMatch(/^Both store\.url .* and store\.path /);
    expect(refusal({}, { DATABASE_URL: URL_, CIS_BOT_DB: 'b.db' }).message).toMatch(
      /^Both DATABASE_URL .* and CIS_BOT_DB /,
    );
    for (const error of [
      refusal({ url: URL_, path: 'a.db' }),
      refusal({}, { DATABASE_URL: URL_, CIS_BOT_DB: 'b' }),
    ]) {
      expect(error.message).not.toContain('S3CRET-pw');
    }
  });

  it('refuses a URL that is not a PostgreSQL connection string, without echoing its password', () => {
    const error = refusal({}, { DATABASE_URL: 'mysql://cis:S3CRET-pw@db/cis' });
    expect(error.message).toBe(
      'DATABASE_URL must be a PostgreSQL connection string such as ' +
        'postgres://cis_bot:PASSWORD@db.example.com:5432/cis_bot?sslmode=verify-full; got "mysql://cis:[redacted]@db/cis".',
    );
    expect(refusal({ url: 'db.internal:5432' }).message).toMatch(
      /^store\.url must be a PostgreSQL connection string/,
    );
  });

  it('refuses pool and time settings out of range, naming them', () => {
    expect(refusal({ url: URL_, pool_size: 0 }).message).toMatch(/store\.pool_size/);
    expect(refusal({ url: URL_, statement_timeout_ms: 10 }).message).toMatch(/store\.statement_timeout_ms/);
    expect(refusal({ url: URL_, connect_timeout_ms: 'fast' }).message).toMatch(/store\.connect_timeout_ms/);
    expect(refusal({ uri: URL_ }).message).toMatch(/store/);
  });
});

/**
 * jest globalSetup: starts ONE PostgreSQL server for the whole run and hands its superuser URL to every
 * test worker through CIS_BOT_TEST_POSTGRES_URL (workers are started after this and inherit the
 * environment). Tests create their own databases on it (index.ts). With CIS_BOT_TEST_POSTGRES_URL
 * already set, that server is used instead and nothing is started.
 */
import { type PostgresServer, startPostgresServer } from './server';

export const URL_VARIABLE = 'CIS_BOT_TEST_POSTGRES_URL';

/** Shared with global-teardown.ts (jest runs both in its main process). */
export const held: { server?: PostgresServer } = {};

export default async function globalSetup(): Promise<void> {
  if (process.env[URL_VARIABLE]) return;
  held.server = await startPostgresServer();
  process.env[URL_VARIABLE] = held.server.url();
}

/**
 * jest globalTeardown: stops the run's PostgreSQL server and removes its files (it runs after failed
 * tests too; if jest itself is killed, the server's keeper process notices and cleans up on its own).
 */
import { held } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  await held.server?.close();
  delete held.server;
}

/** The store contract suite against the PostgreSQL store: a new schema per test on the run's server. */
import { freshPostgresStore } from '../support/postgres';
import { describeStoreContract } from './contract';

describeStoreContract('PostgreSQL', freshPostgresStore);

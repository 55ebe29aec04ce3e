/**
 * The SDK middleware that tells refused credentials apart from refused actions on every client of an
 * AwsSession. When AWS answers that the credentials themselves are bad (unknown key, expired or revoked
 * session, signature that does not verify), granting an IAM action would not help, so the call fails with
 * a CredentialsRefusedError naming the identity and what to do. For an assumed role's session the guard
 * first lets the session drop the cached session and retries the call ONCE with a new one: a session
 * revoked or expired early must not fail an audit (or make an approved plan look stale), and a session
 * that is refused again must not loop.
 */
import type { CredentialsRefusedError } from './errors';
import { errorCode, isCredentialsRefused } from './errors';

export interface CredentialsGuard {
  /** The credentials entry the call is about to use (compared in `retryOnce`); none for base credentials. */
  before?: () => Promise<unknown>;
  /** AWS refused the credentials `used`: forget them if still cached. The call is then retried once. */
  retryOnce?: (used: Promise<unknown> | undefined, awsCode: string) => void;
  /** The error thrown when AWS refused the credentials (after the one retry, if any). */
  refused: (awsCode: string, cause: unknown) => CredentialsRefusedError;
}

/** AWS's code when it refused the credentials of an SDK call; undefined for any other error. */
function refusedCode(error: unknown): string | undefined {
  return isCredentialsRefused(error) ? (errorCode(error) ?? 'credentials refused') : undefined;
}

/** The initialize-step middleware (it wraps signing and the SDK's own retries, so a retry is re-signed). */
function credentialsMiddleware(guard: CredentialsGuard) {
  return <A, R>(next: (args: A) => Promise<R>) =>
    async (args: A): Promise<R> => {
      const used = guard.before?.();
      // The provider awaits the same entry; an AssumeRole failure is reported there, never unhandled here.
      used?.catch(() => undefined);
      try {
        return await next(args);
      } catch (error) {
        const code = refusedCode(error);
        if (code === undefined) throw error;
        if (!guard.retryOnce) throw guard.refused(code, error);
        guard.retryOnce(used, code);
        try {
          return await next(args);
        } catch (again) {
          const second = refusedCode(again);
          throw second === undefined ? again : guard.refused(second, again);
        }
      }
    };
}

export const CREDENTIALS_GUARD = 'cisBotCredentialsGuard';

/** Any SDK v3 client: its stack takes an initialize middleware generic in the command's input and output. */
interface GuardableClient {
  middlewareStack: {
    add(
      middleware: ReturnType<typeof credentialsMiddleware>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Adds the guard to an SDK v3 client and returns the client. */
export function guardClient<C extends GuardableClient>(client: C, guard: CredentialsGuard): C {
  client.middlewareStack.add(credentialsMiddleware(guard), { step: 'initialize', name: CREDENTIALS_GUARD });
  return client;
}

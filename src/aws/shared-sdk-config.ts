/**
 * What every SDK client of one AwsSession shares, taken from a client the session already has (its STS
 * client, made with the session's own settings and profile):
 *
 * - the settings the SDK resolves from the environment and the shared config files when a client does
 *   not set them (AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint, FIPS, AWS_DEFAULTS_MODE,
 *   the user-agent app id, the auth scheme preference). The SDK gives each new client
 *   its own memoised provider for each, so each client walks env -> config files -> default again on
 *   its first call (a miss is a thrown ProviderError with a regular expression run over the selector's
 *   source). Handing every client the session's providers, which have the same inputs (same process
 *   environment, same files, same profile), resolves each once per session with identical values.
 * - the request handler: one NodeHttpHandler over the session's keep-alive agents instead of one per
 *   client. A client's destroy() destroys its handler, and a NodeHttpHandler's destroy() destroys its
 *   agents, i.e. every socket of the session; so clients get a view of the handler whose destroy() does
 *   nothing, and only the session (which owns the agents) closes them.
 */
import type { STSClient } from '@aws-sdk/client-sts';

type ResolvedConfig = STSClient['config'];
type RequestHandler = ResolvedConfig['requestHandler'];

/** The settings handed to every client of a session (spread under the caller's own client settings). */
export interface SharedSdkConfig {
  requestHandler: RequestHandler;
  useDualstackEndpoint: ResolvedConfig['useDualstackEndpoint'];
  useFipsEndpoint: ResolvedConfig['useFipsEndpoint'];
  defaultsMode: ResolvedConfig['defaultsMode'];
  userAgentAppId: ResolvedConfig['userAgentAppId'];
  authSchemePreference?: ResolvedConfig['authSchemePreference'];
}

/** The methods a NodeHttpHandler has beyond the SDK's RequestHandler type (used by client extensions). */
interface HandlerExtras {
  updateHttpClientConfig?(key: never, value: never): void;
  httpHandlerConfigs?(): unknown;
}

/** `handler` as a client may hold it: every call goes to it, except destroy(), which is the owner's. */
export function undestroyable(handler: RequestHandler): RequestHandler {
  const h = handler as RequestHandler & HandlerExtras;
  const view: RequestHandler & HandlerExtras = {
    handle: (request, options) => h.handle(request, options),
    destroy: () => undefined,
  };
  if (h.metadata !== undefined) view.metadata = h.metadata;
  if (h.updateHttpClientConfig)
    view.updateHttpClientConfig = (key, value) => h.updateHttpClientConfig?.(key, value);
  if (h.httpHandlerConfigs) view.httpHandlerConfigs = () => h.httpHandlerConfigs?.();
  return view as RequestHandler;
}

/** The resolved providers and the handler of `source` (a session's own client), for its other clients. */
export function sharedSdkConfig(source: ResolvedConfig): SharedSdkConfig {
  return {
    requestHandler: undestroyable(source.requestHandler),
    useDualstackEndpoint: source.useDualstackEndpoint,
    useFipsEndpoint: source.useFipsEndpoint,
    defaultsMode: source.defaultsMode,
    userAgentAppId: source.userAgentAppId,
    ...(source.authSchemePreference !== undefined
      ? { authSchemePreference: source.authSchemePreference }
      : {}),
  };
}

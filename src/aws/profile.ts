/**
 * The named AWS profile (`--profile`, else AWS_PROFILE) is checked before anything else reaches AWS: the
 * SDK's own answer to a profile that does not exist is "no credentials" (or "no region"), which sends a
 * user looking in the wrong place. The shared files are read with the SDK's own loader (so
 * AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are honoured, and `[profile NAME]` sections are
 * understood as the SDK understands them); nothing is sent anywhere.
 */
import { homedir } from 'node:os';
import { loadSharedConfigFiles } from '@smithy/core/config';
import { ConfigError } from '../core/errors';

/** Where the profile name came from, for the message. */
export type ProfileSource = '--profile' | 'AWS_PROFILE';

function filesText(env: NodeJS.ProcessEnv): string {
  const home = homedir();
  const show = (path: string) => (home && path.startsWith(home) ? `~${path.slice(home.length)}` : path);
  const config = env.AWS_CONFIG_FILE ?? `${home}/.aws/config`;
  const credentials = env.AWS_SHARED_CREDENTIALS_FILE ?? `${home}/.aws/credentials`;
  return `${show(config)} or ${show(credentials)}`;
}

/** Throws a ConfigError naming the profile, where it came from and the profiles there are, when it is unknown. */
export async function assertProfileExists(
  profile: string,
  source: ProfileSource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const files = await loadSharedConfigFiles({ ignoreCache: true });
  // The loader keys other sections as `sso-session.NAME` and `services.NAME`: they are not profiles.
  const isProfile = (name: string) => !/^(sso-session|services)\./.test(name);
  const known = new Set(
    [...Object.keys(files.configFile), ...Object.keys(files.credentialsFile)].filter(isProfile),
  );
  if (known.has(profile)) return;
  const others = [...known].sort();
  const where = `The AWS profile "${profile}" (${source}) is not in ${filesText(env)}`;
  if (others.length === 0) {
    throw new ConfigError(
      `${where}, which define no profile: create it with \`aws configure --profile ${profile}\` (or \`aws configure sso\`)` +
        (source === 'AWS_PROFILE' ? ', or unset AWS_PROFILE to use the default credentials chain.' : '.'),
    );
  }
  const fix =
    source === 'AWS_PROFILE'
      ? 'Set AWS_PROFILE (or pass --profile) to one of them, or unset AWS_PROFILE to use the default credentials chain.'
      : 'Pass one of them to --profile.';
  throw new ConfigError(`${where}; the profiles there are: ${others.join(', ')}. ${fix}`);
}

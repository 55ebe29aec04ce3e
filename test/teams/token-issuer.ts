/**
 * A loopback stand-in for the Bot Framework's token issuer: an OpenID metadata document and a JWKS with
 * one RSA key endorsed for `msteams`, plus `mint()` for channel tokens signed with it (RS256, issuer
 * https://api.botframework.com), so the auth-ON adapter can be shown to ACCEPT a valid token and refuse
 * near-misses. The adapter is pointed at it with the Bot Framework setting
 * ToBotFromChannelOpenIdMetadataUrl; everything else about validation is botbuilder's own.
 */
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
const KID = 'cis-bot-test-key';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface TokenIssuer {
  metadataUrl: string;
  mint(claims: Record<string, unknown>, options?: { signWith?: KeyObject }): string;
  /** A key the issuer does not publish (to forge signatures). */
  foreignKey: KeyObject;
  close(): Promise<void>;
}

/**
 * `endorsements`: the channels the key is endorsed for (botbuilder accepts a token only for an activity
 * whose channelId is among them). The Bot Framework's keys list the channels they sign for; a bot that
 * is also connected to Direct Line or Web Chat accepts tokens for those channels too.
 */
export async function startTokenIssuer(
  options: { endorsements?: readonly string[] } = {},
): Promise<TokenIssuer> {
  const endorsements = options.endorsements ?? ['msteams'];
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = publicKey.export({ format: 'jwk' });
  let base = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/.well-known/openidconfiguration') {
      res.end(
        JSON.stringify({
          issuer: BOT_FRAMEWORK_ISSUER,
          jwks_uri: `${base}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
    } else if (req.url === '/v1/.well-known/keys') {
      res.end(
        JSON.stringify({
          keys: [{ kty: 'RSA', use: 'sig', kid: KID, n: jwk.n, e: jwk.e, endorsements }],
        }),
      );
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    metadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    foreignKey,
    mint(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload = { iss: BOT_FRAMEWORK_ISSUER, nbf: now - 60, iat: now - 60, exp: now + 3600, ...claims };
      const unsigned = `${b64url({ alg: 'RS256', typ: 'JWT', kid: KID })}.${b64url(payload)}`;
      const signature = createSign('RSA-SHA256')
        .update(unsigned)
        .sign(options.signWith ?? privateKey)
        .toString('base64url');
      return `${unsigned}.${signature}`;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

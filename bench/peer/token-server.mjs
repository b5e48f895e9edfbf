// The peer in Signet's token benchmark: node-oidc-provider (OpenID Certified) doing the work Signet's
// client-credentials endpoint does: authenticate a confidential client with client_secret_post and
// return an access token that is a JWT signed RS256 with an RSA-2048 key. Nothing is stored per token.
//
// usage: node token-server.mjs PORT CLIENT_ID CLIENT_SECRET RESOURCE
// POST /token with grant_type=client_credentials&client_id&client_secret&resource=RESOURCE&scope=Data.Read.All
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, resource] = process.argv.slice(2);
if (!resource) {
  console.error('usage: node token-server.mjs PORT CLIENT_ID CLIENT_SECRET RESOURCE');
  process.exit(2);
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'bench' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [signingKey] },
  routes: { token: '/token' },
  scopes: ['Data.Read.All'],
  features: {
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== resource) throw new Error(`unknown resource ${indicator}`);
        return { scope: 'Data.Read.All', accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1');

// The peer in Signet's code-flow benchmark: node-oidc-provider issuing authorization codes to a signed-in
// user's confidential web app, silently (the session and the grant exist), and redeeming them with PKCE
// for an RS256 JWT access token and an ID token: the work of Signet's silent sign-in, minus the refresh
// token (oidc-provider issues one only with prompt=consent). Codes, sessions and grants live in its
// in-memory adapter.
//
// usage: node code-server.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD
// The sign-in page (/interaction/:uid) takes `username` and `password` and grants `openid Data.Read`.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri, username, password] = process.argv.slice(2);
if (!password) {
  console.error('usage: node code-server.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD');
  process.exit(2);
}
const resource = 'api://bench.example/api';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'bench' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [signingKey] },
  routes: { authorization: '/authorize', token: '/token' },
  scopes: ['openid'],
  findAccount: (ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'Data.Read', accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});
provider.proxy = false;

const page = (uid) => `<!doctype html><form method="post" action="/interaction/${uid}">
<input type="hidden" name="uid" value="${uid}"><input name="username"><input name="password" type="password">
<button>Sign in</button></form>`;

// The sign-in page: the user, then a grant of what the bench asks for, so later requests are silent.
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = page(details.uid);
    return undefined;
  }
  const body = await new Promise((resolve) => {
    let data = '';
    ctx.req.on('data', (chunk) => { data += chunk; });
    ctx.req.on('end', () => resolve(new URLSearchParams(data)));
  });
  if (body.get('username') !== username || body.get('password') !== password) {
    ctx.status = 401;
    ctx.body = 'wrong username or password';
    return undefined;
  }
  const grant = new provider.Grant({ accountId: username, clientId });
  grant.addOIDCScope('openid');
  grant.addResourceScope(resource, 'Data.Read');
  const grantId = await grant.save();
  const result = { login: { accountId: username }, consent: { grantId } };
  const resume = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(resume);
  return undefined;
});

provider.listen(Number(port), '127.0.0.1');

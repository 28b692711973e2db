// A real OpenID Connect provider (oidc-provider) for modelport's end-to-end SSO tests.
//
//   node tests/oidc/provider.mjs <port> [redirect_uri ...]
//
// Serves http://127.0.0.1:<port> with one public client, "modelport-web" (PKCE S256 required), the
// development login and consent forms (any password), fixed signing keys (jwks.json beside this file)
// and a few accounts whose claims carry preferred_username, department and Keycloak-style
// realm_access.roles. Access tokens are JWTs (audience "modelport") carrying the same claims.
// POST /test/accounts/<id> with a JSON body of claims replaces that account's claims, so a test can
// change someone's roles between two sign-ins.
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 0);
if (!port) {
  console.error('usage: node provider.mjs <port> [redirect_uri ...]');
  process.exit(2);
}
const redirectUris = process.argv.slice(3);
if (redirectUris.length === 0) {
  redirectUris.push(
    'https://testserver/api/v1/auth/sso/callback',
    'http://127.0.0.1:8000/api/v1/auth/sso/callback',
  );
}
const issuer = `http://127.0.0.1:${port}`;
const jwks = JSON.parse(readFileSync(new URL('./jwks.json', import.meta.url), 'utf8'));

const accounts = new Map(Object.entries({
  alice: { preferred_username: 'alice', email: 'alice@example.com', name: 'Alice Analyst', department: 'marketing', realm_access: { roles: ['data_scientist', 'offline_access'] } },
  bob: { preferred_username: 'bob', email: 'bob@example.com', name: 'Bob Buyer', department: 'sales', realm_access: { roles: ['business_user'] } },
  carol: { preferred_username: 'carol', email: 'carol@example.com', name: 'Carol Admin', department: 'finance', realm_access: { roles: ['ml-admins'] } },
  dave: { preferred_username: 'dave', email: 'dave@example.com', name: 'Dave Nobody', department: 'hr', realm_access: { roles: ['uma_authorization'] } },
}));

function claimsOf(id) {
  return { sub: id, ...(accounts.get(id) || {}) };
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'modelport-web',
    token_endpoint_auth_method: 'none',
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks,
  pkce: { required: () => true },
  cookies: { keys: ['modelport-test-provider-cookie-key'] },
  // Release the custom claims into the ID token itself, as Keycloak does with its mappers.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name', 'department', 'realm_access'],
    email: ['email'],
  },
  async findAccount(_ctx, id) {
    if (!accounts.has(id)) return undefined;
    return { accountId: id, async claims() { return claimsOf(id); } };
  },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:modelport:api',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: 'modelport',
        accessTokenTTL: 300,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  async extraTokenClaims(_ctx, token) {
    const { preferred_username: username, department, realm_access: realmAccess } = claimsOf(token.accountId);
    return { preferred_username: username, department, realm_access: realmAccess };
  },
  ttl: { AccessToken: 300, AuthorizationCode: 60, IdToken: 300, Interaction: 600, Session: 600, Grant: 600 },
});

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/test\/accounts\/([a-z]+)$/);
  if (!match || ctx.method !== 'POST') return next();
  let body = '';
  for await (const chunk of ctx.req) body += chunk;
  accounts.set(match[1], JSON.parse(body));
  ctx.status = 204;
  return undefined;
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening at ${issuer}`);
});

// A real OpenID Connect provider for the sign-in tests (started by tests/fixtures/oidc.py).
//
//   node server.mjs CONFIG
//
// CONFIG is a JSON object, or the path of a JSON file holding one:
//   {
//     "port": 0,                                  // 0 (or absent): a free port, chosen here
//     "clients": [{"client_id": "...", "client_secret": "...",
//                  "redirect_uris": ["http://127.0.0.1:5000/auth/callback"],
//                  "post_logout_redirect_uris": []}],
//     "accounts": [{"id": "ann@example.gov.uk", "email": "ann@example.gov.uk",
//                   "email_verified": true, "name": "Ann"}]
//   }
// (a single client may also be given as top-level client_id, client_secret, redirect_uris.)
// When CONFIG is a file, clients and accounts are read from it again on every look-up, so a
// test can add an account or a redirect URI while the provider runs.
//
// Once listening it prints one JSON line on stdout: {"issuer": "http://127.0.0.1:PORT"}.
// Sign-in uses oidc-provider's development interactions: a form with `login` (type an
// account's id; the password is not checked) and `password`, then a consent page with a
// "Continue" button. An id that is not a listed account is refused: the form comes back.
// ID tokens carry the email, email_verified and name claims (conformIdTokenClaims: false).

import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

import Provider from "oidc-provider";
import MemoryAdapter from "oidc-provider/lib/adapters/memory_adapter.js";

const source = process.argv[2];
if (!source) {
  console.error("usage: node server.mjs CONFIG_JSON_OR_FILE");
  process.exit(2);
}
const fromFile = !source.trimStart().startsWith("{");

function readConfig() {
  return JSON.parse(fromFile ? readFileSync(source, "utf8") : source);
}

function clientsOf(config) {
  const clients = config.clients ?? (config.client_id ? [config] : []);
  return clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: c.token_endpoint_auth_method ?? "client_secret_basic",
  }));
}

function accountsOf(config) {
  return new Map((config.accounts ?? []).map((a) => [a.id ?? a.email, a]));
}

// Clients live in the config (re-read on each look-up); everything else in memory.
class Adapter extends MemoryAdapter {
  async find(id) {
    if (this.model === "Client") {
      return clientsOf(readConfig()).find((c) => c.client_id === id);
    }
    return super.find(id);
  }
}

const config = readConfig();
const server = createServer();
await new Promise((resolve) => server.listen(config.port ?? 0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const provider = new Provider(issuer, {
  adapter: Adapter,
  jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test", use: "sig", alg: "RS256" }] },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
  },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = accountsOf(readConfig()).get(id);
    if (!account) {
      return undefined;
    }
    return {
      accountId: id,
      async claims() {
        const { id: _id, ...claims } = account;
        return { sub: id, email_verified: false, ...claims };
      },
    };
  },
});
// Like a real provider, refuse an unknown login: its sign-in form is shown again (the dev
// interactions would accept any login and fail later with a server_error).
provider.use(async (ctx, next) => {
  if (ctx.method === "POST" && /^\/interaction\/[^/]+$/.test(ctx.path)) {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
    if (form.prompt === "login" && !accountsOf(readConfig()).has(form.login)) {
      ctx.redirect(ctx.path);
      return;
    }
    ctx.request.body = form; // oidc-provider reads an already-parsed body (it warns once)
  }
  await next();
});
server.on("request", provider.callback());

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

console.log(JSON.stringify({ issuer }));

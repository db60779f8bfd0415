// A real OpenID provider (the certified npm package oidc-provider) for the single sign-on tests,
// on loopback. Configured by the environment: OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
// OIDC_REDIRECT_URIS (comma-separated) and OIDC_ACCOUNTS (JSON: login -> {name, groups}).
// OIDC_NODE_MODULES names the folder scripts/oidc-provider installed it into (ES modules do not
// read NODE_PATH). Its development login form accepts any password; the account is the login typed.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const { default: Provider } = await import(
  pathToFileURL(join(process.env.OIDC_NODE_MODULES, "oidc-provider", "lib", "index.js")).href
);

const env = process.env;
const port = Number(env.OIDC_PORT);
const accounts = JSON.parse(env.OIDC_ACCOUNTS || "{}");
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env.OIDC_CLIENT_ID,
      client_secret: env.OIDC_CLIENT_SECRET,
      redirect_uris: env.OIDC_REDIRECT_URIS.split(","),
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_post",
      require_auth_time: true,
    },
  ],
  claims: {
    openid: ["sub", "auth_time"],
    profile: ["name", "given_name", "family_name", "preferred_username", "email"],
    groups: ["groups"],
  },
  scopes: ["openid", "profile", "groups"],
  pkce: { required: () => false },
  cookies: { keys: ["warden-tests-only"] },
  features: { devInteractions: { enabled: true } },
  // Consent is not what these tests are about: every scope the client asks for is granted.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid profile groups");
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const account = accounts[id] || { name: id, groups: [] };
    const [given, ...family] = account.name.split(" ");
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          preferred_username: id,
          name: account.name,
          given_name: given,
          family_name: family.join(" "),
          email: `${id}@example.test`,
          groups: account.groups,
        };
      },
    };
  },
});

provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

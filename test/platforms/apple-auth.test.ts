import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppleAdapter } from "../../src/platforms/apple";
import {
  type AppleOAuthCredentials,
  AppleTokenCache,
  signClientAssertion,
} from "../../src/platforms/apple-auth";
import type { PlatformOperation } from "../../src/platforms/types";
import { adAccount, campaignSpec, dispatchContext, formFields, RequestLog } from "./fixtures";

const BASE = "https://searchads.test.example/api/v5";
const TOKEN_URL = "https://appleid.test.example/auth/oauth2/token";
const CAMPAIGN_ID = "1234567890";

// A throwaway P-256 key in SEC1 form, as `openssl ecparam -genkey -name prime256v1 -noout` writes it.
const SEC1_PRIVATE_KEY = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIKft3rsAC5Wst6u1T8EdtG8C6+vciPpjkzW/BBk3c58IoAoGCCqGSM49
AwEHoUQDQgAEC5Cq6P7K3VUOBmCPUaJGO9QhSgqyTovffwb+Er0Zhvh2wCH84LZo
dRwbEkPlPd61Fah7y6QOCo6Q0AHkpk2EJg==
-----END EC PRIVATE KEY-----`;
const SEC1_PUBLIC_KEY_SPKI =
  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEC5Cq6P7K3VUOBmCPUaJGO9QhSgqyTovffwb+Er0Zhvh2wCH84LZodRwbEkPlPd61Fah7y6QOCo6Q0AHkpk2EJg==";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function base64ToBytes(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

function base64UrlToBytes(base64Url: string): Uint8Array {
  const base64 = base64Url.replace(/-/g, "+").replace(/_/g, "/");
  return base64ToBytes(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="));
}

function decodeJwtPart(part: string | undefined): unknown {
  return JSON.parse(new TextDecoder().decode(base64UrlToBytes(part ?? "")));
}

async function verifyJwt(jwt: string, publicKey: CryptoKey): Promise<boolean> {
  const [header, payload, signature] = jwt.split(".");
  return crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    publicKey,
    base64UrlToBytes(signature ?? ""),
    new TextEncoder().encode(`${header}.${payload}`),
  );
}

async function generatedKeyPair(): Promise<{ pem: string; publicKey: CryptoKey }> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  let binary = "";
  for (const byte of pkcs8) binary += String.fromCharCode(byte);
  const body = btoa(binary).replace(/.{64}/g, "$&\n");
  return {
    pem: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`,
    publicKey: pair.publicKey,
  };
}

function credentials(privateKeyPem: string): AppleOAuthCredentials {
  return {
    clientId: "SEARCHADS.27a2e4f0-0000-4000-8000-000000000000",
    teamId: "SEARCHADS.27a2e4f0-0000-4000-8000-000000000000",
    keyId: "d136aa66-0000-4000-8000-000000000000",
    privateKeyPem,
    tokenUrl: TOKEN_URL,
  };
}

const account = adAccount("apple");
const pause: PlatformOperation = {
  type: "pause_campaign",
  campaign: campaignSpec("apple"),
  platformCampaignId: CAMPAIGN_ID,
};

describe("Apple client assertion", () => {
  it("is an ES256 JWT with Apple's claims, verifiable with the public key", async () => {
    const { pem, publicKey } = await generatedKeyPair();
    const oauth = credentials(pem);

    const jwt = await signClientAssertion(oauth, 1_790_000_000);

    const [header, payload] = jwt.split(".");
    expect(decodeJwtPart(header)).toEqual({ alg: "ES256", kid: oauth.keyId });
    expect(decodeJwtPart(payload)).toEqual({
      sub: oauth.clientId,
      aud: "https://appleid.apple.com",
      iat: 1_790_000_000,
      exp: 1_790_003_600,
      iss: oauth.teamId,
    });
    expect(await verifyJwt(jwt, publicKey)).toBe(true);
  });

  it("accepts a SEC1 PEM, also with its newlines escaped as in an env var", async () => {
    const publicKey = await crypto.subtle.importKey(
      "spki",
      base64ToBytes(SEC1_PUBLIC_KEY_SPKI),
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["verify"],
    );
    for (const pem of [SEC1_PRIVATE_KEY, SEC1_PRIVATE_KEY.replace(/\n/g, "\\n")]) {
      const jwt = await signClientAssertion(credentials(pem), 1_790_000_000);
      expect(await verifyJwt(jwt, publicKey)).toBe(true);
    }
  });
});

describe("Apple adapter with OAuth", () => {
  function oauthAdapter(oauth: AppleOAuthCredentials, tokenCache: AppleTokenCache): AppleAdapter {
    return new AppleAdapter({ apiBase: BASE, accessToken: undefined, oauth, timeoutMs: 2_000, tokenCache });
  }

  function tokenEndpoint(log: RequestLog, tokens: string[], expiresIn = 3_600) {
    let issued = 0;
    return http.post(TOKEN_URL, async ({ request }) => {
      await log.record(request);
      const accessToken = tokens[Math.min(issued, tokens.length - 1)];
      issued += 1;
      return HttpResponse.json({ access_token: accessToken, token_type: "Bearer", expires_in: expiresIn });
    });
  }

  function campaignEndpoint(log: RequestLog, acceptedToken?: string) {
    return http.put(`${BASE}/campaigns/${CAMPAIGN_ID}`, async ({ request }) => {
      await log.record(request);
      if (acceptedToken !== undefined && request.headers.get("authorization") !== `Bearer ${acceptedToken}`) {
        return HttpResponse.json(
          { error: { errors: [{ messageCode: "UNAUTHORIZED", message: "Invalid token" }] } },
          { status: 401 },
        );
      }
      return HttpResponse.json({ data: { id: Number(CAMPAIGN_ID) } });
    });
  }

  it("exchanges a signed client assertion for a token, then calls the API with it", async () => {
    const { pem, publicKey } = await generatedKeyPair();
    const oauth = credentials(pem);
    const tokenLog = new RequestLog();
    const apiLog = new RequestLog();
    server.use(tokenEndpoint(tokenLog, ["access-1"]), campaignEndpoint(apiLog));

    const result = await oauthAdapter(oauth, new AppleTokenCache()).execute(
      pause,
      account,
      dispatchContext(),
    );

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    const exchange = tokenLog.only();
    expect(exchange.method).toBe("POST");
    expect(exchange.url).toBe(TOKEN_URL);
    expect(exchange.headers.get("content-type")).toMatch(/^application\/x-www-form-urlencoded/);
    const fields = formFields(exchange.body);
    expect(fields, exchange.body).toEqual({
      grant_type: "client_credentials",
      client_id: oauth.clientId,
      client_secret: expect.any(String),
      scope: "searchadsorg",
    });
    expect(await verifyJwt(fields.client_secret ?? "", publicKey)).toBe(true);
    expect(apiLog.only().headers.get("authorization")).toBe("Bearer access-1");
    expect(apiLog.only().headers.get("x-ap-context")).toBe("orgId=40669820");
  });

  it("reuses the token until shortly before it expires, sharing one exchange between concurrent calls", async () => {
    const { pem } = await generatedKeyPair();
    let now = 1_790_000_000_000;
    const cache = new AppleTokenCache(() => now);
    const tokenLog = new RequestLog();
    const apiLog = new RequestLog();
    server.use(tokenEndpoint(tokenLog, ["access-1", "access-2"]), campaignEndpoint(apiLog));
    const adapter = oauthAdapter(credentials(pem), cache);

    await Promise.all([
      adapter.execute(pause, account, dispatchContext()),
      adapter.execute(pause, account, dispatchContext()),
    ]);
    now += 3_600_000 - 61_000;
    await adapter.execute(pause, account, dispatchContext());
    expect(tokenLog.requests).toHaveLength(1);

    now += 2_000;
    await adapter.execute(pause, account, dispatchContext());
    expect(tokenLog.requests).toHaveLength(2);
    expect(apiLog.requests.map((request) => request.headers.get("authorization"))).toEqual([
      "Bearer access-1",
      "Bearer access-1",
      "Bearer access-1",
      "Bearer access-2",
    ]);
  });

  it("on a 401 renews the token once and resends", async () => {
    const { pem } = await generatedKeyPair();
    const tokenLog = new RequestLog();
    const apiLog = new RequestLog();
    server.use(tokenEndpoint(tokenLog, ["revoked", "fresh"]), campaignEndpoint(apiLog, "fresh"));

    const result = await oauthAdapter(credentials(pem), new AppleTokenCache()).execute(
      pause,
      account,
      dispatchContext(),
    );

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    expect(tokenLog.requests).toHaveLength(2);
    expect(apiLog.requests.map((request) => request.headers.get("authorization"))).toEqual([
      "Bearer revoked",
      "Bearer fresh",
    ]);
  });

  it("a 401 that survives a fresh token → auth failure: the API user is gone", async () => {
    const { pem } = await generatedKeyPair();
    const apiLog = new RequestLog();
    server.use(tokenEndpoint(new RequestLog(), ["a", "b"]), campaignEndpoint(apiLog, "never"));

    const result = await oauthAdapter(credentials(pem), new AppleTokenCache()).execute(
      pause,
      account,
      dispatchContext(),
    );

    expect(result).toMatchObject({
      ok: false,
      kind: "auth",
      tokenStatus: "revoked",
      platformCode: "UNAUTHORIZED",
    });
    expect(apiLog.requests).toHaveLength(2);
  });

  it("refused client credentials (invalid_client) → auth failure, revoked", async () => {
    const { pem } = await generatedKeyPair();
    server.use(http.post(TOKEN_URL, () => HttpResponse.json({ error: "invalid_client" }, { status: 400 })));

    const result = await oauthAdapter(credentials(pem), new AppleTokenCache()).execute(
      pause,
      account,
      dispatchContext(),
    );

    expect(result).toMatchObject({
      ok: false,
      kind: "auth",
      tokenStatus: "revoked",
      platformCode: "invalid_client",
    });
  });

  it("other refusals of the token exchange → rejected with the OAuth error", async () => {
    const { pem } = await generatedKeyPair();
    server.use(http.post(TOKEN_URL, () => HttpResponse.json({ error: "invalid_request" }, { status: 400 })));
    const result = await oauthAdapter(credentials(pem), new AppleTokenCache()).execute(
      pause,
      account,
      dispatchContext(),
    );
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "invalid_request" });
  });

  it("token endpoint down → transient, and the failure is not cached", async () => {
    const { pem } = await generatedKeyPair();
    const cache = new AppleTokenCache();
    const oauth = credentials(pem);
    server.use(http.post(TOKEN_URL, () => new HttpResponse(null, { status: 503 })));

    const down = await oauthAdapter(oauth, cache).execute(pause, account, dispatchContext());
    expect(down).toMatchObject({ ok: false, kind: "transient", platformCode: "503" });

    server.use(tokenEndpoint(new RequestLog(), ["recovered"]), campaignEndpoint(new RequestLog()));
    const recovered = await oauthAdapter(oauth, cache).execute(pause, account, dispatchContext());
    expect(recovered).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
  });

  it("an unusable private key → rejected NOT_CONFIGURED, nothing sent", async () => {
    const result = await oauthAdapter(credentials("not a key"), new AppleTokenCache()).execute(
      pause,
      account,
      dispatchContext(),
    );
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "NOT_CONFIGURED" });
  });
});

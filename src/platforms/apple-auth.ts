import { createPrivateKey } from "node:crypto";
import { importPKCS8, SignJWT } from "jose";
import {
  authFailure,
  isRecord,
  LOCAL_CODES,
  PlatformFailure,
  rejectedFailure,
  sendPlatformRequest,
  stringField,
  transientFailure,
} from "./http";

/**
 * Apple Search Ads OAuth: a client assertion (an ES256 JWT signed with the API user's private
 * key, through jose) is exchanged at Apple's token endpoint for a bearer access token valid
 * about an hour. There is no refresh token: a new one is minted when the cached one is due.
 */
export interface AppleOAuthCredentials {
  clientId: string;
  teamId: string;
  keyId: string;
  /** PEM, PKCS#8 ("BEGIN PRIVATE KEY") or SEC1 ("BEGIN EC PRIVATE KEY"). */
  privateKeyPem: string;
  tokenUrl: string;
}

export const APPLE_DEFAULT_TOKEN_URL = "https://appleid.apple.com/auth/oauth2/token";
const CLIENT_ASSERTION_AUDIENCE = "https://appleid.apple.com";
const CLIENT_ASSERTION_LIFETIME_SECONDS = 3600;
const TOKEN_SCOPE = "searchadsorg";
/** Renew this long before Apple's expiry so a token never lapses mid-request. */
const EXPIRY_MARGIN_MS = 60_000;

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

/** Access tokens per credentials, shared by every adapter in the isolate; in-flight exchanges are shared too. */
export class AppleTokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(private readonly now: () => number = Date.now) {}

  async accessToken(credentials: AppleOAuthCredentials, timeoutMs: number): Promise<string> {
    const key = cacheKey(credentials);
    const cached = this.tokens.get(key);
    if (cached !== undefined && cached.expiresAt - EXPIRY_MARGIN_MS > this.now()) return cached.accessToken;

    let exchange = this.pending.get(key);
    if (exchange === undefined) {
      exchange = exchangeClientAssertion(credentials, timeoutMs, this.now).finally(() => {
        this.pending.delete(key);
      });
      this.pending.set(key, exchange);
    }
    const token = await exchange;
    this.tokens.set(key, token);
    return token.accessToken;
  }

  invalidate(credentials: AppleOAuthCredentials): void {
    this.tokens.delete(cacheKey(credentials));
  }
}

/** The isolate-wide cache live adapters use. */
export const isolateAppleTokenCache = new AppleTokenCache();

function cacheKey(credentials: AppleOAuthCredentials): string {
  return `${credentials.tokenUrl} ${credentials.clientId} ${credentials.keyId}`;
}

async function exchangeClientAssertion(
  credentials: AppleOAuthCredentials,
  timeoutMs: number,
  now: () => number,
): Promise<CachedToken> {
  const clientSecret = await signClientAssertion(credentials, Math.floor(now() / 1000));
  const response = await sendPlatformRequest(
    "Apple OAuth",
    credentials.tokenUrl,
    {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: credentials.clientId,
        client_secret: clientSecret,
        scope: TOKEN_SCOPE,
      }),
    },
    timeoutMs,
  );

  if (response.status >= 200 && response.status < 300) {
    const accessToken = stringField(response.body, "access_token");
    const expiresIn = isRecord(response.body) ? Number(response.body.expires_in) : Number.NaN;
    if (accessToken === undefined || !Number.isFinite(expiresIn)) {
      throw new PlatformFailure(transientFailure("Apple OAuth answered without an access token"));
    }
    return { accessToken, expiresAt: now() + expiresIn * 1000 };
  }
  const oauthError = stringField(response.body, "error");
  const message = `Apple OAuth token exchange failed with HTTP ${response.status}${oauthError ? ` (${oauthError})` : ""}`;
  if (response.status >= 500 || response.status === 429) {
    throw new PlatformFailure(
      transientFailure(message, { platformCode: oauthError ?? String(response.status) }),
    );
  }
  // The customer removed the API user or its key (Unconfirmed: Apple documents no code for it).
  if (oauthError === "invalid_client") throw new PlatformFailure(authFailure(message, "revoked", oauthError));
  throw new PlatformFailure(rejectedFailure(message, oauthError ?? `HTTP_${response.status}`));
}

export async function signClientAssertion(
  credentials: AppleOAuthCredentials,
  issuedAtSeconds: number,
): Promise<string> {
  const key = await importPrivateKey(credentials.privateKeyPem);
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256", kid: credentials.keyId })
    .setSubject(credentials.clientId)
    .setIssuer(credentials.teamId)
    .setAudience(CLIENT_ASSERTION_AUDIENCE)
    .setIssuedAt(issuedAtSeconds)
    .setExpirationTime(issuedAtSeconds + CLIENT_ASSERTION_LIFETIME_SECONDS)
    .sign(key);
}

/** Whether `pem` is a usable ES256 signing key; the reason when it is not. */
export async function privateKeyIssue(pem: string): Promise<string | null> {
  try {
    await importPrivateKey(pem);
    return null;
  } catch (error) {
    return error instanceof PlatformFailure ? error.message : String(error);
  }
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  // Secrets pasted into env vars often carry literal "\n" sequences instead of newlines.
  const normalized = pem.replace(/\\n/g, "\n").trim();
  try {
    // SEC1 ("BEGIN EC PRIVATE KEY", what `openssl ecparam -genkey` writes) is re-encoded as PKCS#8.
    const pkcs8 = normalized.includes("BEGIN EC PRIVATE KEY")
      ? String(createPrivateKey({ key: normalized, format: "pem" }).export({ format: "pem", type: "pkcs8" }))
      : normalized;
    return await importPKCS8(pkcs8, "ES256");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PlatformFailure(
      rejectedFailure(
        `The private key is not a usable P-256 PKCS#8 key: ${reason}`,
        LOCAL_CODES.notConfigured,
      ),
    );
  }
}

import {
  isRecord,
  LOCAL_CODES,
  PlatformFailure,
  rejectedFailure,
  sendPlatformRequest,
  stringField,
  transientFailure,
} from "./http";

/**
 * Apple Search Ads OAuth: a client assertion (a JWT signed ES256 with the API user's private
 * key) is exchanged at Apple's token endpoint for a bearer access token valid about an hour.
 */
export interface AppleOAuthCredentials {
  clientId: string;
  teamId: string;
  keyId: string;
  /** PEM, PKCS#8 ("BEGIN PRIVATE KEY") or SEC1 ("BEGIN EC PRIVATE KEY", what `openssl ecparam -genkey` writes). */
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
  throw new PlatformFailure(rejectedFailure(message, oauthError ?? `HTTP_${response.status}`));
}

export async function signClientAssertion(
  credentials: AppleOAuthCredentials,
  issuedAtSeconds: number,
): Promise<string> {
  const header = { alg: "ES256", kid: credentials.keyId };
  const payload = {
    sub: credentials.clientId,
    aud: CLIENT_ASSERTION_AUDIENCE,
    iat: issuedAtSeconds,
    exp: issuedAtSeconds + CLIENT_ASSERTION_LIFETIME_SECONDS,
    iss: credentials.teamId,
  };
  const signingInput = `${base64UrlJson(header)}.${base64UrlJson(payload)}`;
  const key = await importPrivateKey(credentials.privateKeyPem);
  // WebCrypto ECDSA signatures are already r‖s (IEEE P1363), the form JWS ES256 wants.
  const signature = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    key,
    new TextEncoder().encode(signingInput),
  );
  return `${signingInput}.${base64Url(new Uint8Array(signature))}`;
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  // Secrets pasted into env vars often carry literal "\n" sequences instead of newlines.
  const normalized = pem.replace(/\\n/g, "\n");
  const match = /-----BEGIN (EC PRIVATE KEY|PRIVATE KEY)-----([\s\S]+?)-----END \1-----/.exec(normalized);
  if (match === null || match[2] === undefined) {
    throw new PlatformFailure(
      rejectedFailure("APPLE_PRIVATE_KEY is not a PEM EC private key", LOCAL_CODES.notConfigured),
    );
  }
  const der = base64Decode(match[2].replace(/\s+/g, ""));
  const pkcs8 = match[1] === "EC PRIVATE KEY" ? wrapSec1InPkcs8(der) : der;
  try {
    return await crypto.subtle.importKey("pkcs8", pkcs8, { name: "ECDSA", namedCurve: "P-256" }, false, [
      "sign",
    ]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PlatformFailure(
      rejectedFailure(`APPLE_PRIVATE_KEY is not a usable P-256 key: ${reason}`, LOCAL_CODES.notConfigured),
    );
  }
}

// AlgorithmIdentifier { id-ecPublicKey, prime256v1 } in DER.
const EC_P256_ALGORITHM_IDENTIFIER = Uint8Array.from([
  0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
  0x03, 0x01, 0x07,
]);

/** PrivateKeyInfo ::= SEQUENCE { version 0, algorithm, privateKey OCTET STRING (the SEC1 key) }. */
function wrapSec1InPkcs8(sec1: Uint8Array): Uint8Array {
  const version = Uint8Array.from([0x02, 0x01, 0x00]);
  const privateKey = derElement(0x04, sec1);
  return derElement(0x30, concatBytes(version, EC_P256_ALGORITHM_IDENTIFIER, privateKey));
}

function derElement(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.from([tag]), derLength(content.length), content);
}

function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.from([length]);
  const bytes: number[] = [];
  for (let remaining = length; remaining > 0; remaining = Math.floor(remaining / 256)) {
    bytes.unshift(remaining % 256);
  }
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

function base64Decode(base64: string): Uint8Array {
  try {
    return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  } catch {
    throw new PlatformFailure(
      rejectedFailure("APPLE_PRIVATE_KEY is not valid base64", LOCAL_CODES.notConfigured),
    );
  }
}

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64UrlJson(value: unknown): string {
  return base64Url(new TextEncoder().encode(JSON.stringify(value)));
}

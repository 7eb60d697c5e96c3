/**
 * Owns credential encryption at rest (envelope encryption, AES-256-GCM through WebCrypto).
 * Every sealed secret gets a fresh data key; the data key is wrapped by the key-encryption
 * key from the `CREDENTIALS_KEY` secret (`CREDENTIALS_KEY_PREVIOUS` still opens older
 * records during a rotation). A sealed record keeps the wrapped key, both nonces and the
 * key-encryption key's id; rotating re-wraps the data key and never touches the payload.
 * Plaintext leaves this module only towards the code that calls a platform.
 */
import { Buffer } from "node:buffer";

export interface SealedSecret {
  v: 1;
  /** Id of the key-encryption key that wrapped the data key. */
  kid: string;
  wrappedKey: string;
  wrapIv: string;
  iv: string;
  ciphertext: string;
}

export class VaultError extends Error {
  override readonly name = "VaultError";
}

interface KeyEncryptionKey {
  id: string;
  key: CryptoKey;
}

export interface Keyring {
  current: KeyEncryptionKey;
  previous: KeyEncryptionKey | null;
}

const b64 = (bytes: ArrayBuffer | Uint8Array) => Buffer.from(bytes as Uint8Array).toString("base64url");
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, "base64url"));

async function importKek(secret: string, name: string): Promise<KeyEncryptionKey> {
  const raw = new Uint8Array(Buffer.from(secret.trim(), "base64"));
  if (raw.length !== 32) throw new VaultError(`${name} must be 32 random bytes, base64-encoded`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", raw));
  const id = `kek_${Buffer.from(digest.subarray(0, 8)).toString("hex")}`;
  const key = await crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["wrapKey", "unwrapKey"]);
  return { id, key };
}

const keyrings = new Map<string, Promise<Keyring>>();

/** The keyring from the secrets; cached per isolate by the secrets' values. */
export function keyringFrom(env: {
  CREDENTIALS_KEY?: string;
  CREDENTIALS_KEY_PREVIOUS?: string;
}): Promise<Keyring> {
  const current = env.CREDENTIALS_KEY;
  if (!current) return Promise.reject(new VaultError("CREDENTIALS_KEY is not configured"));
  const previous = env.CREDENTIALS_KEY_PREVIOUS || null;
  const cacheKey = `${current}\u0000${previous ?? ""}`;
  let ring = keyrings.get(cacheKey);
  if (!ring) {
    ring = (async () => ({
      current: await importKek(current, "CREDENTIALS_KEY"),
      previous: previous ? await importKek(previous, "CREDENTIALS_KEY_PREVIOUS") : null,
    }))();
    ring.catch(() => keyrings.delete(cacheKey));
    keyrings.set(cacheKey, ring);
  }
  return ring;
}

function kekFor(ring: Keyring, kid: string): KeyEncryptionKey {
  if (ring.current.id === kid) return ring.current;
  if (ring.previous?.id === kid) return ring.previous;
  throw new VaultError(`No key-encryption key ${kid} is configured (rotated out?)`);
}

const gcm = (iv: Uint8Array, context: string) => ({
  name: "AES-GCM",
  iv,
  additionalData: new TextEncoder().encode(context),
});

/**
 * Encrypts `plaintext` under a fresh data key. `context` (e.g. the ad account id) is bound as
 * additional data: a sealed record copied onto another row does not open there.
 */
export async function seal(ring: Keyring, plaintext: string, context: string): Promise<SealedSecret> {
  const dataKey = (await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, [
    "encrypt",
    "decrypt",
  ])) as CryptoKey;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapIv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    gcm(iv, context),
    dataKey,
    new TextEncoder().encode(plaintext),
  );
  const wrappedKey = await crypto.subtle.wrapKey("raw", dataKey, ring.current.key, gcm(wrapIv, context));
  return {
    v: 1,
    kid: ring.current.id,
    wrappedKey: b64(wrappedKey),
    wrapIv: b64(wrapIv),
    iv: b64(iv),
    ciphertext: b64(ciphertext),
  };
}

async function unwrapDataKey(ring: Keyring, sealed: SealedSecret, context: string, extractable: boolean) {
  return crypto.subtle.unwrapKey(
    "raw",
    unb64(sealed.wrappedKey),
    kekFor(ring, sealed.kid).key,
    gcm(unb64(sealed.wrapIv), context),
    { name: "AES-GCM" },
    extractable,
    ["encrypt", "decrypt"],
  );
}

export async function open(ring: Keyring, sealed: SealedSecret, context: string): Promise<string> {
  try {
    const dataKey = await unwrapDataKey(ring, sealed, context, false);
    const plaintext = await crypto.subtle.decrypt(
      gcm(unb64(sealed.iv), context),
      dataKey,
      unb64(sealed.ciphertext),
    );
    return new TextDecoder().decode(plaintext);
  } catch (error) {
    if (error instanceof VaultError) throw error;
    throw new VaultError("A sealed credential failed to open (tampered, or bound to another record)");
  }
}

/** Re-wraps the data key under the current key-encryption key; the payload is untouched. */
export async function rewrap(ring: Keyring, sealed: SealedSecret, context: string): Promise<SealedSecret> {
  if (sealed.kid === ring.current.id) return sealed;
  const dataKey = await unwrapDataKey(ring, sealed, context, true);
  const wrapIv = crypto.getRandomValues(new Uint8Array(12));
  const wrappedKey = await crypto.subtle.wrapKey("raw", dataKey, ring.current.key, gcm(wrapIv, context));
  return { ...sealed, kid: ring.current.id, wrappedKey: b64(wrappedKey), wrapIv: b64(wrapIv) };
}

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { openCredential, rewrapCredentials, storeCredential } from "../../src/connections/credentials";
import { keyringFrom, open, rewrap, seal, VaultError } from "../../src/connections/vault";
import { createTenant } from "../helpers/tenant";

const KEY_A = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
const KEY_B = btoa(String.fromCharCode(...new Uint8Array(32).fill(9)));

describe("vault (envelope encryption)", () => {
  it("round-trips, with a fresh data key and nonce per secret", async () => {
    const ring = await keyringFrom({ CREDENTIALS_KEY: KEY_A });
    const a = await seal(ring, "EAAB-secret-token", "ctx:1");
    const b = await seal(ring, "EAAB-secret-token", "ctx:1");
    expect(a.kid).toBe(ring.current.id);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(JSON.stringify(a)).not.toContain("EAAB-secret-token");
    expect(await open(ring, a, "ctx:1")).toBe("EAAB-secret-token");
  });

  it("refuses a record moved to another context, or tampered with", async () => {
    const ring = await keyringFrom({ CREDENTIALS_KEY: KEY_A });
    const sealed = await seal(ring, "token", "ctx:1");
    await expect(open(ring, sealed, "ctx:2")).rejects.toBeInstanceOf(VaultError);
    const flipped = sealed.ciphertext.startsWith("A")
      ? `B${sealed.ciphertext.slice(1)}`
      : `A${sealed.ciphertext.slice(1)}`;
    await expect(open(ring, { ...sealed, ciphertext: flipped }, "ctx:1")).rejects.toBeInstanceOf(VaultError);
  });

  it("rotation: the previous key still opens; rewrap moves the data key and keeps the payload", async () => {
    const old = await keyringFrom({ CREDENTIALS_KEY: KEY_A });
    const sealed = await seal(old, "token", "ctx");
    const rotated = await keyringFrom({ CREDENTIALS_KEY: KEY_B, CREDENTIALS_KEY_PREVIOUS: KEY_A });
    expect(await open(rotated, sealed, "ctx")).toBe("token");
    const moved = await rewrap(rotated, sealed, "ctx");
    expect(moved.kid).toBe(rotated.current.id);
    expect(moved.ciphertext).toBe(sealed.ciphertext);
    expect(moved.iv).toBe(sealed.iv);
    const onlyNew = await keyringFrom({ CREDENTIALS_KEY: KEY_B });
    expect(await open(onlyNew, moved, "ctx")).toBe("token");
    await expect(open(onlyNew, sealed, "ctx")).rejects.toThrow(/No key-encryption key/);
  });

  it("refuses a missing or malformed key", async () => {
    await expect(keyringFrom({})).rejects.toThrow(/CREDENTIALS_KEY is not configured/);
    await expect(keyringFrom({ CREDENTIALS_KEY: "c2hvcnQ=" })).rejects.toThrow(/32 random bytes/);
  });

  it("D1 holds ciphertext only; rotation re-wraps stored rows", async () => {
    const t = await createTenant();
    const credential = {
      kind: "oauth_token",
      accessToken: "plain-access-token-123",
      expiresAt: null,
    } as const;
    await storeCredential({ ...env, CREDENTIALS_KEY: KEY_A }, t.adAccounts.meta, credential);
    const row = await env.DB.prepare("SELECT * FROM ad_account_credentials WHERE ad_account_id = ?")
      .bind(t.adAccounts.meta)
      .first<Record<string, string>>();
    expect(JSON.stringify(row)).not.toContain("plain-access-token-123");
    const rotatedEnv = { ...env, CREDENTIALS_KEY: KEY_B, CREDENTIALS_KEY_PREVIOUS: KEY_A };
    expect(await rewrapCredentials(rotatedEnv)).toBeGreaterThanOrEqual(1);
    expect(await openCredential({ ...env, CREDENTIALS_KEY: KEY_B }, t.adAccounts.meta)).toEqual(credential);
  });
});

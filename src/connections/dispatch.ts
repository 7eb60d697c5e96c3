/**
 * Owns what dispatch needs from a connection: the account as the adapters see it and its own
 * credentials, opened from the vault right before the platform call; and, after the call, an
 * auth failure turned into the account's expired/revoked status.
 */
import { type AdAccountRow, findAdAccountById } from "../db/tenancy";
import type { Platform } from "../domain/platform-rules";
import type { Env } from "../env";
import { authFailure } from "../platforms/http";
import type { AdAccountConnection, PlatformCredential, PlatformResult } from "../platforms/types";
import { markTokenInvalid, markValidated } from "./accounts";
import { openCredential } from "./credentials";

export const NOT_CONNECTED_CODE = "NOT_CONNECTED";

export type DispatchConnection =
  | { ok: true; row: AdAccountRow; account: AdAccountConnection; credential: PlatformCredential | null }
  | { ok: false; result: PlatformResult };

export async function dispatchConnection(
  env: Env,
  adAccountId: string,
  sandbox: boolean,
): Promise<DispatchConnection> {
  const row = await findAdAccountById(env.DB, adAccountId);
  if (!row) {
    return {
      ok: false,
      result: {
        ok: false,
        kind: "rejected",
        message: "The ad account is no longer connected.",
        platformCode: "ACCOUNT_NOT_FOUND",
      },
    };
  }
  if (row.tokenStatus !== "valid") {
    const status = row.tokenStatus === "expired" ? "expired" : "revoked";
    return {
      ok: false,
      result: authFailure(
        `The ad account's platform OAuth is ${status}: reconnect it.`,
        status,
        NOT_CONNECTED_CODE,
      ),
    };
  }
  const account: AdAccountConnection = {
    adAccountId: row.id,
    platform: row.platform as Platform,
    externalId: row.externalId,
    currency: row.currency,
    connection: row.connection === "live" ? "live" : "sandbox",
    settings: row.settings,
  };
  // The simulator needs no credentials; only a live call opens the vault.
  if (sandbox || account.connection === "sandbox") return { ok: true, row, account, credential: null };
  const credential = await openCredential(env, row.id);
  if (!credential) {
    return {
      ok: false,
      result: authFailure(
        "The ad account has no stored credentials: reconnect it.",
        "revoked",
        NOT_CONNECTED_CODE,
      ),
    };
  }
  return { ok: true, row, account, credential };
}

/** A platform auth error marks the account, so later writes on it answer 404 at once. */
export async function noteDispatchResult(env: Env, row: AdAccountRow, result: PlatformResult): Promise<void> {
  // A live call that went through proved the credentials as well as any check would.
  if (result.ok) {
    if (row.connection === "live") await markValidated(env, row.id);
    return;
  }
  if (result.kind !== "auth") return;
  await markTokenInvalid(env, row, result.tokenStatus ?? "expired", {
    source: "dispatch",
    message: result.message,
    ...(result.platformCode ? { platformCode: result.platformCode } : {}),
  });
}

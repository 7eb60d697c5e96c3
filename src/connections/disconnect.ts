/**
 * Owns disconnecting an ad account (the customer's decision only): revoke the grant at the
 * platform where it can be, destroy the stored credentials, mark the account `revoked`. Its
 * campaigns stay readable; writes on them answer 404 "platform OAuth not connected".
 */
import type { AdAccountRow } from "../db/tenancy";
import type { Platform } from "../domain/platform-rules";
import type { Env } from "../env";
import { connectorFor } from "../platforms/connect";
import { PlatformFailure } from "../platforms/http";
import { platformConfigFromEnv } from "../platforms/index";
import { accountEvent, setAccountStatus } from "./accounts";
import { destroyCredential, openCredential } from "./credentials";

export async function disconnectAdAccount(
  env: Env,
  row: AdAccountRow,
  actor: { requestId: string; apiKeyId: string; actorType: string },
): Promise<void> {
  let platformRevoked: boolean | "not_offered" = "not_offered";
  const credential = await openCredential(env, row.id);
  const connector = connectorFor(
    row.platform as Platform,
    platformConfigFromEnv({ ...env }),
    row.connection !== "live",
  );
  if (credential && connector.revoke) {
    try {
      await connector.revoke(credential);
      platformRevoked = true;
    } catch (error) {
      // The customer's decision stands even when the platform cannot be told right now.
      if (!(error instanceof PlatformFailure)) throw error;
      platformRevoked = false;
    }
  }
  await destroyCredential(env, row.id);
  // The status and its audit event, committed together by the account status's single writer.
  await setAccountStatus(env, row, "revoked", {
    event: accountEvent(row, "ad_account.disconnected", { platformRevoked }, actor),
  });
}

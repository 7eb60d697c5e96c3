/**
 * Owns connecting Apple Search Ads: the customer's API user is proven with a token exchange
 * and the org listing, then every org it reaches is stored as an ad account holding the
 * sealed API user. Test keys are answered by the simulator (the private key is still checked).
 */
import type { Env } from "../env";
import type { Caller } from "../http/context";
import { privateKeyIssue } from "../platforms/apple-auth";
import { connectorFor } from "../platforms/connect";
import { PlatformFailure, type PlatformFailureResult } from "../platforms/http";
import { platformConfigFromEnv } from "../platforms/index";
import type { PlatformCredential } from "../platforms/types";
import { accountEvent, setAccountStatus, upsertConnectedAccount } from "./accounts";
import { storeCredential } from "./credentials";
import { startAccountSync } from "./sync-job";

export type AppleConnectResult =
  | { ok: true; adAccountIds: string[] }
  | {
      ok: false;
      reason: "invalid_private_key" | "refused" | "unreachable" | "no_orgs";
      message: string;
      platformCode?: string;
    };

export async function connectAppleUser(
  env: Env,
  caller: Caller,
  input: {
    projectId: string;
    requestId: string;
    clientId: string;
    teamId: string;
    keyId: string;
    privateKey: string;
  },
): Promise<AppleConnectResult> {
  const keyIssue = await privateKeyIssue(input.privateKey);
  if (keyIssue !== null) return { ok: false, reason: "invalid_private_key", message: keyIssue };
  const credential: PlatformCredential = {
    kind: "apple_api_user",
    clientId: input.clientId,
    teamId: input.teamId,
    keyId: input.keyId,
    privateKeyPem: input.privateKey,
  };
  const sandbox = caller.env === "test";
  const connector = connectorFor("apple", platformConfigFromEnv({ ...env }), sandbox);
  let orgs: Awaited<ReturnType<typeof connector.listAccounts>>;
  try {
    orgs = await connector.listAccounts(credential);
  } catch (error) {
    if (!(error instanceof PlatformFailure)) throw error;
    return refusal(error.result);
  }
  if (orgs.length === 0)
    return { ok: false, reason: "no_orgs", message: "This API user reaches no Apple Search Ads org." };
  const target = {
    organizationId: caller.organizationId,
    projectId: input.projectId,
    platform: "apple",
    connection: sandbox ? "sandbox" : "live",
  } as const;
  const adAccountIds: string[] = [];
  for (const org of orgs) {
    const { id, created } = await upsertConnectedAccount(env, target, org, null);
    await storeCredential(env, id, credential);
    adAccountIds.push(id);
    // Connected (or revived): the status and its audit event, committed together.
    await setAccountStatus(env, { id, ...target }, "valid", {
      event: accountEvent(
        { id, ...target },
        "ad_account.connected",
        { externalId: org.externalId, connection: target.connection, reconnected: !created },
        {
          requestId: input.requestId,
          apiKeyId: caller.apiKeyId,
          actorType: caller.actorType,
        },
      ),
    });
  }
  // Each account's import is a job its own sync object owns (it resumes after a crash).
  await Promise.all(adAccountIds.map((id) => startAccountSync(env, { id, ...target }, "connect")));
  return { ok: true, adAccountIds };
}

function refusal(result: PlatformFailureResult): AppleConnectResult {
  const platformCode = result.platformCode ? { platformCode: result.platformCode } : {};
  if (result.kind === "transient")
    return { ok: false, reason: "unreachable", message: result.message, ...platformCode };
  return { ok: false, reason: "refused", message: result.message, ...platformCode };
}

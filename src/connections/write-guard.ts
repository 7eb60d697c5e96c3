/** Owns the connection check on campaign writes: an account whose OAuth lapsed or was revoked takes none. */
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { adAccounts, campaigns } from "../db/schema";
import { ApiError } from "../http/errors";

/**
 * 404 "platform OAuth not connected" (as the customer's docs put it) when the campaign's ad
 * account is expired or revoked. A campaign not yet in D1 was created moments ago on a
 * connected account; its object decides.
 */
export async function requireConnectedCampaignAccount(db: D1Database, campaignId: string): Promise<void> {
  const [row] = await drizzle(db)
    .select({ tokenStatus: adAccounts.tokenStatus })
    .from(campaigns)
    .innerJoin(adAccounts, eq(adAccounts.id, campaigns.adAccountId))
    .where(eq(campaigns.id, campaignId))
    .limit(1);
  if (row && row.tokenStatus !== "valid") {
    throw new ApiError("NOT_FOUND", "Campaign's ad account: platform OAuth not connected.", {
      reason: "platform_oauth_not_connected",
      tokenStatus: row.tokenStatus,
    });
  }
}

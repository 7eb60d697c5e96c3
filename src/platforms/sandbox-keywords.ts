/**
 * Owns the simulator's answer to Apple's bulk keyword calls: deterministic keyword ids (a
 * function of the job and our keyword id, so a retried job gets the ids it got before), and
 * `[sandbox:reject]` in a keyword's own text refusing that one item the way Apple refuses a
 * duplicate: HTTP 200, the other items created.
 */
import { sandboxCampaignId } from "./sandbox";
import type { DispatchContext, KeywordOperation, PlatformResult } from "./types";

export const SANDBOX_KEYWORD_REFUSAL = {
  platformCode: "INVALID_INPUT",
  message: "Apple Search Ads: this keyword is not allowed [sandbox:reject]",
};

export async function sandboxKeywordCall(
  op: KeywordOperation,
  context: DispatchContext,
): Promise<PlatformResult> {
  const keywords = await Promise.all(
    op.keywords.map(async (k) => {
      if (op.type === "add_keywords") {
        const { text } = k as { text: string };
        if (/\[sandbox:reject\]/i.test(text)) {
          return { keywordId: k.keywordId, ok: false, error: { ...SANDBOX_KEYWORD_REFUSAL } };
        }
        const platformKeywordId = await sandboxCampaignId(
          "apple",
          `${context.idempotencyKey}:${k.keywordId}`,
        );
        return { keywordId: k.keywordId, ok: true, platformKeywordId };
      }
      const { platformKeywordId } = k as { platformKeywordId: string };
      return { keywordId: k.keywordId, ok: true, platformKeywordId };
    }),
  );
  return {
    ok: true,
    platformCampaignId: op.platformCampaignId,
    platformAdsetId: op.platformAdsetId,
    keywords,
  };
}

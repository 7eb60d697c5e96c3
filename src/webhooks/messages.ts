/** What travels on the webhook queue: a pointer to a delivery; the organization's ledger holds the rest. */
import { z } from "zod";

export const WebhookMessageSchema = z.object({
  organizationId: z.string().startsWith("org_"),
  deliveryId: z.string().startsWith("whd_"),
});
export type WebhookMessage = z.infer<typeof WebhookMessageSchema>;

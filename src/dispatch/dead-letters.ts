/** The dead-letter consumer: records what could not be dispatched and makes sure its job ends. */
import { drizzle } from "drizzle-orm/d1";
import { deadLetters } from "../db/schema";
import { newId } from "../domain/ids";
import type { Env } from "../env";
import { campaignObject } from "../objects/campaign";
import { DispatchMessageSchema } from "./messages";

export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const body = message.body as Record<string, unknown> | null;
    const reason = typeof body?.reason === "string" ? body.reason : "delivery attempts exhausted";
    const pointer = DispatchMessageSchema.safeParse(body);
    try {
      if (pointer.success) {
        await campaignObject(env, pointer.data.campaignId).abandonJob(
          pointer.data.jobId,
          `Dead-lettered: ${reason}.`,
        );
      }
      await drizzle(env.DB)
        .insert(deadLetters)
        .values({
          id: `dlq_${message.id}`.slice(0, 64) || newId("event"),
          jobId: pointer.success ? pointer.data.jobId : null,
          campaignId: pointer.success ? pointer.data.campaignId : null,
          body: JSON.stringify(body),
          reason,
          receivedAt: new Date().toISOString(),
        })
        .onConflictDoNothing();
      message.ack();
    } catch (error) {
      console.error(
        JSON.stringify({ level: "error", msg: "dead letter not recorded", error: String(error) }),
      );
      message.retry({ delaySeconds: 30 });
    }
  }
}

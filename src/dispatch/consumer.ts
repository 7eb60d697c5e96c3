/**
 * The dispatch queue's consumer: each message points at a job; the campaign object runs one
 * attempt and answers whether to retry (with its backoff) or give up (dead-letter queue).
 */
import type { Env } from "../env";
import { campaignObject } from "../objects/campaign";
import { DispatchMessageSchema } from "./messages";

/** Backoff for messages whose processing threw (the object or D1 unreachable), by delivery count. */
const crashDelaySeconds = (attempts: number) => Math.min(60, 2 ** Math.max(0, attempts - 1));

export async function consumeDispatchBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await Promise.all(batch.messages.map((message) => consumeDispatchMessage(message, env)));
}

async function consumeDispatchMessage(message: Message<unknown>, env: Env): Promise<void> {
  const parsed = DispatchMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    // Nothing can ever process it: park it in the dead-letter queue for a human.
    await env.DISPATCH_DLQ.send({ body: message.body, reason: "malformed dispatch message" });
    message.ack();
    return;
  }
  try {
    const outcome = await campaignObject(env, parsed.data.campaignId).runAttempt(parsed.data);
    if (outcome.next === "retry") {
      message.retry({ delaySeconds: outcome.delaySeconds });
      return;
    }
    if (outcome.next === "dead_letter")
      await env.DISPATCH_DLQ.send({ ...parsed.data, reason: "retries exhausted" });
    message.ack();
  } catch (error) {
    console.error(
      JSON.stringify({ level: "error", msg: "dispatch failed", job: parsed.data, error: String(error) }),
    );
    message.retry({ delaySeconds: crashDelaySeconds(message.attempts) });
  }
}

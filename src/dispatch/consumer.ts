/**
 * The dispatch queue's consumer: each message points at a job. The consumer never runs an
 * attempt itself: it hands the message to the campaign's dispatch runner, which stores it
 * and runs it in its own context, and acks once the runner has it. So the batch returns at
 * once, whatever the platforms are doing.
 */
import type { Env } from "../env";
import { logLine } from "../observability/log";
import { DispatchMessageSchema } from "./messages";
import { dispatchRunner } from "./runner";

/** Backoff for messages the runner could not take (its object unreachable), by delivery count. */
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
    await dispatchRunner(env, parsed.data.campaignId).take(parsed.data);
    message.ack();
  } catch (error) {
    logLine({ level: "error", msg: "dispatch.take_failed", ...parsed.data, error: String(error) });
    message.retry({ delaySeconds: crashDelaySeconds(message.attempts) });
  }
}

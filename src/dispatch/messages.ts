/** What travels on the dispatch queue: a pointer to a job; the campaign object holds the rest. */
import { z } from "zod";

export const DispatchMessageSchema = z.object({
  jobId: z.string().startsWith("job_"),
  campaignId: z.string().startsWith("cmp_"),
  /** The job's dispatch generation when this message was sent; older generations are stale. */
  generation: z.number().int().positive(),
});
export type DispatchMessage = z.infer<typeof DispatchMessageSchema>;

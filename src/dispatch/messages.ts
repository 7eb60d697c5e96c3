/** What travels on the dispatch queue: a pointer to a job; the campaign object holds the rest. */
import { z } from "zod";

export const DispatchMessageSchema = z.object({
  jobId: z.string().startsWith("job_"),
  campaignId: z.string().startsWith("cmp_"),
});
export type DispatchMessage = z.infer<typeof DispatchMessageSchema>;

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export class CampaignObject extends DurableObject<Env> {}

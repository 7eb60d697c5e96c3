import { createMiddleware } from "hono/factory";
import { newId } from "../domain/ids";
import type { AppEnv } from "./context";

/** Every response carries `X-Request-Id`; error bodies repeat it. */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const id = newId("request");
  c.set("requestId", id);
  c.header("X-Request-Id", id);
  await next();
});

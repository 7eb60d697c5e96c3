// Where the local D1 and Durable Object state live: wrangler's default (.wrangler/state), or
// WRANGLER_PERSIST_TO when set (the bench points it at tmpfs; see scripts/bench.mjs). Every
// script that runs wrangler against local state builds its arguments here, so `wrangler dev`
// serves exactly the database the seed wrote.
export function persistArgs(env = process.env) {
  const dir = env.WRANGLER_PERSIST_TO;
  return dir ? ["--persist-to", dir] : [];
}

/** `wrangler dev` on a loopback port, against the same local state as the seed. */
export function devArgs({ port, extra = [], env = process.env }) {
  return ["dev", "--port", String(port), "--ip", "127.0.0.1", ...persistArgs(env), ...extra];
}

/** `wrangler d1 …` against the local database (the same state `wrangler dev` serves). */
export function localD1Args(args, env = process.env) {
  return ["d1", ...args, "--local", ...persistArgs(env)];
}

/**
 * Campaign objects copy their records to D1 right after answering, so a row minted a moment
 * ago may not be there yet. Lookups of such fresh ids wait briefly for it, but only when
 * `minted` confirms the system really issued the id (a forged id with a current timestamp
 * answers at once); older ids, and ids that are not ours, answer at once.
 */
import { idTime } from "../domain/ids";

const FRESH_MS = 10_000;
const WAIT_MS = 500;
const POLL_MS = 20;

export async function findFresh<T>(
  id: string,
  lookup: () => Promise<T | null>,
  minted: () => Promise<boolean> = async () => true,
): Promise<T | null> {
  const found = await lookup();
  if (found !== null) return found;
  const mintedAt = idTime(id);
  if (mintedAt === null || Date.now() - mintedAt > FRESH_MS) return null;
  if (!(await minted())) return null;
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const row = await lookup();
    if (row !== null) return row;
  }
  return null;
}

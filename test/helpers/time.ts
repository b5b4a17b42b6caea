/** The test suite's waiting helpers: one `sleep` and one poll for arrivals. */
import { setTimeout as sleep } from "node:timers/promises";

export { sleep };

/** Polls `condition` until it holds; rejects after `timeoutMs`. For arrivals, never for absences. */
export async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

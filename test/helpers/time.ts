/** The test suite's waiting helpers: one `sleep` and one poll for arrivals. */
import { setTimeout as sleep } from "node:timers/promises";

export { sleep };

/**
 * Polls `condition` (which may answer asynchronously) every `intervalMs` until it holds; rejects
 * after `timeoutMs`, naming `what`. For arrivals, never for absences.
 */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 3000, what = "condition", intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

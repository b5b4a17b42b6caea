/**
 * Request ids in the form the gateway makes them (`uuid4().hex`: 32 lowercase hex characters,
 * version 4, RFC 4122 variant), drawn from a pool of random bytes refilled in blocks. Formatting
 * the 16 bytes as hex directly builds one string per id; `randomUUID()` without its dashes builds
 * the dashed form and then a second string.
 */
import { randomFillSync } from "node:crypto";

const ID_BYTES = 16;
const POOL_IDS = 128;
const pool = Buffer.allocUnsafe(ID_BYTES * POOL_IDS);
let offset = pool.length;

export function newRequestId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += ID_BYTES;
  pool[start + 6] = ((pool[start + 6] as number) & 0x0f) | 0x40;
  pool[start + 8] = ((pool[start + 8] as number) & 0x3f) | 0x80;
  return pool.toString("hex", start, start + ID_BYTES);
}

/**
 * The most frequent line a connector receives during a replay, `inbound_ack`, read without
 * `JSON.parse` when it has one of the two exact forms producers write: compact JSON
 * (`{"type":"inbound_ack","bufferId":"…"}`) and Python's default `json.dumps`
 * (`{"type": "inbound_ack", "bufferId": "…"}`, what the reference gateway sends). A
 * JSON string holds any character but `"`, `\` and U+0000–U+001F literally, so for a line of
 * either form whose id contains none of them, `JSON.parse` returns exactly `{ type, bufferId }`
 * with the characters between the quotes. Every other line — escapes, other spacing, other keys
 * or key order, a trailing `\r` — is left to `JSON.parse`. Only parsing is skipped: the frame
 * goes through the same type, direction and schema checks as any other.
 */

const COMPACT = '{"type":"inbound_ack","bufferId":"';
const SPACED = '{"type": "inbound_ack", "bufferId": "';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;

/** The value `JSON.parse(line)` returns, for an `inbound_ack` line of an exact form; otherwise `undefined`. */
export function parseAckLine(line: string): { type: "inbound_ack"; bufferId: string } | undefined {
  const start = line.startsWith(COMPACT) ? COMPACT.length : line.startsWith(SPACED) ? SPACED.length : -1;
  const end = line.length - 2;
  if (start === -1 || end < start || line.charCodeAt(end) !== QUOTE || line.charCodeAt(end + 1) !== CLOSE_BRACE) return undefined;
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === QUOTE || c === BACKSLASH || c < 0x20) return undefined;
  }
  return { type: "inbound_ack", bufferId: line.slice(start, end) };
}

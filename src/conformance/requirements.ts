/**
 * The requirements the conformance kit verifies, as data: ids are stable (reports, JUnit class
 * names and expected-failures files refer to them), levels follow RFC 2119, and every entry
 * names the numbered section(s) of docs/relay-connector-contract.md it derives from (`§7` is
 * section 7 there).
 *
 * `role` is the side under test the requirement binds: `gateway` requirements are checked by
 * `conformance gateway` (the kit plays the connector), `connector` ones by `conformance
 * connector` (the kit plays the gateway), `both` by either.
 */

export type RequirementLevel = "MUST" | "SHOULD";
export type RequirementRole = "gateway" | "connector" | "both";
/** The role a kit run tests. */
export type PeerRole = "gateway" | "connector";

export interface Requirement {
  readonly id: string;
  readonly level: RequirementLevel;
  readonly role: RequirementRole;
  /** One line, imperative, about the peer under test. */
  readonly title: string;
  /** Section(s) of docs/relay-connector-contract.md, e.g. `§2, §7`, or another document of the package. */
  readonly ref: string;
}

const r = (id: string, level: RequirementLevel, role: RequirementRole, ref: string, title: string): Requirement =>
  Object.freeze({ id, level, role, ref, title });

export const REQUIREMENTS: readonly Requirement[] = Object.freeze([
  // Framing (§2)
  r("RC-FRM-001", "MUST", "both", "§2", "Every message it sends ends with \"\\n\": no frame is left without its terminator"),
  r("RC-FRM-002", "SHOULD", "both", "§2", "Sends one frame per WebSocket text message"),
  r("RC-FRM-003", "MUST", "both", "§2", "Processes several newline-separated frames arriving in one message"),
  r("RC-FRM-004", "MUST", "both", "§2", "Processes a frame split across several messages once its \"\\n\" arrives"),
  r("RC-FRM-005", "MUST", "both", "§2, §14", "Skips blank lines and lines that are not JSON, and keeps the connection"),
  // The reference gateway ends its reader on a JSON line that is not an object (hermes-agent
  // gateway/relay/ws_transport.py, WebSocketRelayTransport._handle_frame calls frame.get on it;
  // commit 00067189dfecf833d4d009c2dd977ae85cf800e0), so skipping one is a SHOULD.
  r("RC-FRM-006", "SHOULD", "both", "§2, §14", "Skips JSON lines that are not objects (arrays, numbers, strings) and keeps the connection"),
  // Tolerance (§2, §14)
  r("RC-TOL-001", "MUST", "both", "§14", "Ignores unknown fields in frames and nested objects"),
  r("RC-TOL-002", "MUST", "both", "§2, §14", "Ignores unknown frame types and echoed frame types of its own direction, keeping the connection"),
  // Wire validity (every frame on the wire is its own check)
  // A receiver acts on what the tolerant schema accepts (§14): the reference gateway itself sends
  // plugin commands that break producer rules and relies on the connector dropping those entries
  // (hermes-agent gateway/relay/command_manifest.py, build_relay_command_manifest; commit
  // 1fb1a58a9ab329c29f6989bea6414b7610ca4d46), so the MUST is receiver acceptance and the producer
  // rules are a SHOULD.
  r("RC-WIRE-001", "MUST", "gateway", "§1, §14", "Every frame it sends (hello, outbound, interrupt, going_idle, inbound_ack) is accepted by a receiver (the tolerant schema)"),
  r("RC-WIRE-003", "SHOULD", "gateway", "§1, §14", "Every frame it sends also meets the producer rules (the strict schema); a frame that breaks only those is an advisory"),
  r("RC-WIRE-002", "MUST", "connector", "§1", "Every outbound_result, interrupt_inbound, passthrough_forward and going_idle_ack it sends is valid against the strict schema"),
  // Handshake (§3, §16, §4)
  r("RC-HS-001", "MUST", "gateway", "§3", "Dials the relay path: the base URL normalised with \"/relay\" appended once"),
  r("RC-HS-002", "MUST", "gateway", "§16, §4", "Sends one hello per configured identity, in configured order (the first is the default)"),
  r("RC-HS-003", "SHOULD", "gateway", "§4", "Sends all its hellos without waiting for descriptors"),
  r("RC-HS-004", "MUST", "connector", "§16, §4", "Answers each hello with exactly one descriptor, in hello order, for the hello's platform"),
  r("RC-DESC-001", "MUST", "connector", "§16", "Every descriptor is valid against the strict schema (CapabilityDescriptor, contract_version 1)"),
  // Authentication (§3, §9, §10)
  r("RC-AUTH-001", "MUST", "gateway", "§3", "Every dial carries Authorization: Bearer with a §3 token for its gateway id that verifies and is not expired"),
  r("RC-AUTH-002", "MUST", "gateway", "§12, §3", "Mints a fresh token for every dial (a token is never reused across dials)"),
  r("RC-AUTH-003", "MUST", "gateway", "§9, §10", "Treats 4401 before any handshake as retryable: dials again"),
  r("RC-AUTH-004", "SHOULD", "gateway", "§9, §10", "After 4401 on a handshaked connection, tries one more dial, with a fresh token, before giving up (V-late+)"),
  r("RC-AUTH-005", "MUST", "gateway", "§9, §10", "A 4401 (reason other than \"expired\") refusing the fresh-token re-dial is terminal: it never dials again"),
  r("RC-AUTH-006", "SHOULD", "gateway", "§9, §10", "4401 with reason \"expired\" is never terminal: it reconnects"),
  r("RC-AUTH-010", "MUST", "connector", "§3, §10", "Refuses a missing, malformed or wrongly signed token with 4401 (close or HTTP 401) and processes no frame"),
  r("RC-AUTH-011", "SHOULD", "connector", "§10", "Refuses an authentic but expired token with close 4401 and reason \"expired\""),
  r("RC-AUTH-012", "MUST", "connector", "§3", "Accepts a valid upgrade token"),
  // Requests (§19, §20, §5)
  r("RC-OUT-001", "MUST", "gateway", "§19", "Gives every outbound a fresh requestId (32 lowercase hex) never reused within the run"),
  r("RC-OUT-002", "MUST", "connector", "§19", "Answers every op of the contract (all 14) with an outbound_result, success or structured failure"),
  r("RC-OUT-003", "MUST", "connector", "§19", "Answers an outbound naming a platform:botId that was not hello'd, or only a platform that no hello named, with success:false"),
  r("RC-COR-001", "MUST", "gateway", "§5", "Keeps several requests in flight and matches results by requestId, whatever their order"),
  r("RC-COR-002", "MUST", "gateway", "§20, §5", "Ignores an outbound_result whose requestId is unknown"),
  r("RC-COR-003", "MUST", "connector", "§20, §5", "Answers every outbound with exactly one outbound_result carrying its requestId, also with many in flight"),
  // Inbound, buffering and acks (§17, §21, §22, §7)
  r("RC-INB-001", "MUST", "connector", "§17", "Every inbound is valid against the strict schema (scope_id present where required; guild_id alone is not enough)"),
  r("RC-INB-002", "MUST", "connector", "§7, §8", "While idle, buffers inbound; on the next handshake replays the backlog in order with bufferIds, then resumes live delivery"),
  r("RC-INB-003", "MUST", "connector", "§7", "Never redelivers an acked buffered entry"),
  r("RC-INB-004", "MUST", "gateway", "§17", "Hands every inbound event (live or replayed) to its handler"),
  r("RC-ACK-001", "MUST", "gateway", "§7, §17", "Acks each buffered inbound with inbound_ack carrying its bufferId, after handling it"),
  r("RC-ACK-002", "MUST", "gateway", "§17", "Never acks a live delivery (no bufferId)"),
  r("RC-ACK-003", "SHOULD", "gateway", "§21", "Acks a buffered passthrough_forward with inbound_ack"),
  // Interrupts and passthrough (§18, §21)
  r("RC-INT-001", "MUST", "connector", "§18", "Routes a gateway's interrupt to the instance running the session as interrupt_inbound with the same session_key"),
  r("RC-INT-002", "MUST", "gateway", "§18", "Hands interrupt_inbound (session_key, chat_id) to the session's handler"),
  r("RC-INT-003", "MUST", "gateway", "§18", "Egresses interrupt with the session_key and a reason (string or null)"),
  r("RC-PT-001", "MUST", "gateway", "§21", "Hands passthrough_forward to its handler with the body bytes decoded from bodyB64"),
  // Going idle (§22, §8)
  r("RC-IDLE-001", "MUST", "gateway", "§8", "Going dormant after going_idle, stays connected until going_idle_ack arrives (a shutdown may close after a bounded wait; the reference waits 2 s)"),
  r("RC-IDLE-002", "MUST", "gateway", "§8", "Keeps handling inbound while waiting for going_idle_ack"),
  r("RC-IDLE-003", "MUST", "connector", "§22, §8", "Answers going_idle with going_idle_ack"),
  // The kit's prerequisite on a connector under test (docs/conformance.md)
  r("RC-LOOP-001", "MUST", "connector", "docs/conformance.md", "Fronts the kit's loopback platform: a send to chat \"loopback\" comes back as inbound, to \"loopback-passthrough\" as passthrough_forward"),
  // Keepalive (§11)
  r("RC-PING-001", "MUST", "both", "§11", "Answers a WebSocket ping with a pong carrying the same payload"),
  // Reconnect (§12)
  r("RC-REC-001", "MUST", "gateway", "§12", "After an unexpected close, re-dials and re-sends its hellos"),
  r("RC-REC-002", "MUST", "gateway", "§8", "After going dormant (going_idle acked, socket closed), re-dials so the backlog can drain"),
]);

const BY_ID = new Map(REQUIREMENTS.map((req) => [req.id, req]));

export function requirementById(id: string): Requirement | undefined {
  return BY_ID.get(id);
}

/** The requirements a run against `role` verifies. */
export function requirementsFor(role: PeerRole): Requirement[] {
  return REQUIREMENTS.filter((req) => req.role === role || req.role === "both");
}

/** Markdown table of the registry (docs/conformance.md). */
export function renderRequirementTable(): string {
  const rows = ["| Id | Level | Peer | Requirement | Ref |", "| --- | --- | --- | --- | --- |"];
  for (const req of REQUIREMENTS) {
    rows.push(`| ${req.id} | ${req.level} | ${req.role} | ${req.title.replace(/\|/g, "\\|")} | ${req.ref} |`);
  }
  return rows.join("\n") + "\n";
}

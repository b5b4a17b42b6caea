/**
 * The Python example gateway against a peer sending more than a line may hold: a run of text
 * longer than MAX_LINE_BYTES without "\n", spread over several messages, is dropped through its
 * "\n" and reported once; the frame after it is handled; what the gateway sends is valid.
 */
import t from "tap";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { WebSocketServer, type WebSocket } from "ws";
import { validateFrame } from "../src/validation.js";
import { DEFAULT_MAX_LINE_BYTES } from "../src/codec/index.js";
import { PYTHON, pythonEnv } from "./helpers/python.js";
import { frameVector } from "./helpers/vectors.js";

const vector = (id: string) => frameVector(id) as Record<string, unknown>;

t.test("an over-long line is dropped and reported; the next frame is handled", async (t) => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => wss.once("listening", resolve));
  t.teardown(() => wss.close());
  const port = (wss.address() as { port: number }).port;
  const gateway = spawn(PYTHON, [fileURLToPath(new URL("../examples/python_gateway/gateway.py", import.meta.url))], {
    env: pythonEnv({ RELAY_URL: `ws://127.0.0.1:${port}`, RELAY_REQUEST_TIMEOUT_MS: "60000" }),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  gateway.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  t.teardown(() => gateway.kill("SIGKILL"));

  const socket = await new Promise<WebSocket>((resolve) => wss.once("connection", resolve));
  const received: Record<string, unknown>[] = [];
  const echoed = new Promise<Record<string, unknown>>((resolve) => {
    socket.on("message", (data) => {
      for (const line of String(data).split("\n").filter(Boolean)) {
        const frame = JSON.parse(line) as Record<string, unknown>;
        received.push(frame);
        if (frame.type === "hello") socket.send(`${JSON.stringify({ ...vector("descriptor.valid.discord") })}\n`);
        const action = frame.action as { content?: string } | undefined;
        if (frame.type === "outbound" && action?.content?.startsWith("echo: ")) resolve(frame);
      }
    });
  });
  // 3 × 400 KiB, no newline: more than MAX_LINE_BYTES before the "\n" arrives.
  const chunk = "x".repeat(400 * 1024);
  for (let i = 0; i < 3; i++) socket.send(chunk);
  const inbound = vector("inbound.valid.dm-minimal");
  socket.send(`${chunk}\n${JSON.stringify(inbound)}\n`);

  const frame = await echoed;
  t.ok(validateFrame(frame, { direction: "gateway-to-connector" }).ok, "the echo is a valid outbound");
  for (const f of received) t.ok(validateFrame(f, { direction: "gateway-to-connector" }).ok, `sent a valid ${String(f.type)}`);
  const reports = stderr.split("\n").filter((l) => l.includes(`skipping a line over ${DEFAULT_MAX_LINE_BYTES} bytes`));
  t.equal(reports.length, 1, `reported once:\n${stderr}`);
});

t.test("an unusable RELAY_IDENTITIES stops the gateway with one line naming the setting, exit 2", async (t) => {
  const cases: [string, RegExp][] = [
    ["not json", /RELAY_IDENTITIES is not JSON/],
    ["{}", /RELAY_IDENTITIES must be a non-empty JSON list/],
    ["[]", /RELAY_IDENTITIES must be a non-empty JSON list/],
    ['[{"platform":"slack"},{"botId":"B1"}]', /RELAY_IDENTITIES\[1\] needs a non-empty string "platform"/],
  ];
  for (const [value, expected] of cases) {
    const child = spawn(PYTHON, [fileURLToPath(new URL("../examples/python_gateway/gateway.py", import.meta.url))], {
      env: pythonEnv({ RELAY_URL: "ws://127.0.0.1:9", RELAY_IDENTITIES: value }),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    t.equal(code, 2, `${value}: exit 2`);
    t.match(stderr, expected, `${value}: says what is wrong`);
    t.notMatch(stderr, /Traceback/, `${value}: no traceback`);
    t.equal(stderr.trim().split("\n").length, 1, `${value}: one line`);
  }
});

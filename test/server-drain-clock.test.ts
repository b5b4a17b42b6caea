/**
 * A replay's ack deadlines run on a monotonic clock: a wall clock stepped backwards (NTP, a VM
 * resumed) must not hold entries "not yet due" for the size of the step, which would keep the
 * drain's window full and stall the backlog.
 */
import t from "tap";
import { Drain } from "../src/server/drain.js";
import { InMemoryDeliveryBuffer } from "../src/server/delivery-buffer.js";
import { frameVector } from "./helpers/vectors.js";
import { until } from "./helpers/time.js";

t.test("ack timeouts fire on time after the wall clock steps back an hour", async (t) => {
  const buffer = new InMemoryDeliveryBuffer();
  const inbound = frameVector("inbound.valid.live-discord") as never;
  for (let i = 0; i < 3; i++) await buffer.append("g", inbound);
  const realNow = Date.now;
  t.teardown(() => {
    Date.now = realNow;
  });
  const timedOut: string[] = [];
  let writes = 0;
  const drain = new Drain({
    buffer,
    gatewayId: "g",
    target: {
      open: true,
      bufferedAmount: 0,
      writeFrames: async () => {
        // The first write happens, then the wall clock jumps back an hour.
        if (writes++ === 0) Date.now = () => realNow() - 3_600_000;
      },
    },
    window: 2,
    framesPerMessage: 1,
    maxMessageBytes: 1 << 20,
    ackTimeoutMs: 100,
    highWaterBytes: 1 << 20,
    pollIntervalMs: 10,
    pendingAppends: () => 0,
    onSent: () => undefined,
    onAckTimeout: (id) => timedOut.push(id),
    onInvalidEntry: () => undefined,
  });
  void drain.run();
  t.teardown(() => drain.abort());
  await until(() => timedOut.length === 3, 10_000);
  t.equal(timedOut.length, 3, "every unacked entry timed out, none held by the clock step");
});

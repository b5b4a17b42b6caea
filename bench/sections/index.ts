/**
 * The sections of `npm run bench`, in run order. Adding a measurement is one file in this folder
 * exporting a `Section`, plus one line here; the runner, the report, the JSON and the README
 * headline pick it up.
 */
import type { Section } from "../lib/types.js";
import { decodeSection } from "./decode.js";
import { loopbackSection } from "./loopback.js";
import { replaySection } from "./replay.js";
import { memorySection } from "./memory.js";
import { startupSection } from "./startup.js";
import { deflateSection } from "./deflate.js";
import { redisCrossInstanceSection } from "./redis-cross-instance.js";
import { floodSection } from "./flood.js";

export const SECTIONS: readonly Section[] = [
  decodeSection,
  loopbackSection,
  replaySection,
  memorySection,
  startupSection,
  deflateSection,
  redisCrossInstanceSection,
  floodSection,
];

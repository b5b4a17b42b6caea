/**
 * The reference gateway code this corpus was built from: NousResearch/hermes-agent, read at the
 * commits below. Each corpus entry names the file and function it reproduces; the code is
 * described and re-implemented here as values, never copied.
 */
export const REFERENCE = {
  "gateway/relay/adapter.py": "026b75e414a0d0aab104c9bd2a590e86853c01c1",
  "gateway/relay/ws_transport.py": "00067189dfecf833d4d009c2dd977ae85cf800e0",
  "gateway/relay/descriptor.py": "09ffeaec0c93478c5127ae7d97fb2e43be7dfb28",
  "gateway/relay/command_manifest.py": "1fb1a58a9ab329c29f6989bea6414b7610ca4d46",
  "gateway/relay/media.py": "1db9ff897e0638c8b324d8feb5fb3bf05254856a",
  "gateway/relay/prompt_surface.py": "991877ef88808d87295ae8c6d3d62f45b0998ad2",
  "gateway/relay/egress.py": "0b5fb70589b5c6f2e13f83ac083accd02b73432f",
  "gateway/relay/__init__.py": "02fe8766499e14526416cd8212e477627fa60f1d",
  "hermes_cli/gateway_enroll.py": "09ffeaec0c93478c5127ae7d97fb2e43be7dfb28",
  "website/docs/developer-guide/relay-connector-contract.md": "0de62bdc1c0a908213ff4955b564cb45802a4bc8",
} as const;

export type ReferenceFile = keyof typeof REFERENCE;

export interface Citation {
  file: ReferenceFile;
  /** The function (or document section) the value reproduces. */
  function: string;
}

/**
 * One value the reference gateway produces or accepts.
 * - `produced`: the gateway's code builds it, so the strict (producer) contract must accept it;
 * - `accepted`: a connector may send it and the gateway's code takes it, so a receiver (tolerant)
 *   must accept it; `dropped` lists the JSON pointers of entries a receiver removes.
 */
export interface CorpusEntry {
  id: string;
  cite: Citation;
  kind: "produced" | "accepted";
  /** A frame, or an HTTP body of the named definition. */
  frame?: Record<string, unknown>;
  http?: { definition: string; body: unknown };
  dropped?: string[];
}

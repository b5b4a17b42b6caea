/**
 * The unterminated line a `FrameDecoder` holds between messages: one growable byte buffer, never
 * one object per received piece. However finely the peer chops a line, what is retained stays
 * within a small constant factor of the line's size (capacity at most doubles past what is held).
 *
 * Text input is kept as UTF-16 code units, so a line that only ever arrived as strings is
 * rebuilt exactly (lone surrogates included); as soon as a piece of a line arrives as bytes the
 * line is kept as UTF-8 and decoded once, whole, when it ends — exactly what the one-message path
 * does with the same bytes. The byte count it accounts is the caller's (see `FrameDecoder`).
 */

const MIN_CAPACITY = 256;

export type PendingEncoding = "utf8" | "utf16le";

export class PendingLine {
  #buf: Buffer;
  #used = 0;
  #encoding: PendingEncoding;

  constructor(encoding: PendingEncoding, sizeHint: number) {
    this.#encoding = encoding;
    this.#buf = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, sizeHint));
  }

  /** Bytes of storage held (for memory accounting and tests). */
  get capacity(): number {
    return this.#buf.length;
  }

  get encoding(): PendingEncoding {
    return this.#encoding;
  }

  appendText(text: string): void {
    if (text.length === 0) return;
    const need = this.#encoding === "utf16le" ? text.length * 2 : Buffer.byteLength(text, "utf8");
    this.#reserve(need);
    this.#used += this.#buf.write(text, this.#used, need, this.#encoding);
  }

  appendBytes(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // From now on this line is bytes: re-encode what arrived as text once.
    if (this.#encoding === "utf16le") this.#toUtf8();
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  /** The whole line as a string. */
  text(): string {
    return this.#buf.toString(this.#encoding, 0, this.#used);
  }

  /** The first characters of the line (for error excerpts) without decoding all of it. */
  head(chars: number): string {
    const unit = this.#encoding === "utf16le" ? 2 : 4;
    return this.#buf.toString(this.#encoding, 0, Math.min(this.#used, chars * unit)).slice(0, chars);
  }

  #toUtf8(): void {
    const text = this.text();
    this.#encoding = "utf8";
    const bytes = Buffer.from(text, "utf8");
    this.#buf = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, bytes.length * 2));
    bytes.copy(this.#buf);
    this.#used = bytes.length;
  }

  #reserve(extra: number): void {
    const need = this.#used + extra;
    if (need <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.#buf.length * 2));
    this.#buf.copy(grown, 0, 0, this.#used);
    this.#buf = grown;
  }
}

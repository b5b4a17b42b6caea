/** Size limits of the codec, in a module of their own so generation can read them without the validators. */

/** 1 MiB: the gateway's websockets `max_size` default, the largest message (so line) it takes. */
export const DEFAULT_MAX_LINE_BYTES = 1_048_576;

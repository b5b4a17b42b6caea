export { encodeFrame, encodeFrames, encodeFrameBatches, MAX_MESSAGE_BYTES } from "./encode.js";
export type { EncodeOptions, BatchOptions, FrameLike } from "./encode.js";
export { FrameDecoder, DEFAULT_MAX_LINE_BYTES } from "./decoder.js";
export type {
  DecodeMode,
  DecodedFrame,
  DecodeEvent,
  DecodeErrorEvent,
  FrameEvent,
  DecoderInput,
  FrameDecoderOptions,
} from "./decoder.js";
export { FrameValidationError, DECODE_ERROR_CODES } from "./errors.js";
export type { DecodeError, DecodeErrorCode } from "./errors.js";
export type { FrameValidator, FrameDirectionLookup } from "./validator.js";

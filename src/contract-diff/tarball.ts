/**
 * Reads regular files out of a gzipped tar (the `npm pack` format: ustar, with pax headers for
 * long names). Small enough to own: the CLI needs two named files from a package tarball, and a
 * tar library would be a run-time dependency of every install for it.
 */
import { gunzipSync } from "node:zlib";

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString("utf8");
}

/** Pax extended header records (`"<len> key=value\n"`), for the `path` of the next entry. */
function paxPath(data: Buffer): string | undefined {
  let path: string | undefined;
  for (let at = 0; at < data.length; ) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(data.subarray(at, space).toString("ascii"));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString("utf8");
    if (record.startsWith("path=")) path = record.slice(5);
    at += length;
  }
  return path;
}

/** Every regular file of a .tgz as path → contents. Throws on a truncated or non-gzip input. */
export function readTarball(gzipped: Buffer): Map<string, Buffer> {
  const tar = gunzipSync(gzipped);
  const files = new Map<string, Buffer>();
  let nextPath: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(field(header, 124, 12).trim() || "0", 8);
    if (!Number.isFinite(size) || at + BLOCK + size > tar.length) throw new Error("truncated tar archive");
    const type = String.fromCharCode(header[156] ?? 0);
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    const prefix = field(header, 345, 155);
    const name = nextPath ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    if (type === "x") nextPath = paxPath(data);
    else {
      if (type === "0" || type === "\0") files.set(name, Buffer.from(data));
      nextPath = undefined;
    }
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}

// Byte helpers shared by the signing glue: base64 (RFC 4648 §4, padded), hex, UTF-8, SHA-256.

export const utf8 = (text) => new TextEncoder().encode(text);

export function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError("expected bytes");
}

// A copy in a fresh ArrayBuffer of exactly its length: what WebCrypto and asn1js expect.
export const toBuffer = (data) => toBytes(data).slice().buffer;

export function b64encode(data) {
  const bytes = toBytes(data);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function b64decode(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) {
    throw new TypeError("not base64");
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export const hex = (data) =>
  Array.from(toBytes(data), (b) => b.toString(16).padStart(2, "0")).join("");

export function fromHex(text) {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new TypeError("not hex");
  return Uint8Array.from(text.match(/../g) || [], (pair) => parseInt(pair, 16));
}

export async function sha256(data) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", toBytes(data)));
}

export const sha256Hex = async (data) => hex(await sha256(data));

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

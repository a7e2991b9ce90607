// Checking a receipt in the page (docs/bid-format.md section 8): the platform's Ed25519
// signature over the canonical body, its key id, and our own hashes in it.
import { b64decode, sha256Hex } from "./bytes.js";
import { canonical } from "./canonical.js";

export async function verifyReceipt(doc, keyInfo, expected = {}) {
  const publicRaw = b64decode(keyInfo.public_key);
  if (doc.key_id !== (await sha256Hex(publicRaw)).slice(0, 8) || doc.key_id !== keyInfo.key_id) {
    return false;
  }
  const key = await crypto.subtle.importKey("raw", publicRaw, { name: "Ed25519" }, false, ["verify"]);
  const valid = await crypto.subtle.verify(
    { name: "Ed25519" },
    key,
    b64decode(doc.signature),
    canonical(doc.receipt),
  );
  return valid && Object.entries(expected).every(([field, value]) => doc.receipt[field] === value);
}

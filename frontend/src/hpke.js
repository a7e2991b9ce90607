// RFC 9180 HPKE, base mode, single shot, through @hpke/core over WebCrypto:
// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, empty aad. Sealed = enc || ct,
// exactly what bids/crypto/seal.py and tools/tenderctl.py produce and open.
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { concat, toBuffer, toBytes } from "./bytes.js";
import { SigningError } from "./errors.js";

export const KEY_SIZE = 32;
const TAG_SIZE = 16;

export const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes256Gcm(),
});

export async function importPublicKey(raw) {
  if (toBytes(raw).length !== KEY_SIZE) throw new SigningError("key_malformed");
  return suite.kem.importKey("raw", toBuffer(raw), true);
}

// `ephemeral` (a CryptoKeyPair) is for test vectors only; real sealing draws a fresh one.
export async function seal(plaintext, publicKeyRaw, info, ephemeral) {
  const recipientPublicKey = await importPublicKey(publicKeyRaw);
  const params = { recipientPublicKey, info: toBuffer(info) };
  if (ephemeral) params.ekm = ephemeral;
  const sender = await suite.createSenderContext(params);
  const ct = new Uint8Array(await sender.seal(toBuffer(plaintext), new ArrayBuffer(0)));
  return concat(new Uint8Array(sender.enc), ct);
}

// `recipientKey` is a CryptoKeyPair: the private half may be non-extractable.
export async function openSealed(sealed, recipientKey, info) {
  const bytes = toBytes(sealed);
  if (bytes.length < KEY_SIZE + TAG_SIZE) throw new SigningError("sealed_undecryptable");
  try {
    const recipient = await suite.createRecipientContext({
      recipientKey,
      enc: toBuffer(bytes.subarray(0, KEY_SIZE)),
      info: toBuffer(info),
    });
    return new Uint8Array(await recipient.open(toBuffer(bytes.subarray(KEY_SIZE))));
  } catch {
    throw new SigningError("sealed_undecryptable");
  }
}

// A raw 32-byte X25519 private key as a CryptoKeyPair: for test vectors only.
export async function keyPairFromRaw(privateRaw, publicRaw) {
  const privateKey = await suite.kem.importKey("raw", toBuffer(privateRaw), false);
  return { privateKey, publicKey: await importPublicKey(publicRaw) };
}

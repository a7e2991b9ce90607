// A commission member's opening key, made and kept in this browser: the X25519 private key is
// stored in IndexedDB as a non-extractable CryptoKey (the browser can use it, no script can
// read it out), and an encrypted backup (PKCS#8 PEM, PBES2 with PBKDF2-SHA256 and AES-256-CBC)
// is offered for download at creation, the only time the key is extractable. The backup is
// the file `tenderctl.py open-share --key FILE --key-password ...` reads.
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { b64decode, b64encode, toBuffer, utf8 } from "./bytes.js";
import { SigningError } from "./errors.js";
import { openingKeyId } from "./statements.js";

const DB_NAME = "tender-opening-keys";
const STORE = "keys";
const X25519_OID = "1.3.101.110";
const BACKUP_ITERATIONS = 600000;
const X25519 = { name: "X25519" };

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function store(mode) {
  const open = indexedDB.open(DB_NAME, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "key_id" });
  const db = await request(open);
  return db.transaction(STORE, mode).objectStore(STORE);
}

export const getKey = async (keyId) => request((await store("readonly")).get(keyId));
export const putKey = async (record) => request((await store("readwrite")).put(record));
export const deleteKey = async (keyId) => request((await store("readwrite")).delete(keyId));
export async function listKeys(member) {
  const all = await request((await store("readonly")).getAll());
  return all.filter((r) => r.member === member);
}

export const keyPair = (record) => ({ privateKey: record.private_key, publicKey: record.public_crypto_key });

function pem(label, der) {
  const body = b64encode(der).replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

function unpem(text) {
  const match = /-----BEGIN ((?:ENCRYPTED )?PRIVATE KEY)-----([^-]+)-----END \1-----/.exec(text);
  if (!match) throw new SigningError("backup_unreadable");
  try {
    return { encrypted: match[1].startsWith("ENCRYPTED"), der: b64decode(match[2].replace(/\s+/g, "")) };
  } catch {
    throw new SigningError("backup_unreadable");
  }
}

export async function encryptedBackup(pkcs8, passphrase) {
  const bag = new pkijs.PKCS8ShroudedKeyBag({ parsedValue: pkijs.PrivateKeyInfo.fromBER(toBuffer(pkcs8)) });
  await bag.makeInternalValues({
    password: toBuffer(utf8(passphrase)),
    contentEncryptionAlgorithm: { name: "AES-CBC", length: 256 },
    hmacHashAlgorithm: "SHA-256",
    iterationCount: BACKUP_ITERATIONS,
  });
  // pkijs writes the ciphertext as a constructed (BER) OCTET STRING; PKCS#8 readers that
  // insist on DER, such as Python's cryptography, want the primitive form.
  bag.encryptedData = new asn1js.OctetString({ valueHex: toBuffer(bag.encryptedData.getValue()) });
  return pem("ENCRYPTED PRIVATE KEY", bag.toSchema().toBER(false));
}

async function record(pkcs8, publicRaw, member) {
  const privateKey = await crypto.subtle.importKey("pkcs8", toBuffer(pkcs8), X25519, false, ["deriveBits"]);
  const publicKey = await crypto.subtle.importKey("raw", toBuffer(publicRaw), X25519, true, []);
  return {
    key_id: await openingKeyId(publicRaw),
    member,
    public_key: b64encode(publicRaw),
    created_at: new Date().toISOString(),
    private_key: privateKey,
    public_crypto_key: publicKey,
  };
}

// A fresh key: its record (not yet stored) and the backup file's text.
export async function createKey(member, passphrase) {
  const pair = await crypto.subtle.generateKey(X25519, true, ["deriveBits"]);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const publicRaw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const backup = await encryptedBackup(pkcs8, passphrase);
  const made = await record(pkcs8, publicRaw, member);
  pkcs8.fill(0);
  return { record: made, backup };
}

// A backup file (this page's, or tenderctl.py keygen's) back into a non-extractable key.
export async function restoreKey(text, passphrase, member) {
  const { encrypted, der } = unpem(text);
  let info;
  if (encrypted) {
    const asn1 = asn1js.fromBER(toBuffer(der));
    if (asn1.offset === -1) throw new SigningError("backup_unreadable");
    const bag = new pkijs.PKCS8ShroudedKeyBag({ schema: asn1.result });
    try {
      await bag.parseInternalValues({ password: toBuffer(utf8(passphrase)) });
    } catch {
      throw new SigningError("backup_wrong_passphrase");
    }
    info = bag.parsedValue;
  } else {
    info = pkijs.PrivateKeyInfo.fromBER(toBuffer(der));
  }
  if (info.privateKeyAlgorithm.algorithmId !== X25519_OID) throw new SigningError("backup_not_x25519");
  const pkcs8 = new Uint8Array(info.toSchema().toBER(false));
  // Extractable for one moment, to learn the public half; only the non-extractable copy is kept.
  const transient = await crypto.subtle.importKey("pkcs8", pkcs8, X25519, true, ["deriveBits"]);
  const jwk = await crypto.subtle.exportKey("jwk", transient);
  const publicRaw = b64decode(jwk.x.replace(/-/g, "+").replace(/_/g, "/").padEnd(44, "="));
  const made = await record(pkcs8, publicRaw, member);
  pkcs8.fill(0);
  return made;
}

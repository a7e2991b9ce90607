// Reading a supplier's PKCS#12 key file in the page with pkijs: the private key is imported
// into WebCrypto as non-extractable and used only to sign; the file and its password stay in
// this page's memory and are never sent anywhere.
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { hex, sha256Hex, toBuffer, toBytes, utf8 } from "./bytes.js";
import { SigningError } from "./errors.js";
import { BIN } from "./statements.js";

const OID = {
  localKeyId: "1.2.840.113549.1.9.21",
  keyBag: "1.2.840.113549.1.12.10.1.1",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  pbes2: "1.2.840.113549.1.5.13",
  ecPublicKey: "1.2.840.10045.2.1",
  rsaEncryption: "1.2.840.113549.1.1.1",
  commonName: "2.5.4.3",
  serialNumber: "2.5.4.5",
  organisationalUnit: "2.5.4.11",
  basicConstraints: "2.5.29.19",
};
const CURVES = { "1.2.840.10045.3.1.7": "P-256", "1.3.132.0.34": "P-384", "1.3.132.0.35": "P-521" };

function parseDer(bytes, Type, code) {
  const asn1 = asn1js.fromBER(toBuffer(bytes));
  if (asn1.offset === -1) throw new SigningError(code);
  try {
    return new Type({ schema: asn1.result });
  } catch {
    throw new SigningError(code);
  }
}

// Only PBES2 (PBKDF2 with AES), what OpenSSL 3 and Python's cryptography write by default;
// older files (3DES, RC2) must be exported again.
function requirePbes2(algorithmId) {
  if (algorithmId !== OID.pbes2) throw new SigningError("key_file_old_encryption");
}

async function openSafes(pfx, password) {
  try {
    await pfx.parseInternalValues({ password, checkIntegrity: Boolean(pfx.macData) });
  } catch (error) {
    if (/integrity/i.test(String(error?.message))) throw new SigningError("wrong_password");
    throw new SigningError("key_file_unreadable");
  }
  const safe = pfx.parsedValue.authenticatedSafe;
  try {
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password })) });
  } catch (error) {
    // pkijs decrypts PBES2 only: anything else is named in its message.
    if (/contentEncryptionAlgorithm/.test(String(error?.message))) {
      throw new SigningError("key_file_old_encryption");
    }
    throw new SigningError(pfx.macData ? "key_file_unreadable" : "wrong_password");
  }
  return safe.parsedValue.safeContents.flatMap((item) => item.value.safeBags);
}

function localKeyId(bag) {
  const attribute = (bag.bagAttributes || []).find((a) => a.type === OID.localKeyId);
  return attribute ? hex(attribute.values[0].valueBlock.valueHexView) : null;
}

async function readBags(bags, password) {
  const keys = [];
  const certificates = [];
  for (const bag of bags) {
    if (bag.bagId === OID.shroudedKeyBag) {
      requirePbes2(bag.bagValue.encryptionAlgorithm.algorithmId);
      try {
        await bag.bagValue.parseInternalValues({ password });
      } catch {
        throw new SigningError("wrong_password");
      }
      keys.push({ info: bag.bagValue.parsedValue, id: localKeyId(bag) });
    } else if (bag.bagId === OID.keyBag) {
      keys.push({ info: bag.bagValue, id: localKeyId(bag) });
    } else if (bag.bagId === OID.certBag && bag.bagValue.parsedValue instanceof pkijs.Certificate) {
      const der = new Uint8Array(bag.bagValue.certValue.valueBlock.valueHexView);
      certificates.push({ der, certificate: bag.bagValue.parsedValue, id: localKeyId(bag) });
    }
  }
  return { keys, certificates };
}

function isCa(certificate) {
  const extension = (certificate.extensions || []).find((e) => e.extnID === OID.basicConstraints);
  return Boolean(extension?.parsedValue?.cA);
}

async function importSigningKey(info) {
  const oid = info.privateKeyAlgorithm.algorithmId;
  let algorithm;
  if (oid === OID.ecPublicKey) {
    const curve = CURVES[info.privateKeyAlgorithm.algorithmParams?.valueBlock?.toString()];
    if (!curve) throw new SigningError("key_unsupported");
    algorithm = { name: "ECDSA", namedCurve: curve };
  } else if (oid === OID.rsaEncryption) {
    algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  } else {
    throw new SigningError("key_unsupported");
  }
  try {
    const der = info.toSchema().toBER(false);
    return await crypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"]);
  } catch {
    throw new SigningError("key_unsupported");
  }
}

function attribute(name, oid) {
  return name.typesAndValues.filter((t) => t.type === oid).map((t) => String(t.value.valueBlock.value));
}

// The BIN the platform reads: OU "BIN<12 digits>" (NCA RK style) or serialNumber, as
// tenderctl.py's bin_from_certificate and pki/subject.py read it.
export function certificateBin(certificate) {
  for (const [oid, prefixes] of [
    [OID.organisationalUnit, ["BIN"]],
    [OID.serialNumber, ["BIN", ""]],
  ]) {
    for (const value of attribute(certificate.subject, oid)) {
      for (const prefix of prefixes) {
        const rest = value.slice(prefix.length);
        if (value.startsWith(prefix) && BIN.test(rest)) return rest;
      }
    }
  }
  return null;
}

export async function loadPkcs12(fileBytes, passwordText) {
  const pfx = parseDer(toBytes(fileBytes), pkijs.PFX, "key_file_unreadable");
  const password = toBuffer(utf8(passwordText));
  const { keys, certificates } = await readBags(await openSafes(pfx, password), password);
  if (keys.length !== 1 || certificates.length === 0) throw new SigningError("key_file_no_key");
  const [key] = keys;
  const own =
    certificates.find((c) => key.id && c.id === key.id) ||
    certificates.find((c) => !isCa(c.certificate));
  if (!own) throw new SigningError("key_file_no_key");
  const certificate = own.certificate;
  return {
    privateKey: await importSigningKey(key.info),
    certificate,
    certificateDer: own.der,
    chain: certificates.filter((c) => c !== own).map((c) => c.certificate),
    fingerprint: await sha256Hex(own.der),
    bin: certificateBin(certificate),
    name: attribute(certificate.subject, OID.commonName)[0] || "",
    notBefore: certificate.notBefore.value,
    notAfter: certificate.notAfter.value,
  };
}

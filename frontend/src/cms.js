// Detached CMS SignedData (RFC 5652), DER, SHA-256, over exact bytes, made with pkijs and
// WebCrypto: signed attributes content type, signing time, message digest and ESS
// signingCertificateV2 (so it is CAdES-BES), the signer's certificate and its chain included.
// pki/cms.py verifies it on the server as it verifies tenderctl.py's.
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { sha256, toBuffer, toBytes } from "./bytes.js";
import { SigningError } from "./errors.js";

const OID = {
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
};

// ESSCertIDv2 with the default hash (SHA-256) and the issuer and serial (RFC 5035).
function signingCertificateV2(certificateHash, certificate) {
  const directoryName = new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 4 },
    value: [certificate.issuer.toSchema()],
  });
  const issuerSerial = new asn1js.Sequence({
    value: [new asn1js.Sequence({ value: [directoryName] }), certificate.serialNumber],
  });
  const certId = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: toBuffer(certificateHash) }), issuerSerial],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [certId] })] });
}

// DER orders a SET OF by the encodings, the shorter padded with zero octets (X.690 11.6).
function derOrder(attributes) {
  const encoded = attributes.map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER(false)) }));
  encoded.sort((x, y) => {
    for (let i = 0; i < Math.max(x.der.length, y.der.length); i++) {
      const d = (x.der[i] ?? 0) - (y.der[i] ?? 0);
      if (d) return d;
    }
    return 0;
  });
  return encoded.map((e) => e.a);
}

export async function signDetached(data, signer, signingTime = new Date()) {
  const content = toBytes(data);
  const attributes = derOrder([
    new pkijs.Attribute({
      type: OID.contentType,
      values: [new asn1js.ObjectIdentifier({ value: OID.data })],
    }),
    new pkijs.Attribute({
      type: OID.signingTime,
      values: [new asn1js.UTCTime({ valueDate: signingTime })],
    }),
    new pkijs.Attribute({
      type: OID.messageDigest,
      values: [new asn1js.OctetString({ valueHex: toBuffer(await sha256(content)) })],
    }),
    new pkijs.Attribute({
      type: OID.signingCertificateV2,
      values: [signingCertificateV2(await sha256(signer.certificateDer), signer.certificate)],
    }),
  ]);
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({
          issuer: signer.certificate.issuer,
          serialNumber: signer.certificate.serialNumber,
        }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
      }),
    ],
    certificates: [signer.certificate, ...signer.chain],
  });
  await signedData.sign(signer.privateKey, 0, "SHA-256");
  const info = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  const der = new Uint8Array(info.toSchema().toBER(false));
  // Verify what is sent, read back from its bytes: a key file whose key is not its
  // certificate's would otherwise be refused by the server with a vaguer message.
  let intact = false;
  try {
    const sent = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(toBuffer(der)).content });
    intact = await sent.verify({ signer: 0, data: toBuffer(content), checkChain: false });
  } catch {
    intact = false;
  }
  if (!intact) throw new SigningError("key_certificate_mismatch");
  return der;
}

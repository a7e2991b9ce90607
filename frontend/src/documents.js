// Signing a results protocol (the commission's chair) or a contract (each side) in the page, as
// `tenderctl.py sign` does on the command line: the document's exact bytes are fetched from the
// page's own download link, shown to the signer as what they say, signed as a detached CMS
// (cms.js) with the key from the PKCS#12 file (pkcs12.js) and posted to the JSON API, which
// checks the signature against the same bytes (pki/documents.py document_signer).
import { sha256Hex } from "./bytes.js";
import { SigningError } from "./errors.js";
import { utcText } from "./flows.js";

const PROTOCOL = "results-protocol/v1"; // awards/results.py RESULTS_TYPE
const CONTRACT = "contract/v1"; // contracts/documents.py CONTRACT_TYPE
const decoder = new TextDecoder("utf-8", { fatal: true });

function parse(bytes, type) {
  let doc = null;
  try {
    doc = JSON.parse(decoder.decode(bytes));
  } catch {
    doc = null;
  }
  if (doc?.type !== type) throw new SigningError("document_unexpected");
  return doc;
}

const party = (entry) => ({ bin: String(entry?.bin ?? ""), name: String(entry?.name ?? "") });

// What a results protocol decides, read from the bytes to be signed: each lot's proposed winner
// (or none: the lot fails) and how many bids were disqualified.
export function describeProtocol(bytes) {
  const doc = parse(bytes, PROTOCOL);
  const names = new Map((doc.bids || []).map((b) => [b.bid, b.bidder_name]));
  return {
    kind: "protocol",
    tender: doc.tender,
    revision: doc.revision,
    lots: (doc.lots || []).map((lot) => ({
      lot: lot.lot,
      title: lot.title,
      winner: lot.winner && {
        bid: lot.winner.bid,
        bin: lot.winner.bidder,
        name: names.get(lot.winner.bid) ?? "",
        price: lot.winner.price,
      },
    })),
    bids: (doc.bids || []).length,
    disqualified: (doc.bids || []).filter((b) => b.status === "disqualified").length,
  };
}

// A contract's number, parties and price, read from the bytes to be signed.
export function describeContract(bytes) {
  const doc = parse(bytes, CONTRACT);
  return {
    kind: "contract",
    number: doc.number,
    tender: doc.tender,
    lot: { id: doc.lot?.id, title: doc.lot?.title },
    buyer: party(doc.buyer),
    supplier: party(doc.supplier),
    price: doc.price,
    currency: doc.currency,
  };
}

export const describeDocument = (kind, bytes) =>
  kind === "protocol" ? describeProtocol(bytes) : describeContract(bytes);

// What the page can tell before signing: the certificate is valid now, names the BIN of the
// organisation the user signs for here (the chair's agency, or their side of the contract)
// and, when the page knows the organisation's registered certificates, is one of them.
export function checkDocumentSigner(signer, organisation, now = new Date()) {
  if (now > signer.notAfter) throw new SigningError("certificate_expired", { date: utcText(signer.notAfter) });
  if (now < signer.notBefore) throw new SigningError("certificate_not_yet_valid", { date: utcText(signer.notBefore) });
  if (!signer.bin) throw new SigningError("certificate_no_bin");
  if (signer.bin !== organisation.bin) {
    throw new SigningError("certificate_other_organisation", {
      bin: signer.bin,
      name: signer.name,
      organisation: organisation.name,
      expected: organisation.bin,
    });
  }
  if (Array.isArray(organisation.certificates) && !organisation.certificates.includes(signer.fingerprint)) {
    throw new SigningError("certificate_not_registered", {
      organisation: organisation.name,
      fingerprint: signer.fingerprint.slice(0, 16),
    });
  }
}

// The document's exact bytes from its download link (same origin, the session's cookie), refused
// when they are not what the page was rendered for (context.sha256) or not for this signer.
export async function fetchDocument(context) {
  let response;
  try {
    response = await fetch(context.document_url, { credentials: "same-origin", cache: "no-store" });
  } catch {
    throw new SigningError("network");
  }
  if (!response.ok) throw new SigningError("document_unavailable", { status: response.status });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const sha256 = await sha256Hex(bytes);
  if (sha256 !== context.sha256) {
    throw new SigningError(context.kind === "protocol" ? "protocol_changed" : "document_unexpected");
  }
  const summary = describeDocument(context.kind, bytes);
  const parties = summary.kind === "contract" ? [summary.buyer.bin, summary.supplier.bin] : [];
  if (summary.kind === "contract" && (summary.number !== context.number || !parties.includes(context.signer.bin))) {
    throw new SigningError("document_unexpected");
  }
  if (summary.kind === "protocol" && summary.tender !== context.tender) throw new SigningError("document_unexpected");
  return { bytes, sha256, summary };
}

// Posts the signature as tenderctl.py's users do: POST /tenders/{n}/results with the SHA-256 of
// the bytes signed, or POST /contracts/{number}/signatures.
export async function submitSignature(api, context, sha256, signature) {
  try {
    if (context.kind === "protocol") {
      return await api.post(`/tenders/${encodeURIComponent(context.tender)}/results`, { sha256, signature });
    }
    return await api.post(`/contracts/${encodeURIComponent(context.number)}/signatures`, { signature });
  } catch (error) {
    // The server recomputed the protocol and it is no longer what was signed: a review changed.
    if (error.code === "protocol_changed") throw new SigningError("protocol_changed");
    throw error;
  }
}

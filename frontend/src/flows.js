// The three things a page does, step for step as tools/tenderctl.py does them: bid (cmd_bid),
// withdraw (cmd_withdraw) and hand in an opening share (cmd_open_share).
import { tenderPath } from "./api.js";
import { b64decode, b64encode } from "./bytes.js";
import { canonical } from "./canonical.js";
import { signDetached } from "./cms.js";
import { SigningError } from "./errors.js";
import { openSealed, seal } from "./hpke.js";
import { getKey, keyPair } from "./keystore.js";
import {
  innerStatement,
  openingKeyId,
  outerStatement,
  sealedPlaintext,
  sealInfo,
  shareInfo,
  utcNow,
  withdrawalStatement,
} from "./statements.js";

const SHARE_SIZE = 33;
const decoder = new TextDecoder();

export const utcText = (date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

// What the page can tell before anything is sent: the certificate's period, its BIN, and
// whether the supplier registered it (context.suppliers comes from the page).
export function checkSigner(signer, context, now = new Date()) {
  if (now > signer.notAfter) throw new SigningError("certificate_expired", { date: utcText(signer.notAfter) });
  if (now < signer.notBefore) throw new SigningError("certificate_not_yet_valid", { date: utcText(signer.notBefore) });
  if (!signer.bin) throw new SigningError("certificate_no_bin");
  const supplier = context.suppliers.find((s) => s.bin === signer.bin);
  if (!supplier) throw new SigningError("certificate_other_bin", { bin: signer.bin });
  if (!supplier.certificates.includes(signer.fingerprint)) {
    throw new SigningError("certificate_not_registered", {
      organisation: supplier.name,
      fingerprint: signer.fingerprint.slice(0, 16),
    });
  }
  return supplier;
}

// The tender as the API has it now, refused if it changed since the page was rendered.
async function currentTender(api, context) {
  const tender = await api.get(tenderPath(context.tender));
  if (tender.version_hash !== context.version_hash) {
    throw new SigningError("tender_amended", { version: tender.version_number });
  }
  if (tender.status !== "tendering") throw new SigningError("tender_not_open");
  let openingKey = new Uint8Array(0);
  try {
    openingKey = b64decode(tender.opening_public_key || "");
  } catch {
    // reported below
  }
  if (openingKey.length !== 32) throw new SigningError("opening_key_missing");
  // Catches a garbled or mixed-up key; the id is also signed into the outer statement.
  if ((await openingKeyId(openingKey)) !== tender.opening_key_id) {
    throw new SigningError("opening_key_mismatch");
  }
  return { tender, openingKey };
}

async function fetchNonce(api, context, bidder) {
  const { nonce } = await api.post(`${tenderPath(context.tender)}/nonces`, { bidder });
  if (typeof nonce !== "string" || !nonce) throw new SigningError("network");
  return nonce;
}

async function send(api, context, statement, signature, sealed) {
  const body = { statement: decoder.decode(statement), signature: b64encode(signature), sealed: b64encode(sealed) };
  const json = JSON.stringify(body);
  // Django reads at most DATA_UPLOAD_MAX_MEMORY_SIZE of a JSON body; a large bid goes as
  // multipart, the same bytes and the same checks (POST .../bids/upload).
  if (json.length <= context.json_limit) return api.post(`${tenderPath(context.tender)}/bids`, body);
  const form = new FormData();
  form.append("statement", body.statement);
  form.append("signature", body.signature);
  form.append("sealed", new Blob([sealed], { type: "application/octet-stream" }), "sealed.bin");
  return api.postForm(`${tenderPath(context.tender)}/bids/upload`, form);
}

export async function submitBid({ api, context, signer, prices, documents, answers, supersedes }) {
  checkSigner(signer, context);
  const { tender, openingKey } = await currentTender(api, context);
  const known = new Set(tender.lots.map((lot) => String(lot.id)));
  const unknown = Object.keys(prices).filter((lot) => !known.has(lot));
  if (unknown.length) throw new SigningError("lot_unknown", { lots: unknown.join(", ") });
  const nonce = await fetchNonce(api, context, signer.bin);
  const inner = innerStatement({
    tender: context.tender,
    tenderVersion: tender.version_hash,
    bidder: signer.bin,
    nonce,
    prices,
    documents,
    answers,
  });
  const plaintext = sealedPlaintext(inner, await signDetached(canonical(inner), signer));
  const sealed = await seal(plaintext, openingKey, sealInfo(context.tender, inner.lots, inner.bidder));
  const statement = canonical(
    await outerStatement({
      platform: context.platform,
      inner,
      sealed,
      openingKey,
      signedAt: utcNow(),
      supersedes: supersedes || null,
    }),
  );
  const signature = await signDetached(statement, signer);
  const result = await send(api, context, statement, signature, sealed);
  return { result, statement, signature, sealed };
}

export async function withdrawBid({ api, context, signer, bid }) {
  checkSigner(signer, context);
  const statement = canonical(
    withdrawalStatement({
      platform: context.platform,
      tender: context.tender,
      bid,
      bidder: signer.bin,
      nonce: await fetchNonce(api, context, signer.bin),
      signedAt: utcNow(),
    }),
  );
  const body = { statement: decoder.decode(statement), signature: b64encode(await signDetached(statement, signer)) };
  const result = await api.post(`/bids/${encodeURIComponent(bid)}/withdraw`, body);
  return { result, statement };
}

export async function postShare({ api, context }) {
  const mine = await api.get(`${tenderPath(context.tender)}/opening/shares/mine`);
  const record = await getKey(mine.key_id);
  if (!record) throw new SigningError("share_key_missing", { key: mine.key_id });
  const share = await openSealed(b64decode(mine.sealed_share), keyPair(record), shareInfo(context.tender, context.member));
  if (share.length !== SHARE_SIZE || share[0] === 0) throw new SigningError("share_malformed");
  return api.post(`${tenderPath(context.tender)}/opening/shares`, { share: b64encode(share) });
}

// The statements of docs/bid-format.md, built field for field as tools/tenderctl.py builds
// them (inner_statement, outer_statement, withdrawal_statement, seal_info, share_info), so
// the server receives from the page exactly what it receives from the command line.
import { b64encode, sha256Hex, toBytes } from "./bytes.js";
import { canonical } from "./canonical.js";
import { SigningError } from "./errors.js";

const PRICE = /^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$/;
export const BIN = /^[0-9]{12}$/;

// Code-point order ("10" before "2"), as Python's sorted() orders str.
export const sortedLots = (lots) => [...lots].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

// "1 250 000,5" typed in a form becomes "1250000.50"; no float is ever made.
export function parsePrice(lot, typed) {
  let text = String(typed).replace(/[\s\u00a0\u202f']/g, "");
  if (!text.includes(".") && /^[0-9]+,[0-9]{1,2}$/.test(text)) text = text.replace(",", ".");
  if (!PRICE.test(text)) throw new SigningError("price_invalid", { lot, price: typed });
  const [whole, fraction = ""] = text.split(".");
  const price = `${whole}.${fraction.padEnd(2, "0")}`;
  if (/^0\.00$/.test(price)) throw new SigningError("price_not_positive", { lot });
  return price;
}

export async function documentEntry(name, content) {
  const bytes = toBytes(content);
  return { name, sha256: await sha256Hex(bytes), size: bytes.length, content_base64: b64encode(bytes) };
}

export function innerStatement({ tender, tenderVersion, bidder, nonce, prices, documents, answers }) {
  return {
    type: "bid-content/v1",
    tender,
    tender_version: tenderVersion,
    lots: sortedLots(Object.keys(prices)),
    bidder,
    nonce,
    prices,
    currency: "KZT",
    documents,
    answers,
  };
}

export const sealedPlaintext = (inner, innerSignature) =>
  canonical({ inner, signature: b64encode(innerSignature) });

export async function outerStatement({ platform, inner, sealed, openingKey, signedAt, supersedes }) {
  return {
    type: "bid-submission/v1",
    platform,
    tender: inner.tender,
    tender_version: inner.tender_version,
    lots: inner.lots,
    bidder: inner.bidder,
    sealed_sha256: await sha256Hex(sealed),
    opening_key_id: await openingKeyId(openingKey),
    nonce: inner.nonce,
    signed_at: signedAt,
    supersedes: supersedes ?? null,
  };
}

export function withdrawalStatement({ platform, tender, bid, bidder, nonce, signedAt }) {
  return { type: "bid-withdrawal/v1", platform, tender, bid, bidder, nonce, signed_at: signedAt };
}

export const sealInfo = (tender, lots, bidder) =>
  canonical({ purpose: "bid-seal/v1", tender, lots: sortedLots(lots), bidder });

export const shareInfo = (tender, member) =>
  canonical({ purpose: "opening-share/v1", tender, member });

export const openingKeyId = async (publicKey) => (await sha256Hex(publicKey)).slice(0, 16);

// YYYY-MM-DDTHH:MM:SSZ, UTC, to the second.
export const utcNow = (now = new Date()) => now.toISOString().replace(/\.\d{3}Z$/, "Z");

// RFC 8785 (JSON Canonicalization Scheme) through the `canonicalize` package, with the
// platform's extra rule (bids/crypto/canonical.py): no floats and no integers beyond ±2^53,
// because amounts travel as decimal strings and must survive every parser unchanged.
import canonicalize from "canonicalize";
import { utf8 } from "./bytes.js";
import { SigningError } from "./errors.js";

function refuseNonIntegers(value) {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new SigningError("statement_malformed");
  } else if (Array.isArray(value)) {
    value.forEach(refuseNonIntegers);
  } else if (value !== null && typeof value === "object") {
    Object.values(value).forEach(refuseNonIntegers);
  } else if (!["string", "boolean"].includes(typeof value) && value !== null) {
    throw new SigningError("statement_malformed");
  }
}

export function canonicalText(value) {
  refuseNonIntegers(value);
  return canonicalize(value);
}

export const canonical = (value) => utf8(canonicalText(value));

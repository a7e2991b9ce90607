// Entry point of static/js/signing.js (built by `npm run build` in frontend/). On a page with
// a [data-signing-root] element it wires the bid and opening forms, on one with a
// [data-document-signing] element the form that signs a results protocol or a contract;
// everywhere it also exports the glue, which the cross-language tests
// (tests/bids/test_cross_language_vectors.py) call.
import { startDocumentSigning } from "./document-page.js";
import { start } from "./pages.js";

export { b64decode, b64encode, fromHex, hex, sha256Hex, utf8 } from "./bytes.js";
export { canonical, canonicalText } from "./canonical.js";
export { signDetached } from "./cms.js";
export { checkDocumentSigner, describeContract, describeProtocol } from "./documents.js";
export { SigningError } from "./errors.js";
export { checkSigner, postShare, submitBid, withdrawBid } from "./flows.js";
export { keyPairFromRaw, openSealed, seal } from "./hpke.js";
export { createKey, encryptedBackup, restoreKey } from "./keystore.js";
export { certificateBin, loadPkcs12 } from "./pkcs12.js";
export { verifyReceipt } from "./receipt.js";
export {
  documentEntry,
  innerStatement,
  openingKeyId,
  outerStatement,
  parsePrice,
  sealedPlaintext,
  sealInfo,
  shareInfo,
  utcNow,
  withdrawalStatement,
} from "./statements.js";

for (const root of document.querySelectorAll("[data-signing-root]")) {
  start(root).catch((error) => console.error(error));
}
for (const root of document.querySelectorAll("[data-document-signing]")) {
  startDocumentSigning(root).catch((error) => console.error(error));
}

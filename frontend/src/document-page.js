// The "Sign in this browser" form of the evaluation page (the results protocol, the chair) and
// of a contract's page (each side). The section is rendered hidden, with no `name` on its
// inputs, so without JavaScript the signature upload is all the page shows; this script shows it
// once the browser has what signing needs, reads the document and says what it decides.
import { Api } from "./api.js";
import { b64encode } from "./bytes.js";
import { signDetached } from "./cms.js";
import { checkDocumentSigner, fetchDocument, submitSignature } from "./documents.js";
import { SigningError } from "./errors.js";
import { loadPkcs12 } from "./pkcs12.js";
import { busy, explain, jsonData, missingFeatures, paragraph, readFile, say, show } from "./ui.js";

function list(lines) {
  const ul = document.createElement("ul");
  for (const text of lines) {
    const li = document.createElement("li");
    li.textContent = text;
    ul.append(li);
  }
  return ul;
}

function summaryNodes(context, { summary, sha256 }) {
  const short = sha256.slice(0, 16);
  if (summary.kind === "protocol") {
    const lots = summary.lots.map((lot) =>
      lot.winner
        ? say("protocol_lot_winner", { ...lot, ...lot.winner, currency: context.currency })
        : say("protocol_lot_failed", lot),
    );
    return [
      paragraph(say("protocol_summary", { tender: summary.tender, revision: summary.revision, sha256: short })),
      list(lots),
      paragraph(say("protocol_disqualified", { n: summary.disqualified, total: summary.bids })),
    ];
  }
  return [
    paragraph(say("contract_summary", { number: summary.number, sha256: short })),
    list([
      say("contract_lot", { tender: summary.tender, lot: summary.lot.id, title: summary.lot.title }),
      say("contract_buyer", summary.buyer),
      say("contract_supplier", summary.supplier),
      say("contract_price", { price: summary.price, currency: summary.currency }),
    ]),
  ];
}

function done(context, result) {
  if (context.kind === "protocol") return say("results_published");
  return say(result.status === "active" ? "contract_in_force" : "contract_signed");
}

async function wire(root, form, context) {
  const region = form.querySelector("[data-result]");
  const shown = form.querySelector("[data-document-summary]");
  const submit = form.querySelector("button[type=submit]");
  const api = new Api({ csrfToken: form.querySelector("[name=csrfmiddlewaretoken]")?.value || "" });
  let documentRead;
  try {
    documentRead = await fetchDocument(context);
    shown.replaceChildren(...summaryNodes(context, documentRead));
    shown.dataset.state = "read";
  } catch (error) {
    submit.disabled = true;
    shown.replaceChildren();
    show(region, "error", paragraph(explain(error)));
    return;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(form, true);
    show(region, "working", paragraph(say("working")));
    let signed = false;
    try {
      const file = await readFile(form.querySelector("[data-key-file]"));
      if (!file) throw new SigningError("no_key_file");
      const signer = await loadPkcs12(file, form.querySelector("[data-key-password]").value);
      checkDocumentSigner(signer, context.signer);
      // The bytes shown above, not fetched again: what the user read is what they sign.
      const signature = await signDetached(documentRead.bytes, signer);
      const result = await submitSignature(api, context, documentRead.sha256, b64encode(signature));
      signed = true;
      form.querySelector("[data-key-password]").value = "";
      show(region, "done", paragraph(done(context, result)));
      root.dataset.signed = "true";
      window.location.assign(context.next);
    } catch (error) {
      show(region, "error", paragraph(explain(error)));
      if (!(error instanceof SigningError)) console.error(error);
    } finally {
      if (!signed) busy(form, false);
    }
  });
}

export async function startDocumentSigning(root) {
  const context = jsonData(root.dataset.context);
  const needs = root.querySelector("[data-signing-needs]");
  const form = root.querySelector("form[data-signing=document]");
  root.hidden = false;
  const missing = await missingFeatures({ x25519: false });
  if (missing.length) {
    needs.textContent = say("browser_lacks", { missing: missing.join("; ") });
    needs.hidden = false;
    return;
  }
  form.hidden = false;
  await wire(root, form, context);
  root.dataset.ready = "true";
}

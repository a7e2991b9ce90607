// Wiring the forms of the tender page and the opening-key page to the flows. Every form here
// is rendered hidden with no `name` on its inputs, so nothing in it can be submitted to the
// server by the browser itself; this script shows it once the browser has what signing needs.
import { Api } from "./api.js";
import { sha256Hex } from "./bytes.js";
import { SigningError } from "./errors.js";
import { postShare, submitBid, withdrawBid } from "./flows.js";
import { createKey, deleteKey, getKey, putKey, restoreKey } from "./keystore.js";
import { loadPkcs12 } from "./pkcs12.js";
import { verifyReceipt } from "./receipt.js";
import { documentEntry, parsePrice } from "./statements.js";
import { busy, downloadLink, explain, jsonData, missingFeatures, paragraph, readFile, say, show } from "./ui.js";

const MIN_PASSPHRASE = 12;

function api(root) {
  return new Api({ csrfToken: root.querySelector("[name=csrfmiddlewaretoken]")?.value || "" });
}

async function signerFrom(form) {
  const file = await readFile(form.querySelector("[data-key-file]"));
  if (!file) throw new SigningError("no_key_file");
  return loadPkcs12(file, form.querySelector("[data-key-password]").value);
}

function readPrices(form) {
  const prices = {};
  for (const input of form.querySelectorAll("[data-lot]")) {
    if (input.value.trim()) prices[input.dataset.lot] = parsePrice(input.dataset.lot, input.value.trim());
  }
  if (!Object.keys(prices).length) throw new SigningError("no_lots");
  return prices;
}

function readAnswers(form) {
  const answers = {};
  for (const row of form.querySelectorAll("[data-answer]")) {
    const requirement = row.querySelector("[data-requirement]").value.trim();
    const text = row.querySelector("[data-answer-text]").value.trim();
    if (!requirement && !text) continue;
    if (!requirement || !text || requirement in answers) throw new SigningError("answer_incomplete");
    answers[requirement] = text;
  }
  return answers;
}

async function readDocuments(form) {
  const files = [...(form.querySelector("[data-documents]")?.files || [])];
  return Promise.all(files.map(async (f) => documentEntry(f.name, new Uint8Array(await f.arrayBuffer()))));
}

async function receiptNodes(client, accepted, expected, lead) {
  const receipt = accepted.receipt;
  let verified = false;
  try {
    verified = await verifyReceipt(receipt, await client.get("/receipt-key"), expected);
  } catch {
    verified = false;
  }
  const link = downloadLink(
    say("receipt_download"),
    `${accepted.bid}-receipt.json`,
    `${JSON.stringify(receipt, null, 2)}\n`,
  );
  return [paragraph(lead), paragraph(say(verified ? "receipt_verified" : "receipt_not_verified", { key: receipt.key_id })), link];
}

function run(form, region, work) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(form, true);
    show(region, "working", paragraph(say("working")));
    try {
      await work();
    } catch (error) {
      show(region, "error", paragraph(explain(error)));
      if (!(error instanceof SigningError)) console.error(error);
    } finally {
      busy(form, false);
    }
  });
}

function bidForm(root, form, context) {
  const region = form.querySelector("[data-result]");
  const client = api(root);
  const template = form.querySelector("[data-answer]");
  form.querySelector("[data-add-answer]")?.addEventListener("click", () => {
    const row = template.cloneNode(true);
    for (const field of row.querySelectorAll("input, textarea")) field.value = "";
    const n = form.querySelectorAll("[data-answer]").length + 1;
    for (const label of row.querySelectorAll("label")) {
      const field = row.querySelector(`#${label.htmlFor}`);
      field.id = `${field.id.replace(/-\d+$/, "")}-${n}`;
      label.htmlFor = field.id;
    }
    template.parentNode.insertBefore(row, form.querySelector("[data-add-answer]"));
  });
  run(form, region, async () => {
    const prices = readPrices(form);
    const answers = readAnswers(form);
    const signer = await signerFrom(form);
    const documents = await readDocuments(form);
    const supersedes = form.querySelector("[data-supersedes]")?.value || null;
    const made = await submitBid({ api: client, context, signer, prices, documents, answers, supersedes });
    const accepted = made.result;
    const expected = {
      statement_sha256: await sha256Hex(made.statement),
      sealed_sha256: await sha256Hex(made.sealed),
    };
    const lead = say("bid_received", { bid: accepted.bid, received: accepted.receipt.receipt.received_at });
    show(region, "done", ...(await receiptNodes(client, accepted, expected, lead)));
    form.querySelector("[data-key-password]").value = "";
  });
}

function withdrawForm(root, form, context) {
  const region = form.querySelector("[data-result]");
  const client = api(root);
  run(form, region, async () => {
    const bid = form.querySelector("[data-bid]").value;
    const signer = await signerFrom(form);
    const { result } = await withdrawBid({ api: client, context, signer, bid });
    const lead = say("withdrawn", { bid });
    show(region, "done", ...(await receiptNodes(client, result, {}, lead)));
    form.querySelector("[data-key-password]").value = "";
  });
}

async function restoreFrom(form, member) {
  const file = await readFile(form.querySelector("[data-backup-file]"));
  if (!file) return null;
  const text = new TextDecoder().decode(file);
  const record = await restoreKey(text, form.querySelector("[data-backup-passphrase]").value, member);
  await putKey(record);
  return record;
}

function shareForm(root, form, context) {
  const region = form.querySelector("[data-result]");
  const client = api(root);
  run(form, region, async () => {
    await restoreFrom(form, context.member);
    try {
      const result = await postShare({ api: client, context });
      show(region, "done", paragraph(say(result.status === "ready_to_open" ? "share_ready" : "share_posted", result)));
      form.querySelector("[data-submit]").hidden = true;
    } catch (error) {
      if (error.code === "share_key_missing") form.querySelector("details").open = true;
      throw error;
    }
  });
}

function openingKeyForm(root, form, context) {
  const region = form.querySelector("[data-result]");
  const client = api(root);
  run(form, region, async () => {
    const passphrase = form.querySelector("[data-passphrase]").value;
    if (passphrase.length < MIN_PASSPHRASE) throw new SigningError("passphrase_short", { n: MIN_PASSPHRASE });
    if (passphrase !== form.querySelector("[data-passphrase-again]").value) throw new SigningError("passphrase_mismatch");
    const { record, backup } = await createKey(context.member, passphrase);
    // Kept before it is registered, so the platform never seals shares to a key nobody holds.
    await putKey(record);
    try {
      await client.post("/opening-keys", { public_key: record.public_key });
    } catch (error) {
      await deleteKey(record.key_id);
      throw error;
    }
    const name = `opening-key-${record.key_id}.pem`;
    const link = downloadLink(say("backup_download"), name, backup, "application/x-pem-file");
    show(region, "done", paragraph(say("key_created", { key: record.key_id })), link);
    for (const field of form.querySelectorAll("input")) field.value = "";
    link.click();
    await describeKeys(root, context);
  });
}

function restoreForm(root, form, context) {
  const region = form.querySelector("[data-result]");
  run(form, region, async () => {
    const record = await restoreFrom(form, context.member);
    if (!record) throw new SigningError("backup_unreadable");
    show(region, "done", paragraph(say("key_restored", { key: record.key_id })));
    await describeKeys(root, context);
  });
}

async function describeKeys(root, context) {
  const line = root.querySelector("[data-browser-keys]");
  if (!line || !context.key_in_use) return;
  const held = await getKey(context.key_in_use);
  line.textContent = say(held ? "browser_holds_key" : "browser_lacks_key", { key: context.key_in_use });
  line.hidden = false;
}

const FORMS = { bid: bidForm, withdraw: withdrawForm, share: shareForm, "opening-key": openingKeyForm, restore: restoreForm };

export async function start(root) {
  const context = jsonData(root.dataset.context);
  const needs = root.querySelector("[data-signing-needs]");
  const missing = await missingFeatures({ storage: root.dataset.storage === "true" });
  if (missing.length) {
    if (needs) needs.textContent = say("browser_lacks", { missing: missing.join("; ") });
    return;
  }
  if (needs) needs.hidden = true;
  for (const form of root.querySelectorAll("form[data-signing]")) {
    FORMS[form.dataset.signing]?.(root, form, context);
    form.hidden = false;
  }
  await describeKeys(root, context);
  root.dataset.ready = "true";
}

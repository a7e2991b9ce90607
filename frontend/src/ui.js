// What the user sees: the page's translated messages (rendered by Django into a JSON script
// element, so every sentence goes through gettext), feature checks, and result regions.
import { SigningError } from "./errors.js";

export function jsonData(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

let catalogue = null;
const messages = () => (catalogue ??= jsonData("signing-messages") || {});

export function say(code, params = {}) {
  const template = messages()[code] ?? messages().failed ?? code;
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
}

// A refusal by the server carries its own sentence (translated there); a few get a lead line.
export function explain(error) {
  if (!(error instanceof SigningError)) return say("failed");
  if (error.detail && error.detail !== error.code) {
    const lead = messages()[`server_${error.code}`] ?? say("server_refused");
    return `${lead} ${error.detail}`;
  }
  return say(error.code, error.params);
}

async function hasX25519() {
  try {
    await crypto.subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
    return true;
  } catch {
    return false;
  }
}

// The names of what this browser lacks for signing (empty when it has it all). Sealing needs
// X25519; signing a document alone (RSA or ECDSA) does not.
export async function missingFeatures({ storage = false, x25519 = true } = {}) {
  const missing = [];
  if (!window.isSecureContext) missing.push("feature_secure_context");
  if (!globalThis.crypto?.subtle) missing.push("feature_webcrypto");
  else if (x25519 && !(await hasX25519())) missing.push("feature_x25519");
  if (storage && !globalThis.indexedDB) missing.push("feature_indexeddb");
  return missing.map((code) => say(code));
}

export function show(region, kind, ...nodes) {
  region.replaceChildren(...nodes);
  region.className = `signing-result ${kind}`;
  region.hidden = false;
  region.dataset.state = kind;
}

export function paragraph(text) {
  const p = document.createElement("p");
  p.textContent = text;
  return p;
}

export function downloadLink(text, name, content, type = "application/json") {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([content], { type }));
  link.download = name;
  link.textContent = text;
  return link;
}

export const readFile = async (input) => (input.files?.[0] ? new Uint8Array(await input.files[0].arrayBuffer()) : null);

export function busy(form, on) {
  for (const button of form.querySelectorAll("button")) button.disabled = on;
  form.setAttribute("aria-busy", on ? "true" : "false");
}

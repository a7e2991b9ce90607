// The platform's JSON API (/api/v1), with the browser's session and its CSRF token: the same
// endpoints and bodies tools/tenderctl.py uses with a token.
import { SigningError } from "./errors.js";

export class Api {
  constructor({ base = "/api/v1", csrfToken = "" } = {}) {
    this.base = base;
    this.csrfToken = csrfToken;
  }

  get(path) {
    return this.send("GET", path);
  }

  post(path, body) {
    return this.send("POST", path, JSON.stringify(body), "application/json");
  }

  postForm(path, form) {
    return this.send("POST", path, form);
  }

  async send(method, path, body, contentType) {
    const headers = { Accept: "application/json", "X-CSRFToken": this.csrfToken };
    if (contentType) headers["Content-Type"] = contentType;
    let response;
    try {
      response = await fetch(this.base + path, { method, headers, body, credentials: "same-origin" });
    } catch {
      throw new SigningError("network");
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      data = null;
    }
    if (!response.ok) {
      const error = data?.error || {};
      const refusal = new SigningError(error.code || "refused", {}, error.message || response.statusText);
      refusal.status = response.status;
      throw refusal;
    }
    if (data === null) throw new SigningError("network");
    return data;
  }
}

export const tenderPath = (tender) => `/tenders/${encodeURIComponent(tender)}`;

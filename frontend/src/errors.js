// One error type for everything the page tells the user: a code that names a message in the
// page's translated catalogue (bids/context.py signing_messages), and the values it needs.

export class SigningError extends Error {
  constructor(code, params = {}, detail = "") {
    super(detail || code);
    this.code = code;
    this.params = params;
    this.detail = detail; // the server's own sentence, when it refused
  }
}

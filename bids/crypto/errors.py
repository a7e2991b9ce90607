"""The one exception of the sealed-bid cryptography, with a code for machines and words for people.

Every refusal names what is wrong in terms a supplier or a commission member can act on; the
API turns `code` into its error code and shows `message` (translated by the caller if needed:
this package is pure Python and does not load Django's translation machinery).

Codes:
  statement_not_canonical  bytes that are not exactly the RFC 8785 form of a JSON object
  statement_malformed      canonical-looking JSON that breaks our rules (floats, huge integers)
  key_malformed            a public or private key of the wrong size or shape
  sealed_undecryptable     a sealed payload that does not open with this key and `info`
  threshold_invalid        an opening threshold outside 1..number of members (at most 255)
  shares_insufficient      fewer shares than the threshold
  share_duplicate          two shares with the same index
  share_malformed          a share that is not index byte + 32 bytes, or has index 0
  opening_key_mismatch     the shares rebuild a key other than the published opening key
  receipt_invalid          a receipt whose signature, key id or shape does not check out
"""


class CryptoRefused(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

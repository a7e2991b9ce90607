"""Where a certificate names its organisation's BIN.

Kazakhstan's NCA puts identifiers in the subject with a prefix: the person's "IIN<12 digits>"
in serialNumber and, for a legal entity's employee, the organisation's "BIN<12 digits>" in
OU. Our demo CA (a legal-entity certificate) puts "BIN<12 digits>" in serialNumber. We read
"BIN<12 digits>" from serialNumber and from OU, and nothing else: an IIN names a person,
not the supplier a bid is from.
"""

import re

from cryptography import x509
from cryptography.x509.oid import NameOID

BIN_VALUE = re.compile(r"^BIN(\d{12})$")
BIN_ATTRIBUTES = (NameOID.SERIAL_NUMBER, NameOID.ORGANIZATIONAL_UNIT_NAME)


def bins_in(name: x509.Name) -> set[str]:
    """Every BIN the name states, from serialNumber and OU values "BIN<12 digits>"."""
    found = set()
    for oid in BIN_ATTRIBUTES:
        for attribute in name.get_attributes_for_oid(oid):
            match = BIN_VALUE.match(str(attribute.value).strip())
            if match:
                found.add(match.group(1))
    return found


def common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()

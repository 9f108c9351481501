"""Verifies a message's DKIM signature with dkimpy (Debian's python3-dkim), the reference
implementation, answering its DNS query from the arguments instead of the network.

    python3 dkim_verify.py <selector._domainkey.domain> <public key PEM file> < message
prints "verified" or "refused".
"""

import sys

import dkim

name, public_pem = sys.argv[1], sys.argv[2]
with open(public_pem) as pem:
    key = "".join(line.strip() for line in pem if not line.startswith("-----"))
record = ("v=DKIM1; k=rsa; p=" + key).encode()


def dns(query, timeout=5):
    return record if query == (name + ".").encode() else None


message = sys.stdin.buffer.read()
print("verified" if dkim.verify(message, dnsfunc=dns) else "refused")

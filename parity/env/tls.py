"""A throwaway CA and server certificate per environment, kept in memory only."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

TLS_DIR = "/var/lib/postgresql/parity-tls"
TLS_STAGING = "/run/parity-tls"

# Shell lines run as root in the database container before Postgres starts: copy the staged
# (root-only) files to where the postgres user reads them, the key private (0600, owner
# postgres) because Postgres refuses a key others can read, then drop the staging copy.
# Expects $STAGE and $TLS in the environment.
INSTALL_TLS_SH = r"""
if [ -d "$STAGE" ]; then
  install -d -o postgres -g postgres -m 700 "$TLS"
  for f in server.crt server.key pg_hba.conf; do
    if [ -f "$STAGE/$f" ]; then install -o postgres -g postgres -m 600 "$STAGE/$f" "$TLS/$f"; fi
  done
  rm -rf "$STAGE"
fi
"""


@dataclass(frozen=True)
class ServerTLS:
    """PEM texts: the CA certificate clients trust, and the server's certificate and key."""

    ca_cert: str
    server_cert: str
    server_key: str


def make_server_tls(env_id: str, hostnames: list[str]) -> ServerTLS:
    """Generate a CA and a server certificate valid for the given names (and 127.0.0.1)."""
    # Imported here: profiles without TLS (and commands that start nothing) never load cryptography.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    # P-256 keys: generated in about a millisecond, accepted by every libpq/OpenSSL build.
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"parity CA {env_id}")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    alt_names: list[x509.GeneralName] = [x509.DNSName(name) for name in hostnames]
    alt_names += [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return ServerTLS(
        ca_cert=ca_cert.public_bytes(pem).decode(),
        server_cert=server_cert.public_bytes(pem).decode(),
        server_key=server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
    )

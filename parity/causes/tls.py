"""Client TLS failures in each stack's own words, and what each says of the failing side's server:
that it presented a certificate or demanded TLS (it has TLS), or that it has none.

Wordings are the libraries' own: libpq, pgjdbc and the JVM (PKIX), Go's crypto/x509, Node's tls,
Python's ssl, Erlang/Elixir's ssl alerts, .NET's SslStream, Npgsql and SqlClient (SChannel's words),
rustls, Swift's NIOSSL, and OpenSSL's own record layer under any of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parity.profile.models import Profile


@dataclass(frozen=True)
class TlsFailure:
    """A TLS failure the text reports: its words, and whether it implies the failing side's server
    has TLS (True), has none (False), or says nothing of it (None)."""

    said: str
    server_has_tls: bool | None


# A certificate was presented and refused, or the server demanded TLS: the server has TLS.
_WITH_TLS = re.compile(
    # libpq, psycopg, asyncpg
    r"certificate verify failed|server certificate for \"[^\"]*\" does not match host name"
    r"|root certificate file .* does not exist|SSLCertVerificationError|CERTIFICATE_VERIFY_FAILED"
    # a host-based rule refusing a plain connection, however the server or proxy words it ("no
    # pg_hba.conf entry for host ...", "pg_hba.conf rejects connection for host ...", RDS' "pg rejects
    # connection for host ..."), all ending in the connection's encryption state, in English or in a
    # translated server's words (Spanish "sin cifrado", "SSL inactivo"; French "SSL inactif")
    r"|(?:pg_hba\.conf|connection for host)[^\n]*\b(?:no encryption|SSL off|sin cifrado|SSL inactivo|SSL inactif)\b"
    r"|connection requires a valid client certificate"
    # PgBouncer refusing a plain client (client_tls_sslmode = require and above); Azure's server doing so
    r"|\bSSL required\b|\bSSL connection is required\b"
    # OpenSSL's name for an alert the server sent back ("tlsv1 alert unknown ca"): it speaks TLS
    r"|\b(?:sslv3|tlsv1|tlsv13) alert [a-z ]*[a-z]"
    # the JVM (pgjdbc, Flyway, Liquibase)
    r"|PKIX path (?:building|validation) failed|unable to find valid certification path"
    r"|SSLHandshakeException|CertPathValidatorException|security\.validator\.ValidatorException"
    r"|No subject alternative (?:DNS )?names? matching"
    # ... and pgjdbc's own host name check after the handshake (PGjdbcHostnameVerifier)
    r"|could not be verified by hostnameverifier|Server name validation failed"
    # Python's ssl before 3.7 (ssl.CertificateError) and its OpenSSL-backed check since
    r"|hostname '[^'\n]*' doesn't match|Hostname mismatch, certificate is not valid for"
    # Go (pgx, lib/pq)
    # (crypto/tls reports the alert the server sent: "remote error: tls: bad certificate")
    r"|remote error: tls: [a-z ]*[a-z]"
    r"|x509: certificate (?:signed by unknown authority|is valid for|is not valid for|is not standards compliant"
    r"|relies on legacy Common Name|has expired)|x509: cannot validate certificate|tls: failed to verify certificate"
    # Node (node-postgres, Postgres.js, Prisma)
    r"|self[- ]signed certificate|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT"
    r"|unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT"
    r"|does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID"
    # Erlang and Elixir (Postgrex, epgsql)
    r"|CLIENT ALERT: Fatal - (?:Unknown CA|Handshake Failure|Bad Certificate|Certificate Unknown)"
    r"|\{bad_cert,\s*\w+\}|:?unknown_ca\b|hostname_check_failed"
    # .NET (Npgsql)
    r"|The remote certificate (?:is invalid|was rejected)|RemoteCertificate(?:ChainErrors|NameMismatch)"
    r"|Npgsql\.Tls\.ClientAlertException|CertificateUnknown: Server certificate"
    # Windows' SChannel, as .NET's SqlClient and SslStream report it there: the server's certificate refused
    # for its issuer (SEC_E_UNTRUSTED_ROOT), its name (SEC_E_WRONG_PRINCIPAL) or its dates (SEC_E_CERT_EXPIRED)
    r"|The certificate chain was issued by an authority that is not trusted|The target principal name is incorrect"
    r"|The received certificate has expired"
    # Rust (rustls, native-tls)
    r"|invalid peer certificate|UnknownIssuer|NotValidForName"
    # Windows' SChannel through native-tls (CERT_E_CN_NO_MATCH)
    r"|CN name does not match the passed value",
    re.IGNORECASE,
)
# The client asked for TLS and the server has none.
_WITHOUT_TLS = re.compile(
    r"server does not support SSL|SSL is not enabled on the server|rejected SSL upgrade"
    r"|server refused SSL|SSL not supported by (?:the )?server"
    # pgx ("tls error: server refused TLS connection"), Rust's sqlx ("server does not support TLS")
    r"|server refused TLS connection|server does not support TLS",
    re.IGNORECASE,
)
# TLS is named, but nothing says on which side it is missing: the handshake itself failed, in each
# stack's words (JSSE and rustls "received fatal alert", tokio-postgres, Npgsql, Prisma's P1011).
_EITHER = re.compile(
    r"pg_hba\.conf.*\b(?:SSL on|SSL encryption|SSL activo|SSL actif)\b|sslmode value .* invalid"
    r"|received fatal alert: \w+|error performing TLS handshake|(?:SSL|TLS) handshake (?:failed|error)"
    r"|Exception while performing SSL handshake|Error opening a TLS connection|\bP1011\b"
    # pgjdbc setting TLS up (its SslMode, its root certificate, its handshake's "SSL error: ...")
    r"|error occurred while setting up the SSL connection|Could not (?:open|read) SSL root certificate file"
    r"|PSQLException: SSL error:"
    # ... or its "SSL error: ..." shown after its SQLSTATE instead of its class (JetBrains' tools print
    # "[08006] SSL error: ..."): a connection exception (class 08) whose own words are TLS's
    r"|\b08[0-9A-Z]{3}\b\W{0,4}(?:SSL|TLS) error:"
    # Postgrex/DBConnection, whatever Erlang's ssl application then says
    r"|\bssl connect: "
    # SqlClient naming the layer that failed, whatever SChannel or OpenSSL then says ("(provider: SSL Provider,
    # error: 31 - Encryption(ssl/tls) handshake failed)")
    r"|\bprovider: SSL Provider\b"
    # rust-postgres (tokio-postgres, deadpool-postgres) printing its error's kind: "Error { kind: Tls, ..."
    r"|\bkind: Tls\b"
    # Go's crypto/tls refusing the client's own configuration, or a peer that does not speak TLS
    r"|tls: either ServerName or InsecureSkipVerify must be specified|tls: first record does not look like a TLS"
    # ... and Npgsql (6+) refusing its own: SSL Mode=Require with a root certificate or a validation callback
    # ("To validate server certificates, please use VerifyFull or VerifyCA instead of Require")
    r"|\bplease use VerifyFull or VerifyCA instead of Require\b"
    # ... and OpenSSL's record layer saying the same under Node, Python or Ruby: the first bytes back were
    # not a TLS record ("ssl3_get_record:wrong version number", "[SSL: WRONG_VERSION_NUMBER]")
    r"|\bssl3_get_record:wrong version number\b|\bWRONG_VERSION_NUMBER\b"
    # Swift's NIOSSL (PostgresNIO, Vapor): "NIOSSLError.handshakeFailed(BoringSSLError.sslError(...))"
    r"|\bNIOSSL(?:Error)?\.handshakeFailed\b",
    re.IGNORECASE,
)


def tls_failure(text: str) -> TlsFailure | None:
    """The TLS failure the text reports, if any."""
    for pattern, has_tls in ((_WITHOUT_TLS, False), (_WITH_TLS, True), (_EITHER, None)):
        match = pattern.search(text)
        if match:
            return TlsFailure(f"“{' '.join(match.group(0).split())[:80]}”", has_tls)
    return None


def serves_tls(profile: Profile) -> bool:
    """Whether this profile's server speaks TLS (database.ssl optional or required)."""
    return profile.database is not None and profile.database.ssl != "off"

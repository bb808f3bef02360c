"""Connecting over TLS (``chats://``) and deciding whether to trust the server's certificate.

In order:

1. ``--trust-fingerprint FP``: the certificate must have that SHA-256 fingerprint, nothing
   else is checked; it is then remembered in known_hosts for later connections.
2. The certificate is verified against the system's authorities (or only ``--cafile``) and
   the host name; if that works, the connection is used.
3. If it failed because the certificate is self-signed, or because of anything else when
   known_hosts already has an entry for this ``HOST:PORT`` or ``--tofu`` was given, the
   certificate is pinned like ssh does it: a known fingerprint must match (a different one
   is refused, naming both and the file to edit); an unknown one is accepted with
   ``--tofu``, or after asking a person at a terminal, and then remembered.

Every refusal is a `ClientError` with exit status 2 whose one line says what to do.
"""

from __future__ import annotations

import ssl
from dataclasses import field, replace
from pathlib import Path
from typing import Protocol

from parley.client.address import ServerAddress
from parley.client.errors import ClientError, ExitStatus, UnreachableError
from parley.client.known_hosts import KnownHosts, default_path
from parley.client.render import Line
from parley.client.session import CertificateError, ChatClient, ConnectError
from parley.records import record


@record
class TlsSettings:
    """How to decide whether a server's certificate is trusted."""

    cafile: Path | None = None
    """Verify against this file of certificates instead of the system's authorities."""
    known_hosts: Path = field(default_factory=default_path)
    fingerprint: str | None = None
    """Trust exactly the certificate with this SHA-256 fingerprint (``AA:BB:...``)."""
    tofu: bool = False
    """Trust an unknown certificate on first use without asking, and remember it."""


class Asker(Protocol):
    """What the trust decision needs from the user interface."""

    @property
    def interactive(self) -> bool: ...

    def show(self, line: Line) -> None: ...

    async def confirm(self, question: str) -> bool: ...


def verifying_context(cafile: Path | None) -> ssl.SSLContext:
    """Verify certificate and host name against `cafile`, or the system's authorities."""
    try:
        context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
    except (OSError, ssl.SSLError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ClientError(f"cannot use --cafile {cafile}: {reason}", ExitStatus.USAGE) from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def pinning_context() -> ssl.SSLContext:
    """Accept any certificate: the caller checks its fingerprint before trusting anything."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def connect_tls(
    address: ServerAddress, settings: TlsSettings, timeout: float, ui: Asker
) -> ChatClient:
    """A TLS connection to `address` whose certificate is trusted, or a `ClientError`."""
    known = KnownHosts(settings.known_hosts)
    if settings.fingerprint is not None:
        client = await _pinned(address, settings.fingerprint, timeout)
        _remember(known, address, settings.fingerprint, ui)
        return client
    try:
        return await _connect(address, verifying_context(settings.cafile), timeout)
    except CertificateError as error:
        failure = error
    pinned = _lookup(known, address)
    if pinned is None and not (failure.self_signed or settings.tofu):
        raise ClientError(
            f"{failure} (with --cafile FILE give the authority or the server's cert.pem; "
            "--tofu trusts it on first use)",
            ExitStatus.USAGE,
        )
    client = await _connect(address, pinning_context(), timeout)
    fingerprint = _fingerprint(client)
    if pinned is not None:
        if fingerprint == pinned:
            return client
        await client.close()
        raise ClientError(_changed(address, pinned, fingerprint, known.path), ExitStatus.USAGE)
    if settings.tofu:
        _remember(known, address, fingerprint, ui)
        return client
    await client.close()  # a person may take a while to decide: do not hold the server
    if not ui.interactive:
        raise ClientError(
            f"the TLS certificate of {address} is self-signed and not known here "
            f"(SHA-256 {fingerprint}); if that is the fingerprint the server printed, "
            f"connect with --trust-fingerprint {fingerprint}, or with --tofu",
            ExitStatus.USAGE,
        )
    if not await _ask(ui, address, fingerprint, known.path):
        raise ClientError(f"certificate of {address} not trusted; not connecting", ExitStatus.USAGE)
    client = await _pinned(address, fingerprint, timeout)
    _remember(known, address, fingerprint, ui)
    return client


async def _connect(address: ServerAddress, context: ssl.SSLContext, timeout: float) -> ChatClient:
    try:
        return await ChatClient.connect(address, timeout=timeout, tls=context)
    except CertificateError:
        raise
    except ConnectError as error:
        raise UnreachableError(str(error)) from None


async def _pinned(address: ServerAddress, fingerprint: str, timeout: float) -> ChatClient:
    """Connect, and keep the connection only if the certificate has `fingerprint`."""
    client = await _connect(address, pinning_context(), timeout)
    presented = _fingerprint(client)
    if presented != fingerprint:
        await client.close()
        raise ClientError(
            f"the TLS certificate of {address} has SHA-256 fingerprint {presented}, "
            f"not the expected {fingerprint}; not connecting",
            ExitStatus.USAGE,
        )
    return client


def _fingerprint(client: ChatClient) -> str:
    fingerprint = client.certificate_fingerprint
    if fingerprint is None:  # a TLS session always has the server's certificate
        raise ClientError(f"{client.address} sent no TLS certificate", ExitStatus.USAGE)
    return fingerprint


def _lookup(known: KnownHosts, address: ServerAddress) -> str | None:
    try:
        return known.lookup(address.host_port)
    except OSError as error:
        raise ClientError(
            f"cannot read {known.path}: {error.strerror or error}", ExitStatus.USAGE
        ) from None


def _remember(known: KnownHosts, address: ServerAddress, fingerprint: str, ui: Asker) -> None:
    try:
        if known.lookup(address.host_port) == fingerprint:
            return
        known.remember(address.host_port, fingerprint)
    except OSError as error:
        ui.show(Line.notice(f"could not remember the certificate in {known.path}: {error}"))
        return
    ui.show(
        Line.progress(
            f"Trusting the certificate of {address.host_port} (SHA-256 {fingerprint}); "
            f"remembered in {known.path}"
        )
    )


def _changed(address: ServerAddress, known: str, presented: str, path: Path) -> str:
    return (
        f"the TLS certificate of {address.host_port} has CHANGED: it was {known}, "
        f"the server now presents {presented}. Someone may be intercepting the connection, "
        f"or the server made a new certificate. If you know the new one is right, delete the "
        f"line for {address.host_port} in {path} (or connect once with "
        f"--trust-fingerprint {presented}); until then parley refuses to connect"
    )


async def _ask(ui: Asker, address: ServerAddress, fingerprint: str, path: Path) -> bool:
    for text in (
        f"The server {address} presents a self-signed TLS certificate that is not known here.",
        "Its SHA-256 fingerprint is:",
        f"  {fingerprint}",
        "The server prints its fingerprint when it starts; compare them before you trust it.",
    ):
        ui.show(replace(Line.notice(text), timed=False))  # one block, the fingerprint whole
    return await ui.confirm(f"Trust this certificate and remember it in {path}? [y/N] ")

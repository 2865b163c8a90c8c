"""Production settings: idempotence on by default, Kafka TLS/SASL options for every client,
PostgreSQL TLS parameters handed to libpq, SMTP TLS from the URL."""

from __future__ import annotations

import asyncio
import ssl

import pytest
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram512
from hotline import eventstore
from hotline.kafka import broker_security, client_options, make_producer, security_options
from hotline.settings import HotlineSettings, ServiceSettings, smtp_tls
from pydantic import ValidationError


@pytest.fixture(autouse=True)
def _no_hotline_env(monkeypatch):
    import os

    for key in [k for k in os.environ if k.startswith("HOTLINE_KAFKA_")]:
        monkeypatch.delenv(key)


def test_idempotence_is_on_by_default_and_acks_all():
    settings = ServiceSettings()
    assert settings.kafka_idempotence is True
    producer = _producer(settings)
    assert producer._txn_manager is not None  # noqa: SLF001  (aiokafka: idempotence on)
    assert producer.client._security_protocol == "PLAINTEXT"  # noqa: SLF001


def _producer(settings):
    async def make():
        return make_producer(settings)

    return asyncio.run(make())


def test_idempotence_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("HOTLINE_KAFKA_IDEMPOTENCE", "false")
    assert HotlineSettings().kafka_idempotence is False


def test_plaintext_adds_nothing_but_the_protocol():
    assert security_options(HotlineSettings()) == {"security_protocol": "PLAINTEXT"}
    assert broker_security(HotlineSettings()) is None
    assert client_options(HotlineSettings(), "k:9092") == {
        "bootstrap_servers": "k:9092", "security_protocol": "PLAINTEXT"}


def test_sasl_ssl_scram(monkeypatch):
    monkeypatch.setenv("HOTLINE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("HOTLINE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("HOTLINE_KAFKA_SASL_USERNAME", "hotline")
    monkeypatch.setenv("HOTLINE_KAFKA_SASL_PASSWORD", "s3cret")
    settings = HotlineSettings()
    assert "s3cret" not in repr(settings)
    options = security_options()  # from the environment
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("hotline", "s3cret")
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert options["ssl_context"].check_hostname
    security = broker_security(settings)
    assert isinstance(security, SASLScram512) and security.use_ssl
    producer = _producer(ServiceSettings())
    assert producer.client._sasl_mechanism == "SCRAM-SHA-512"  # noqa: SLF001


def test_sasl_plaintext_plain_and_ssl_alone(monkeypatch):
    monkeypatch.setenv("HOTLINE_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("HOTLINE_KAFKA_SASL_USERNAME", "u")
    monkeypatch.setenv("HOTLINE_KAFKA_SASL_PASSWORD", "p")
    security = broker_security()
    assert isinstance(security, SASLPlaintext) and not security.use_ssl
    assert "ssl_context" not in security_options()
    for key in ("HOTLINE_KAFKA_SASL_USERNAME", "HOTLINE_KAFKA_SASL_PASSWORD"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("HOTLINE_KAFKA_SECURITY_PROTOCOL", "SSL")
    security = broker_security()
    assert type(security) is BaseSecurity and security.use_ssl


def test_ssl_cafile_is_loaded(monkeypatch, tmp_path):
    missing = tmp_path / "ca.pem"
    monkeypatch.setenv("HOTLINE_KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("HOTLINE_KAFKA_SSL_CAFILE", str(missing))
    with pytest.raises(ValidationError, match="no such file"):
        HotlineSettings()


@pytest.mark.parametrize(("env", "message"), [
    ({"HOTLINE_KAFKA_SECURITY_PROTOCOL": "SASL_SSL"}, "needs HOTLINE_KAFKA_SASL_USERNAME"),
    ({"HOTLINE_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "HOTLINE_KAFKA_SASL_USERNAME": "u"},
     "HOTLINE_KAFKA_SASL_PASSWORD"),
    ({"HOTLINE_KAFKA_SASL_USERNAME": "u", "HOTLINE_KAFKA_SASL_PASSWORD": "p"}, "use SASL_SSL"),
    ({"HOTLINE_KAFKA_SSL_CAFILE": "/etc/hosts"}, "use SSL or SASL_SSL"),
    ({"HOTLINE_KAFKA_SECURITY_PROTOCOL": "TLS"}, "HOTLINE_KAFKA_SECURITY_PROTOCOL"),
    ({"HOTLINE_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "HOTLINE_KAFKA_SASL_MECHANISM": "GSSAPI",
      "HOTLINE_KAFKA_SASL_USERNAME": "u", "HOTLINE_KAFKA_SASL_PASSWORD": "p"},
     "HOTLINE_KAFKA_SASL_MECHANISM"),
])
def test_contradictory_kafka_security_is_refused(monkeypatch, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError, match=message):
        HotlineSettings()


def test_postgres_tls_parameters_reach_libpq(monkeypatch):
    for var in eventstore.LIBPQ_TLS_ENV.values():
        monkeypatch.setenv(var, "")  # restored (removed) after the test
        monkeypatch.delenv(var)
    url = ("postgresql://hotline:pw@db.example:5432/hotline"
           "?sslmode=verify-full&sslrootcert=/etc/hotline/pg-ca.pem")
    assert eventstore.libpq_tls_env(url) == {"PGSSLMODE": "verify-full",
                                             "PGSSLROOTCERT": "/etc/hotline/pg-ca.pem"}
    env = eventstore.postgres_env(url, "intake")
    assert env["POSTGRES_HOST"] == "db.example" and env["POSTGRES_DBNAME"] == "hotline"
    import os

    assert os.environ["PGSSLMODE"] == "verify-full"
    assert os.environ["PGSSLROOTCERT"] == "/etc/hotline/pg-ca.pem"
    assert eventstore.libpq_tls_env("postgresql://h/db") == {}


def test_asyncpg_takes_sslmode_from_the_dsn(monkeypatch):
    from asyncpg import connect_utils

    for var in eventstore.LIBPQ_TLS_ENV.values():
        monkeypatch.delenv(var, raising=False)
    parsed = connect_utils._parse_connect_dsn_and_args(  # noqa: SLF001
        dsn="postgresql://u:p@db.example/hotline?sslmode=require",
        host=None, port=None, user=None, password=None, passfile=None, database=None,
        ssl=None, direct_tls=None, server_settings=None, target_session_attrs=None,
        krbsrvname=None, gsslib=None, service=None, servicefile=None)
    params = parsed[1]
    assert params.ssl is not None and params.server_settings in (None, {})


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://relay:25", (False, None)),
    ("smtp://u:p@relay:587?starttls=true", (False, True)),
    ("smtp://relay:25?starttls=false", (False, False)),
    ("smtps://u:p@relay", (True, False)),
])
def test_smtp_tls_from_the_url(url, expected):
    assert smtp_tls(url) == expected


@pytest.mark.parametrize("url", ["smtps://relay?starttls=true", "smtp://relay?starttls=maybe",
                                 "http://relay"])
def test_smtp_tls_refuses_nonsense(url):
    with pytest.raises(ValueError, match="HOTLINE_SMTP_URL"):
        smtp_tls(url)


def test_senders_use_the_url_tls():
    from hotline_intake.portal.mailer import LinkMailer
    from hotline_notifier.adapters.smtp import SmtpSender

    sender = SmtpSender("smtps://relay.example", "Hotline <support@hotline.example>")
    assert (sender.use_tls, sender.start_tls, sender.port) == (True, False, 465)
    sender = SmtpSender("smtp://relay.example:587?starttls=true", "support@hotline.example")
    assert (sender.use_tls, sender.start_tls, sender.port) == (False, True, 587)
    mailer = LinkMailer("smtps://relay.example", "support@hotline.example")
    assert (mailer.use_tls, mailer.start_tls, mailer.port) == (True, False, 465)
    mailer = LinkMailer("smtp://relay.example:587?starttls=true", "support@hotline.example")
    assert (mailer.use_tls, mailer.start_tls, mailer.port) == (False, True, 587)

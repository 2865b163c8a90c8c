"""`hotline billing`: an unreachable billing is one line and exit status 2, never a traceback;
a refusal prints its reason and exits 1; the URL comes from --url, HOTLINE_BILLING_URL, the
port, or the default."""

from __future__ import annotations

import httpx
from typer.testing import CliRunner

from hotline_billing import cli_client
from hotline_billing.cli import app

runner = CliRunner()


def test_unreachable_is_one_line_and_exit_2(monkeypatch):
    monkeypatch.delenv("HOTLINE_BILLING_URL", raising=False)
    result = runner.invoke(app, ["invoice", "--customer", "Acme Corp", "--month", "2026-11",
                                 "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "cannot reach billing at http://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output


def test_base_url(monkeypatch):
    monkeypatch.delenv("HOTLINE_BILLING_URL", raising=False)
    monkeypatch.delenv("HOTLINE_BILLING_HTTP_PORT", raising=False)
    assert cli_client.API.base_url(None) == "http://127.0.0.1:8083"
    monkeypatch.setenv("HOTLINE_BILLING_HTTP_PORT", "9183")
    assert cli_client.API.base_url(None) == "http://127.0.0.1:9183"
    monkeypatch.setenv("HOTLINE_BILLING_URL", "http://billing:1")
    assert cli_client.API.base_url(None) == "http://billing:1"
    assert cli_client.API.base_url("http://x:2") == "http://x:2"


def test_refusal_prints_its_reason(monkeypatch):
    def answer(method, url, **_):
        return httpx.Response(409, json={"detail": {"reason": "not_p4", "detail": "T-000003 is "
                                                    "Priority 3"}}, request=httpx.Request(method, url))
    monkeypatch.setattr(httpx, "request", answer)
    result = runner.invoke(app, ["quote", "create", "T-000003", "--amount", "1", "--description", "x"])
    assert result.exit_code == 1 and "(not_p4)" in result.output


def test_invoice_text_is_printed(monkeypatch):
    def answer(method, url, **kwargs):
        assert url.endswith("/invoices/Acme%20Corp/2026-11") and kwargs["params"] == {"format": "csv"}
        return httpx.Response(200, text="ticket,kind\n", request=httpx.Request(method, url))
    monkeypatch.setattr(httpx, "request", answer)
    result = runner.invoke(app, ["invoice", "--customer", "Acme Corp", "--month", "2026-11",
                                 "--format", "csv"])
    assert result.exit_code == 0 and result.output == "ticket,kind\n"

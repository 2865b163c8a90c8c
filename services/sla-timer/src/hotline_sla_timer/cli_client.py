"""How sla-timer's CLI command groups (`hotline outage`, `hotline report`) call its HTTP API
(`hotline.cli.service_api`): the URL from --url, HOTLINE_SLA_TIMER_URL,
HOTLINE_SLA_TIMER_HTTP_PORT, else http://127.0.0.1:8082."""

from hotline.cli.service_api import AsJson, ServiceApi

API = ServiceApi("sla-timer", 8082)
Url = API.url_option
call = API.call

__all__ = ["AsJson", "Url", "call"]

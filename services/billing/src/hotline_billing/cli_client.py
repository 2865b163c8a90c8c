"""How `hotline billing` calls billing's HTTP API (`hotline.cli.service_api`): the URL from
--url, HOTLINE_BILLING_URL, HOTLINE_BILLING_HTTP_PORT, else http://127.0.0.1:8083."""

from hotline.cli.service_api import AsJson, ServiceApi

API = ServiceApi("billing", 8083)
Url = API.url_option
call = API.call

__all__ = ["AsJson", "Url", "call"]

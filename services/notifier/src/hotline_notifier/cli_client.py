"""How notifier's CLI command groups (`hotline notifications`, `hotline maintenance`) call its
HTTP API (`hotline.cli.service_api`): the URL from --url, HOTLINE_NOTIFIER_URL,
HOTLINE_NOTIFIER_HTTP_PORT, else http://127.0.0.1:8081."""

from hotline.cli.service_api import AsJson, ServiceApi

API = ServiceApi("notifier", 8081)
Url = API.url_option
call = API.call

__all__ = ["AsJson", "Url", "call"]

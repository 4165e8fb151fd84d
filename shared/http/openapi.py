"""OpenAPI links: which later operation takes an id a response returns. They document the
workflow for clients and let the fuzzer's stateful phase follow it (create a request, then
read, withdraw or decide that very request)."""

from typing import Any


def link(method: str, path: str, parameter: str, source: str = "$response.body#/id") -> dict:
    """An OpenAPI link from a response's value to a parameter of the operation at `path`."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method}", "parameters": {parameter: source}}


REQUEST_PATH = "/api/v1/credit-requests/{request_id}"
CREATED_CREDIT_REQUEST: dict[str, Any] = {
    "links": {
        "GetCreditRequest": link("get", REQUEST_PATH, "request_id"),
        "WithdrawCreditRequest": link("post", f"{REQUEST_PATH}/withdraw", "request_id"),
        "DecideCreditRequest": link("post", f"{REQUEST_PATH}/decision", "request_id"),
    }
}
CREATED_USER: dict[str, Any] = {
    "links": {"UpdateUser": link("patch", "/api/v1/users/{user_id}", "user_id")}
}

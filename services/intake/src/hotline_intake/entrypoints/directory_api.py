"""The customer directory over HTTP: read it, and reload it from its YAML file.

The YAML file is the directory's source (kept under version control or in a
ConfigMap); `POST /customers/reload` re-reads it without a restart and refuses
a broken file with the reason, keeping the directory in force. Reading needs `directory:read`
(agents, auditors), reloading an admin.
"""

from __future__ import annotations

from typing import Protocol

from fastapi import APIRouter

from hotline.directory import Customer, Directory, DirectoryFileError
from hotline.identity import requires
from hotline.problems import Invalid, Problem, refusal

from hotline_intake.submissions import Submissions


class DirectorySource(Protocol):
    def load(self) -> Directory: ...


def directory_router(source: DirectorySource, submissions: Submissions) -> APIRouter:
    router = APIRouter(prefix="/customers", tags=["directory"])

    @router.get("", response_model=list[Customer])
    @requires("directory:read")
    async def list_customers() -> list[Customer]:
        """Every registered customer with its locations and contacts."""
        return list(submissions.directory.customers)

    @router.get("/{name}", response_model=Customer, responses={404: {"model": Problem}})
    @requires("directory:read")
    async def get_customer(name: str) -> Customer:
        """One customer, looked up as the subject line would name it (case-insensitive)."""
        customer = submissions.directory.find_customer(name)
        if customer is None:
            raise refusal(404, "unknown_customer", f"no customer named {name!r}")
        return customer

    @router.post("/reload", response_model=dict[str, int], responses={422: {"model": Invalid}})
    @requires("admin")
    async def reload() -> dict[str, int]:
        """Re-read the directory file; a broken file is refused and the old directory stays."""
        try:
            submissions.directory = source.load()
        except (DirectoryFileError, OSError) as exc:
            raise refusal(422, "bad_directory", str(exc)) from exc
        return {"customers": len(submissions.directory.customers)}

    return router

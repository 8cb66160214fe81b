"""The public, read-only JSON API of the directory (Open Referral HSDS 3.0 names), under /api/v1/.

Only what the public directory shows goes out: published services of active organisations
(core.access.services_public), and the organisations that have some. One operation per function,
each declared by an `Endpoint` (its parameters, output schema and errors): the views, the OpenAPI
description and the documentation page all read the same declarations.

- `base`: the declarations, the `api_endpoint` decorator, the error shape and the paging;
- `serializers`: from models to the pydantic schemas of `maillage.directory.api_schemas`;
- `endpoints`: the operations (importing it fills `ENDPOINTS`, in the order of the documentation).
"""

from maillage.directory.apis.base import (
    API_VERSION,
    DEFAULT_PER_PAGE,
    ENDPOINTS,
    HSDS_PROFILE,
    MAX_PER_PAGE,
    ApiError,
    Endpoint,
    Param,
    api_endpoint,
    error_response,
    not_found,
)
from maillage.directory.apis.endpoints import (
    organization_detail,
    organization_list,
    service_detail,
    service_list,
    taxonomy_list,
    taxonomy_term_list,
)

__all__ = [
    "API_VERSION",
    "DEFAULT_PER_PAGE",
    "ENDPOINTS",
    "HSDS_PROFILE",
    "MAX_PER_PAGE",
    "ApiError",
    "Endpoint",
    "Param",
    "api_endpoint",
    "error_response",
    "not_found",
    "organization_detail",
    "organization_list",
    "service_detail",
    "service_list",
    "taxonomy_list",
    "taxonomy_term_list",
]

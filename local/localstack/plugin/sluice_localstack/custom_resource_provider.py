"""
CloudFormation custom resources (``Custom::*``, ``AWS::CloudFormation::CustomResource``) for
LocalStack's community edition, where they are a Pro feature: without this plugin the v2
engine "deploys" them as a no-op fallback, and the function behind a stack's custom resource
never runs.

As CloudFormation does, each Create, Update and Delete invokes the service token's Lambda
function asynchronously with the custom resource request, whose ``ResponseURL`` is a route of
LocalStack's own gateway; the resource completes when the function PUTs its response there
(``SUCCESS`` with a physical id and data, or ``FAILED`` with a reason), and fails after
``CFN_PER_RESOURCE_TIMEOUT`` (300 s by default) without one.

The response URL is ``https://localhost/…`` on port 443: the AWS CDK's provider framework
(and cfn-response) send the response to the URL's host name on the HTTPS port, dropping any
port in the URL, so LocalStack must also listen on 443 (``npm run services -- up localstack``
does); ``localhost`` is the name its certificate is valid for, which the functions trust.

Limits: Lambda service tokens only (no SNS); ``Fn::GetAtt`` on a custom resource's data is not
resolved; ``NoEcho`` is ignored.
"""

import json
import logging
import threading
import time
import uuid
from typing import TypedDict

from localstack.http import Request, Response
from localstack.services.cloudformation.resource_provider import (
    CloudFormationResourceProviderPlugin,
    OperationStatus,
    ProgressEvent,
    ResourceProvider,
    ResourceRequest,
)

LOG = logging.getLogger(__name__)

#: Route of the response URLs on LocalStack's gateway.
RESPONSE_PATH = "/_sluice/cloudformation/custom-resource-responses"
#: The base of every ResponseURL (see the module's docstring for why port 443).
RESPONSE_BASE_URL = f"https://localhost{RESPONSE_PATH}"

_responses: dict[str, dict] = {}
#: (stack id, logical id) → physical id, for the Update and Delete requests that need it.
_physical_ids: dict[tuple[str, str], str] = {}
_route_lock = threading.Lock()
_route_added = False


def _receive_response(request: Request, token: str) -> Response:
    try:
        _responses[token] = json.loads(request.get_data() or b"{}")
    except ValueError:
        return Response("not a JSON response", status=400)
    return Response("", status=200)


def _ensure_route() -> None:
    global _route_added
    with _route_lock:
        if _route_added:
            return
        from localstack.services.edge import ROUTER

        ROUTER.add(f"{RESPONSE_PATH}/<token>", endpoint=_receive_response, methods=["PUT"])
        _route_added = True


class CustomResourceProperties(TypedDict, total=False):
    ServiceToken: str
    PhysicalResourceId: str
    Data: dict


REQUEST_TYPES = {"Add": "Create", "Modify": "Update", "Dynamic": "Update", "Remove": "Delete"}


class CustomResourceProvider(ResourceProvider[CustomResourceProperties]):
    TYPE = "AWS::CloudFormation::CustomResource"
    SCHEMA = {
        "typeName": TYPE,
        "description": "A custom resource answered by a Lambda function (Sluice's plugin)",
        "properties": {"ServiceToken": {"type": "string"}},
        "required": ["ServiceToken"],
        "primaryIdentifier": ["/properties/PhysicalResourceId"],
        "readOnlyProperties": ["/properties/PhysicalResourceId", "/properties/Data"],
        "additionalProperties": True,
    }

    def create(self, request: ResourceRequest) -> ProgressEvent:
        return self._run(request, "Create")

    def update(self, request: ResourceRequest) -> ProgressEvent:
        return self._run(request, "Update")

    def delete(self, request: ResourceRequest) -> ProgressEvent:
        return self._run(request, "Delete")

    def read(self, request: ResourceRequest) -> ProgressEvent:
        raise NotImplementedError

    def _run(self, request: ResourceRequest, request_type: str) -> ProgressEvent:
        _ensure_route()
        properties = {
            key: value
            for key, value in (request.desired_state or {}).items()
            if key not in ("PhysicalResourceId", "Data")
        }
        key = (request.stack_id, request.logical_resource_id)
        context = request.custom_context
        token = context.get("sluice_token")
        if token is None:
            token = str(uuid.uuid4())
            context["sluice_token"] = token
            context["sluice_started"] = time.time()
            self._invoke(request, request_type, properties, token, _physical_ids.get(key))
            return ProgressEvent(
                status=OperationStatus.IN_PROGRESS,
                resource_model=properties,
                custom_context=context,
            )
        response = _responses.pop(token, None)
        if response is None:
            return ProgressEvent(
                status=OperationStatus.IN_PROGRESS,
                resource_model=properties,
                custom_context=context,
            )
        if response.get("Status") != "SUCCESS":
            return ProgressEvent(
                status=OperationStatus.FAILED,
                resource_model={},
                message=f"Received response status [FAILED] from custom resource. Message returned: {response.get('Reason', '')}",
            )
        if request_type == "Delete":
            _physical_ids.pop(key, None)
            return ProgressEvent(status=OperationStatus.SUCCESS, resource_model={})
        physical_id = response.get("PhysicalResourceId") or token
        _physical_ids[key] = physical_id
        return ProgressEvent(
            status=OperationStatus.SUCCESS,
            resource_model={
                **properties,
                "PhysicalResourceId": physical_id,
                "Data": response.get("Data") or {},
            },
        )

    @staticmethod
    def _invoke(
        request: ResourceRequest,
        request_type: str,
        properties: dict,
        token: str,
        physical_id: str | None,
    ) -> None:
        service_token = properties.get("ServiceToken", "")
        if ":lambda:" not in service_token:
            raise ValueError(f"custom resource service token {service_token!r} is not a Lambda ARN")
        event = {
            "RequestType": request_type,
            "ServiceToken": service_token,
            "ResponseURL": f"{RESPONSE_BASE_URL}/{token}",
            "StackId": request.stack_id,
            "RequestId": token,
            "LogicalResourceId": request.logical_resource_id,
            "ResourceType": request.resource_type,
            "ResourceProperties": properties,
        }
        if physical_id is not None:
            event["PhysicalResourceId"] = physical_id
        if request_type == "Update" and request.previous_state is not None:
            event["OldResourceProperties"] = {
                k: v for k, v in request.previous_state.items() if k not in ("PhysicalResourceId", "Data")
            }
        LOG.debug("Custom resource %s: %s via %s", request.logical_resource_id, request_type, service_token)
        request.aws_client_factory.lambda_.invoke(
            FunctionName=service_token, InvocationType="Event", Payload=json.dumps(event)
        )


class CustomResourceProviderPlugin(CloudFormationResourceProviderPlugin):
    name = "AWS::CloudFormation::CustomResource"

    def __init__(self):
        self.factory = None

    def load(self):
        self.factory = CustomResourceProvider

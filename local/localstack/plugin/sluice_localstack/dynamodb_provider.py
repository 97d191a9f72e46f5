"""
DynamoDB for LocalStack without DynamoDB Local (``PROVIDER_OVERRIDE_DYNAMODB=sluice-moto``).

LocalStack's own DynamoDB provider forwards every request to DynamoDB Local, which it
downloads at first use: not reachable from our machines, and its licence rules it out for
Sluice. This provider answers every DynamoDB operation from the moto backend LocalStack
already bundles (``moto-ext``), in process, so tables stay deployable by CloudFormation
(``AWS::DynamoDB::Table`` calls this API) and visible to functions and tests on port 4566.

Requests are served one at a time. moto's DynamoDB backend keeps no lock around its state and
LocalStack's gateway serves requests on many threads, so without this an ``UpdateItem ADD``,
the first write of an item or a conditional write could interleave with another one (lost
increments, two conditional writes both winning). Behind one lock every operation is
linearizable, as DynamoDB is per item — the same guarantee ``local/services/moto/serve.py``
gives the stand-alone moto server.

What this does not give (moto's limits): items never expire by TTL, no streams, no
point-in-time recovery restores, capacity and throttling are not modelled.
"""

import threading

from localstack.aws.api import RequestContext, ServiceRequest, ServiceResponse
from localstack.aws.api.dynamodb import DynamodbApi
from localstack.aws.skeleton import DispatchTable
from localstack.services.moto import MotoFallbackDispatcher
from localstack.services.plugins import Service, ServiceLifecycleHook, aws_provider

#: One DynamoDB operation at a time, across every table, account and region.
_LOCK = threading.Lock()


class MotoDynamoDBProvider(DynamodbApi, ServiceLifecycleHook):
    """Implements nothing itself: every operation falls through to moto."""


def _serialised(handler):
    def call(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
        with _LOCK:
            return handler(context, request)

    return call


def serialised_moto_dispatcher(provider: MotoDynamoDBProvider) -> DispatchTable:
    """moto's dispatch table for DynamoDB with every operation behind one lock."""
    table = MotoFallbackDispatcher(provider)
    return {operation: _serialised(handler) for operation, handler in table.items()}


@aws_provider(api="dynamodb", name="sluice-moto")
def dynamodb():
    provider = MotoDynamoDBProvider()
    return Service.for_provider(provider, dispatch_table_factory=serialised_moto_dispatcher)

"""Registers the process runtime executor (``LAMBDA_RUNTIME_EXECUTOR=sluice-process``)."""

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin


class ProcessRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    name = "sluice-process"

    def load(self, *args, **kwargs):
        from sluice_localstack.process_executor import ProcessRuntimeExecutor

        return ProcessRuntimeExecutor

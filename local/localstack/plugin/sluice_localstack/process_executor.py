"""
A LocalStack runtime executor that runs each Lambda execution environment as a local Node.js
process instead of a Docker container.

Per environment it starts the Sluice init program (``SLUICE_LAMBDA_INIT``, bundled from
``local/localstack/init/``) with the function's environment, in the unzipped code folder. The
init program speaks LocalStack's executor protocol, the one its Go ``lambda-runtime-init``
speaks inside containers: it reports ready to ``LOCALSTACK_RUNTIME_ENDPOINT``, takes invokes
on ``POST /invoke`` (port ``SLUICE_LAMBDA_INIT_PORT``), and posts each invocation's logs and
then its response or error back. Timeouts, memory and Lambda-style logs are the init
program's business; this class only starts, watches and stops the process.

Limits: no sandbox (the process shares the host's file system, network and user), Node.js
runtimes only (the host's ``node`` whatever the function's runtime says), no layers, no
container images, no extensions.
"""

import logging
import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import InvalidStateError
from pathlib import Path

from localstack.services.lambda_.invocation.executor_endpoint import (
    ExecutorEndpoint,
    StatusErrorException,
)
from localstack.services.lambda_.invocation.lambda_models import (
    FunctionVersion,
    InvocationResult,
)
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)
from localstack.utils.net import get_free_tcp_port
from localstack.utils.ssl import get_cert_pem_file_path

LOG = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"

#: Seconds the init program gets to end its handler process after SIGTERM.
STOP_GRACE_SECONDS = 3

#: Variables of LocalStack's own environment that a function process inherits; everything
#: else comes from LocalStack's Lambda service (the function's environment, credentials,
#: AWS_ENDPOINT_URL) as it would inside a container.
INHERITED_VARIABLES = ("PATH", "LANG")


def _setting(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise LambdaRuntimeException(
            f"{name} is not set: start LocalStack with `npm run services -- up localstack`"
        )
    return value


def _fence_package_scope(code_dir: Path) -> None:
    """
    Writes a ``package.json`` without a ``type`` just above the unzipped code. Node.js decides
    whether ``index.js`` is CommonJS by the nearest package.json above it; in /var/task there
    is none, but here the code lies under the checkout, whose package.json says
    ``"type": "module"`` and would turn a CommonJS bundle into a broken ES module. A
    package.json inside the function's own code still wins, as on Lambda.
    """
    fence = code_dir.parent / "package.json"
    if not fence.exists():
        fence.write_text('{"type": "commonjs"}\n')


def _is_node_runtime(function_version: FunctionVersion) -> bool:
    runtime = function_version.config.runtime
    return bool(runtime) and str(runtime).startswith("nodejs")


class ProcessRuntimeExecutor(RuntimeExecutor):
    """One execution environment = one init program process (plus its handler process)."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self.executor_endpoint = ExecutorEndpoint(self.id)
        self.process: subprocess.Popen | None = None
        self.log_file: Path | None = None
        self.tmp_dir: Path | None = None
        self.port: int | None = None
        self._current_request_id: str | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, env_vars: dict[str, str]) -> None:
        self.executor_endpoint.start()
        self.port = get_free_tcp_port()
        self.executor_endpoint.container_address = LOOPBACK
        self.executor_endpoint.container_port = self.port
        code_dir = str(self.function_version.config.code.get_unzipped_code_location())
        function_name = self.function_version.id.function_name
        log_dir = Path(_setting("SLUICE_LAMBDA_LOG_DIR"))
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_file = log_dir / f"{function_name}-{self.id}.log"
        # Lambda's /tmp: one folder per environment, removed when the environment stops.
        self.tmp_dir = Path(tempfile.mkdtemp(prefix=f"{function_name}-", dir=tempfile.gettempdir()))
        env = {name: os.environ[name] for name in INHERITED_VARIABLES if name in os.environ}
        # Functions reach LocalStack's HTTPS endpoints (https://sqs.<region>.localhost/…, an
        # OpenSearch domain's https:// URL) as they reach AWS's: trusting its certificate.
        certificate = get_cert_pem_file_path()
        if os.path.exists(certificate):
            env["NODE_EXTRA_CA_CERTS"] = certificate
        # What /var/runtime/node_modules gives functions on Lambda: the AWS SDK v3 clients.
        env["NODE_PATH"] = _setting("SLUICE_LAMBDA_NODE_PATH")
        env.update({key: str(value) for key, value in env_vars.items()})
        env.update(
            {
                "LAMBDA_TASK_ROOT": code_dir,
                "TMPDIR": str(self.tmp_dir),
                "SLUICE_LAMBDA_INIT_PORT": str(self.port),
            }
        )
        command = [_setting("SLUICE_LAMBDA_NODE"), _setting("SLUICE_LAMBDA_INIT")]
        with open(self.log_file, "ab") as log:
            # Not a session of its own: the process stays in LocalStack's process group, so
            # `services down` (which signals that group) ends it even if LocalStack cannot.
            self.process = subprocess.Popen(
                command,
                cwd=code_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        LOG.debug(
            "Started pid %s for %s (environment %s, port %s, log %s)",
            self.process.pid,
            function_name,
            self.id,
            self.port,
            self.log_file,
        )
        threading.Thread(
            target=self._watch, args=(self.process,), name=f"sluice-watch-{self.id}", daemon=True
        ).start()
        self.executor_endpoint.wait_for_startup()

    def _watch(self, process: subprocess.Popen) -> None:
        """Fails a pending startup or invocation when the init program dies."""
        code = process.wait()
        endpoint = self.executor_endpoint
        message = f"init program exited with {code}; log: {self.log_file}"
        payload = (
            '{"errorType":"Runtime.ExitError","errorMessage":"' + message.replace('"', "'") + '"}'
        ).encode()
        try:
            if endpoint.startup_future is not None and not endpoint.startup_future.done():
                endpoint.startup_future.set_exception(
                    StatusErrorException(message, payload=payload)
                )
            future = endpoint.invocation_future
            if future is not None and not future.done():
                future.set_result(
                    InvocationResult(
                        self._current_request_id or "", payload, is_error=True, logs=self.get_logs()
                    )
                )
        except InvalidStateError:
            pass  # stop() cancelled the future meanwhile: nobody waits for it

    def stop(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        try:
            self.executor_endpoint.shutdown()
        except Exception as e:
            LOG.debug("Error while shutting down the endpoint of %s: %s", self.id, e)
        if self.tmp_dir is not None:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)

    # -- addresses -------------------------------------------------------------------------

    def get_address(self) -> str:
        return LOOPBACK

    def get_endpoint_from_executor(self) -> str:
        return LOOPBACK

    def get_runtime_endpoint(self) -> str:
        from localstack import config

        port = config.GATEWAY_LISTEN[0].port
        return f"http://{LOOPBACK}:{port}{self.executor_endpoint.get_endpoint_prefix()}"

    # -- invocations -----------------------------------------------------------------------

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        self._current_request_id = payload.get("invoke-id")
        return self.executor_endpoint.invoke(payload)

    def get_logs(self) -> str:
        if self.log_file is None or not self.log_file.exists():
            return "Execution environment was not started"
        return self.log_file.read_text(errors="replace")

    # -- versions --------------------------------------------------------------------------

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        if not _is_node_runtime(function_version):
            raise LambdaRuntimeException(
                f"runtime {function_version.config.runtime or 'container image'} is not supported "
                "by the sluice-process executor: Node.js zip functions only"
            )
        if function_version.config.layers:
            raise LambdaRuntimeException("layers are not supported by the sluice-process executor")
        code = function_version.config.code
        if code:
            code.prepare_for_execution()
            if not code.is_hot_reloading():
                _fence_package_scope(Path(code.get_unzipped_code_location()))

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        missing = [
            name
            for name in (
                "SLUICE_LAMBDA_NODE",
                "SLUICE_LAMBDA_INIT",
                "SLUICE_LAMBDA_LOG_DIR",
                "SLUICE_LAMBDA_NODE_PATH",
            )
            if not os.environ.get(name)
        ]
        if missing:
            LOG.warning("sluice-process executor: %s not set", ", ".join(missing))
            return False
        return True

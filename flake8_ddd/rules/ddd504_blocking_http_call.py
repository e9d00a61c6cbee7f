from __future__ import annotations

import ast

from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._http import blocking_http_call


class BlockingHttpCall(Rule):
    """Blocking HTTP call in the application layers

    ## What it does
    Reports a call of a synchronous HTTP client in a file of any layer (routes, services,
    crud, schemas, models, dependencies, exceptions, tasks, core, apis), resolved through
    the imports and their aliases:
    - `requests.get/post/put/patch/delete/head/options/request(...)` and
      `requests.Session()`/`requests.session()` (also `from requests import get`,
      `import requests as r`, `requests.api.*`, `requests.sessions.Session`);
    - `urllib.request.urlopen(...)`;
    - `httpx.get/post/put/patch/delete/head/options/request/stream(...)` and `httpx.Client(...)`.

    Decision: "app layers" are all files that have a layer, `core` and `apis` included;
    files without one (`main.py`, scripts, migrations) and tests are not checked. The call
    is reported in `def` and `async def` alike: a plain `def` of a service or dependency
    still runs inside the request cycle.
    Not findings: `httpx.AsyncClient(...)`, methods called on a client object
    (`client.get(...)` — the `requests.Session()`/`httpx.Client()` that created it is the
    finding), objects that do no I/O (`requests.Request(...)`, `httpx.Timeout(...)`), and
    look-alikes such as `dict.get` or a local function named `get`, and a blocking function
    handed to a thread without being called (`await asyncio.to_thread(requests.get, url)`,
    `run_in_threadpool(requests.get, url)`). Known limitation: a call wrapped in a lambda
    for a thread (`to_thread(lambda: requests.get(url))`) is still reported.

    ## Why is this bad?
    The guide: "Asynchronous First: All I/O bound operations (database calls, external HTTP
    requests, file access) must use async/await paradigms to maintain high throughput." A
    blocking HTTP call inside the event loop stalls every other request for as long as the
    remote server takes to answer.

    ## Example
    ```python
    import requests


    async def fetch_rates(self) -> dict:
        return requests.get(RATES_URL, timeout=5).json()
    ```

    ## Use instead
    ```python
    import httpx


    async def fetch_rates(self) -> dict:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(RATES_URL)
        return response.json()
    ```

    ## Options
    None.

    ## When not to use it
    ruff's ASYNC210 (blocking HTTP call in an `async def`) and ASYNC212 (a method call on a
    blocking `httpx.Client` in an `async def`) overlap with this rule. In a project that runs
    both, keep DDD504 and ASYNC212 and turn ASYNC210 off where DDD504 runs (the layered
    directories, e.g. ruff's `per-file-ignores = {"app/**/*.py" = ["ASYNC210"]}`): there,
    each `requests.*`, `httpx.*` or `urllib.request.urlopen` call ASYNC210 reports is a
    DDD504 finding on the same line, and DDD504 also covers plain `def` functions. DDD504
    reports `httpx.Client(` where it is created while ASYNC212 reports the client's calls on
    other lines, so keeping both never reports one call twice. Keep ASYNC210 for files
    without a layer (scripts, `main.py`), and wherever `urllib3` is used (ASYNC210 knows it,
    DDD504 does not). A sync client used on purpose in a worker thread takes
    `# noqa: DDD504`.
    """

    code = "DDD504"
    required_words = ('requests', 'urllib', 'httpx')
    message = "blocking HTTP call {name}(): use an async client (httpx.AsyncClient) and await it"
    scope = Scope.ANY_LAYERED_FILE
    since = "0.1.0"

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        name = blocking_http_call(self.ctx, node)
        if name is not None:
            self.report(node, name=name)

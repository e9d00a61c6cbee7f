from __future__ import annotations

from flake8_ddd.diagnostics import Finding
from flake8_ddd.layers import Layer
from flake8_ddd.pins import find_pin
from flake8_ddd.rule import Rule, Scope

ACCEPTED = tuple(layer.value for layer in Layer)


class UnknownLayerInPin(Rule):
    """Layer pin that names an unknown layer

    ## What it does
    Reports a `# ddd: layer=...` comment in a file's first ten lines whose value is not a
    layer list: an unknown name (`crd`), `none` joined with a layer (`crud+none`), a
    dangling `+`, or anything that is not a name (`crud # why`). The message lists the
    accepted names. Such a pin is ignored: the file keeps the layer its path gives.

    ## Why is this bad?
    The guide's layer rules ("AI tools and developers MUST adhere to the following layer
    rules") reach a file only through its layer. A pin exists because the path alone gives
    the wrong layer; a misspelled pin silently leaves the file in that wrong layer (or in
    none), so the rules the author asked for never run on it, and nothing says so.

    ## Example
    ```python
    # ddd: layer=crd
    ```

    ## Use instead
    ```python
    # ddd: layer=crud
    ```

    ## Options
    None.
    """

    code = "DDD600"
    message = "layer pin {problem}: use one of {accepted} (join two layers with +) or none"
    scope = Scope.ANY_FILE
    since = "0.2.0"
    required_words = ("ddd:",)

    def finish(self) -> None:
        pin = find_pin(self.ctx.lines, ACCEPTED)
        if pin is None or pin.problem is None:
            return
        text = self.message.format(problem=pin.problem, accepted=", ".join(ACCEPTED))
        # columns of findings are UTF-8 byte offsets, like the AST's
        col = len(self.ctx.lines[pin.line - 1][:pin.col].encode("utf-8", "surrogatepass"))
        self.findings.append(Finding(pin.line, col, self.code, f"{self.code} {text}"))

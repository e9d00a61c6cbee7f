from __future__ import annotations

from typing import List, Sequence

from flake8_ddd.diagnostics import Finding
from flake8_ddd.rule import Rule, Scope


class UnusedNoqa(Rule):
    """Unused noqa comment for a DDD code

    ## What it does
    Reports a `# noqa: DDDxxx` comment that names a DDD code (or group, `DDD1`) which no rule
    reports on that line, at the comment. A comment after the closing quotes of a multi-line
    string, or at the end of a statement continued with `\\`, covers all of its lines, as in
    flake8. Codes of other tools (`E501`, `F401`) are never judged, and a bare `# noqa` names
    nothing. Codes of opt-in rules that are not enabled are reported: their comment silences
    nothing in this configuration. Test files, which no DDD rule checks, are not looked at.
    A prefix that covers DDD010 itself (`DDD0`, `DDD01`) also silences this report, as flake8
    reads the comment. Opt-in.

    The check runs after every other rule of the file, on their findings (it is not part of the
    walk), in flake8 and in `flake8-ddd check` alike.

    ## Why is this bad?
    The guide's conventions exist "to ensure structural consistency and code quality" across
    projects, and every suppression is an exception to them. A suppression outlives the
    violation it was written for: the code is fixed or moved, the comment stays, and the next
    violation on that line is silenced without anyone deciding to.
    ruff's `RUF100` cannot find these comments, because it ignores codes it does not own, and
    flake8 has no such check. After `flake8-ddd check --add-noqa`, this rule tells which
    suppressions can go as the old code is cleaned up.

    ## Example
    ```python
    # app/user/crud/user.py
    async def create(self, db, user):
        db.add(user)
        await db.flush()  # noqa: DDD001
    ```

    ## Use instead
    ```python
    # app/user/crud/user.py
    async def create(self, db, user):
        db.add(user)
        await db.flush()
    ```

    ## Options
    None.
    """

    code = "DDD010"
    message = "unused noqa for {codes}: nothing reports it on this line; remove it from the comment"
    scope = Scope.ANY_FILE
    since = "0.2.0"
    opt_in = True

    @classmethod
    def after_walk(cls, lines: Sequence[str], findings: Sequence[Finding]) -> List[Finding]:
        """The DDD010 findings of a file, from the other rules' findings."""
        from flake8_ddd.unused_noqa import unused_noqa  # opt-in: most runs never need it

        return [Finding(stale.line, stale.col, cls.code,
                        f"{cls.code} {cls.message.format(codes=', '.join(stale.codes))}")
                for stale in unused_noqa(lines, [(f.line, f.code) for f in findings])]

"""The shapes of kubectl's error aggregates, which decide how several errors print.

cli-runtime's builder gathers what it meets while reading (unreadable or unmappable documents,
and for get the objects it could not fetch) in one aggregate (EagerVisitorList), in document
order; a list document's failed items form an aggregate of their own inside it
(FlattenListVisitor). apply adds its own errors after that aggregate, delete before it.
kubectl's CheckErr then unwraps one aggregate of one error and prints an aggregate one line
per error (MultipleErrors), where an inner aggregate is one line: its messages, repeated ones
once, in brackets when there are several (utilerrors' Error()).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from kctl.errors import KctlError, StatusError

__all__ = ["Aggregate", "add_error", "builder_errors", "leaf_errors"]


class Aggregate(KctlError):
    """utilerrors.Aggregate; ``from_list`` numbers the list document whose items it holds."""

    def __init__(self, errors: Sequence[BaseException], from_list: int | None = None) -> None:
        super().__init__()
        self.errors = list(errors)
        self.from_list = from_list

    def __str__(self) -> str:
        messages = list(dict.fromkeys(_message(err) for err in leaf_errors(self.errors)))
        if len(messages) == 1:
            return messages[0]
        return "[" + ", ".join(messages) + "]"


def _message(err: BaseException) -> str:
    # A StatusError's Error() is the server's message, without kubectl's prefixes.
    return err.message if isinstance(err, StatusError) else str(err)


def leaf_errors(errors: Sequence[BaseException]) -> Iterator[BaseException]:
    """utilerrors.Flatten: the errors inside nested aggregates, in order."""
    for err in errors:
        if isinstance(err, Aggregate):
            yield from leaf_errors(err.errors)
        else:
            yield err


def add_error(errors: list[BaseException], err: BaseException, from_list: int | None) -> None:
    """Append ``err``; an error of a list document's item joins that document's aggregate."""
    if from_list is None:
        errors.append(err)
        return
    last = errors[-1] if errors else None
    if isinstance(last, Aggregate) and last.from_list == from_list:
        last.errors.append(err)
    else:
        errors.append(Aggregate([err], from_list))


def builder_errors(problems: Sequence[KctlError]) -> list[BaseException]:
    """The builder's aggregate (as a list of its errors) for the problems met reading -f."""
    errors: list[BaseException] = []
    for err in problems:
        add_error(errors, err, getattr(err, "from_list", None))
    return errors

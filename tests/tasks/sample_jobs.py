"""Jobs used only by the tests."""
from volunteer.tasks.services import progress


def explode(_id):
    """Fail on purpose."""
    raise RuntimeError("boom")


def count_to(n):
    """Report progress n times."""
    for i in range(1, n + 1):
        progress(i, n, f"{i}/{n}")
    return n

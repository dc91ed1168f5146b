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


def nap(seconds):
    """Take a while (long enough to be killed), with the process id in job.meta."""
    import os
    import time

    from rq import get_current_job

    job = get_current_job()
    job.meta["pid"] = os.getpid()
    job.save_meta()
    time.sleep(seconds)
    return seconds

"""Background tasks of the corpus, run by the task worker (``manage.py
db_worker``; ``make run`` starts one next to gunicorn).

Tasks are thin: the logic, and every write, is in ``corpus.uploads``.
"""

from __future__ import annotations

from django_tasks import TaskContext, task


@task(takes_context=True)
def ingest_job_run(context: TaskContext, job_id: int) -> str:
    """Ingest the uploaded file of ``IngestJob`` ``job_id``; its final status."""
    from corpus.uploads import ingest_job_execute  # uploads enqueues this task

    return ingest_job_execute(job_id=job_id, task_id=str(context.task_result.id))

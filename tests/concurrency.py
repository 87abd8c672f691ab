"""Running work in real threads at once, each with its own connection, session and transaction."""

import threading

from portal.database import begin_write
from portal.extensions import db


def run_together(app, count: int, work) -> list:
    """Run ``work(i)`` in ``count`` threads started at once; each commits its own transaction.
    Returns what each returned, or the exception it raised. ``work`` must use plain ids, never
    the test's ORM objects, whose session belongs to the test's thread."""
    db.session.commit()
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(i):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                begin_write(db.session)
                results[i] = work(i)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the test inspects every outcome
                db.session.rollback()
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    db.session.commit()
    return results

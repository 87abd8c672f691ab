"""The public /events while mail workers build invitation letters, as a share of /events alone.

    python -m benchmarks.web_under_mail [--seconds 5] [--rounds 3] [--mail-workers 2] [--nice 19]

The national database of ``benchmarks.national`` (built or reused) served under gunicorn with the
deployment's settings. The load: ``--mail-workers`` processes, each at the mail worker's CPU
priority (``MAIL_WORKER_NICE``, 19 by default), delivering an invitation round with its letters
again and again through the worker's own code (``benchmarks.letter_rate``: SQLite, nothing sent).
Round after round, /events alone and then with the workers running; prints the median share.
Goal (issue 22): at least 70 %.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request

from benchmarks import national, national_data
from benchmarks.serving import ROOT, served

LETTER_LOOP = "while True:\n    main()\n"


def start_mail_workers(count: int, nice: int) -> list[subprocess.Popen]:
    code = f"import sys; sys.argv = ['letter_rate', '--cooperatives', '100']\n" \
           f"from benchmarks.letter_rate import main\n{LETTER_LOOP}"
    return [subprocess.Popen(["nice", "-n", str(nice), sys.executable, "-c", code], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
            for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--national", default=national.NATIONAL_URL)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mail-workers", type=int, default=2)
    parser.add_argument("--nice", type=int, default=19)
    args = parser.parse_args()
    national_data.ensure(args.national, national_data.NATIONAL)
    shares = []
    with served("wsgi:app", national.portal_env(args.national), args.workers) as base:
        opener = urllib.request.build_opener()
        national.throughput(opener, base + "/events", 1, args.clients)  # warm the workers
        for _ in range(args.rounds):
            alone, _size = national.throughput(opener, base + "/events", args.seconds, args.clients)
            workers = start_mail_workers(args.mail_workers, args.nice)
            try:
                time.sleep(3)  # past their start-up: building letters
                loaded, _size = national.throughput(opener, base + "/events", args.seconds, args.clients)
            finally:
                for process in workers:
                    process.terminate()
                for process in workers:
                    process.wait()
            shares.append(loaded / alone)
            print(f"  /events alone {alone:.1f}/s, with {args.mail_workers} mail workers (nice {args.nice})"
                  f" {loaded:.1f}/s: {loaded / alone:.0%}")
    print(f"median: {statistics.median(shares):.0%} of /events alone (goal: at least 70 %)")


if __name__ == "__main__":
    main()

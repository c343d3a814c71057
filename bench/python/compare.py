"""async_cassandra side by side with the other Python clients, in one run, on
cqlbench's workload (clients.py): the node pinned to core 0, each client in
turn pinned to core 1.

    python bench/python/compare.py [--seconds 10] [--concurrency 64 256] [--rounds N] [--peers-dir DIR]

Run it with the interpreter of an environment where async_cassandra (this
package) is installed (build-python/venv-3.12 after python/run-tests). The
peers are installed from PyPI, each into its own throwaway virtual
environment made with the same interpreter (never a dependency of the
package): the DataStax driver (with an asyncio bridge: execute_async's
callbacks resolve asyncio futures through call_soon_threadsafe), acsylla,
scyllapy and the seed (PyPI async-cassandra 0.0.1, which imports as
async_cassandra too). --peers-dir keeps the environments there (made once,
reused); without it they go in a temporary directory removed at the end.

The node's threads are pinned with `taskset -a -p -c 0 <pid>` for the run
and given back both cores (`-c 0,1`) at the end, whatever happens. Prints a
Markdown table: ops/s and client CPU per request (process CPU time, all its
threads, over the requests completed), and each figure against acsylla's.
With --rounds N every client runs N times, in turn, and each figure is the
median of its N (its range beside it): the node's own state (compactions,
GC) moves every client's figures between runs.
Hold /tmp/ac-heavy.lock while it runs so no build disturbs it."""

import argparse
import concurrent.futures
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = {
    "driver": ["cassandra-driver==3.30.1"],
    "acsylla": ["acsylla==1.2.0"],
    "scyllapy": ["scyllapy==1.3.3"],
    "seed": ["async-cassandra==0.0.1"],
}
LABELS = {
    "ours": "async_cassandra (this package)",
    "acsylla": "acsylla 1.2.0",
    "scyllapy": "scyllapy 1.3.3",
    "driver": "DataStax driver 3.30.1 + asyncio bridge",
    "seed": "seed (PyPI async-cassandra 0.0.1)",
}
CLIENT_MODULE = {"ours": "async_cassandra", "seed": "async_cassandra", "driver": "driver", "acsylla": "acsylla",
                 "scyllapy": "scyllapy"}


def make_env(root, name):
    env = os.path.join(root, name)
    py = os.path.join(env, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", env], check=True)
        r = subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", *PEERS[name]],
                           capture_output=True, text=True)
        if r.returncode:
            shutil.rmtree(env, ignore_errors=True)
            return name, None, (r.stderr or r.stdout).strip().splitlines()[-1:]
    return name, py, None


def median_range(values):
    return statistics.median(values), min(values), max(values)


def node_pid():
    out = subprocess.run(["pgrep", "-f", "CassandraDaemon"], capture_output=True, text=True).stdout.split()
    if len(out) != 1:
        sys.exit(f"compare.py: expected one Cassandra node process, found {out or 'none'}")
    return out[0]


def run_client(py, client, args, prefill=False):
    cmd = ["taskset", "-c", "1", py, os.path.join(HERE, "clients.py"), CLIENT_MODULE[client], "--host", args.host,
           "--seconds", str(args.seconds), "--keys", str(args.keys), "--concurrency", *map(str, args.concurrency)]
    if prefill:
        cmd += ["--prefill"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        return None, (r.stderr or r.stdout).strip().splitlines()[-3:]
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")], None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[64, 256])
    ap.add_argument("--keys", type=int, default=100_000)
    ap.add_argument("--peers-dir", help="keep the peers' environments here (reused on later runs)")
    ap.add_argument("--clients", nargs="+", default=["ours", "acsylla", "scyllapy", "driver", "seed"])
    ap.add_argument("--rounds", type=int, default=1,
                    help="run every client this many times, in turn; the table gives each figure's median "
                         "and its range (the node's state drifts between clients: compactions, GC)")
    args = ap.parse_args()

    root = args.peers_dir or tempfile.mkdtemp(prefix="ac-bench-peers-")
    os.makedirs(root, exist_ok=True)
    pythons = {"ours": sys.executable}
    failed = {}
    try:
        wanted = [c for c in args.clients if c in PEERS]
        with concurrent.futures.ThreadPoolExecutor(len(wanted) or 1) as pool:
            for name, py, err in pool.map(lambda n: make_env(root, n), wanted):
                if py:
                    pythons[name] = py
                else:
                    failed[name] = f"pip install {' '.join(PEERS[name])} failed: {' '.join(err)}"
        pid = node_pid()
        subprocess.run(["taskset", "-a", "-p", "-c", "0", pid], check=True, capture_output=True)
        results = {}
        try:
            _, err = run_client(sys.executable, "ours", argparse.Namespace(**{**vars(args), "concurrency": [64],
                                                                               "seconds": 0.5}), prefill=True)
            if err:
                sys.exit("compare.py: prefill failed: " + " ".join(err))
            for rnd in range(args.rounds):
                for client in args.clients:
                    if client not in pythons or client in failed:
                        continue
                    rows, err = run_client(pythons[client], client, args)
                    if err:
                        failed[client] = "the run failed: " + " ".join(err)
                    else:
                        for r in rows:
                            results.setdefault(client, {}).setdefault((r["workload"], r["concurrency"]), []).append(r)
                    print(f"-- round {rnd + 1}, {client}: {'done' if not err else failed[client]}", file=sys.stderr,
                          flush=True)
        finally:
            subprocess.run(["taskset", "-a", "-p", "-c", "0,1", pid], capture_output=True)
    finally:
        if not args.peers_dir:
            shutil.rmtree(root, ignore_errors=True)

    # Each figure: the median of the rounds (and, over one round, the range).
    results = {c: {k: {f: median_range([r[f] for r in runs]) for f in ("ops", "cpu_us")} for k, runs in per.items()}
               for c, per in results.items()}
    base = results.get("acsylla", {})
    print(f"| client | workload | in flight | ops/s | CPU µs/request | CPU vs acsylla | ops/s vs acsylla |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for client in args.clients:
        for key, r in sorted(results.get(client, {}).items(), key=lambda kv: (kv[0][1], kv[0][0])):
            b = base.get(key)
            cpu_ratio = f"{r['cpu_us'][0] / b['cpu_us'][0]:.2f}×" if b else "—"
            ops_ratio = f"{r['ops'][0] / b['ops'][0]:.2f}×" if b else "—"
            ops = f"{r['ops'][0]:,.0f}" + (f" ({r['ops'][1]:,.0f}–{r['ops'][2]:,.0f})" if args.rounds > 1 else "")
            cpu = f"{r['cpu_us'][0]:.1f}" + (f" ({r['cpu_us'][1]:.1f}–{r['cpu_us'][2]:.1f})" if args.rounds > 1 else "")
            print(f"| {LABELS[client]} | {key[0]} | {key[1]} | {ops} | {cpu} | {cpu_ratio} | {ops_ratio} |")
    for client, why in failed.items():
        print(f"\n{LABELS[client]}: {why}")
    seed, ours = results.get("seed", {}), results.get("ours", {})
    if seed and ours:
        print("\nseed's CPU per request over ours: " + ", ".join(
            f"{k[0]} {k[1]}: {seed[k]['cpu_us'][0] / ours[k]['cpu_us'][0]:.0f}×" for k in sorted(ours) if k in seed))


if __name__ == "__main__":
    main()

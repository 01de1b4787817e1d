#!/usr/bin/env python3
"""Load test of `mnistbook serve` on 127.0.0.1: 2,000 POST /predict from 8 concurrent clients.

    scripts/serve_loadtest.py --model output/quickstart/mnist_cnn.mnistbook [--binary .build/release/mnistbook]
                              [--requests 2000] [--clients 8] [--json]

Starts the server on a free port, sends 200 distinct MNIST test digits once each, one at a time, to learn the
server's answers, then sends 2,000 requests (those digits in turn, half as PNG files drawn black on white at
140×140, half as JSON arrays of 784 values) from 8 threads, each on its own keep-alive connection. Every reply must
be 200 with the same digit as the sequential pass; any other outcome is counted and makes the exit status 1.
Prints p50/p99 latency (client-side round trip) and requests per second. Python's standard library only.
"""
import argparse, gzip, http.client, json, os, socket, struct, subprocess, sys, threading, time, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def mnist_test(n):
    with gzip.open(os.path.join(ROOT, "data/mnist/t10k-images-idx3-ubyte.gz")) as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 2051 and rows == cols == 28
        data = f.read(n * 784)
    return [data[i * 784:(i + 1) * 784] for i in range(n)]


def png(gray, width, height):
    """An 8-bit grayscale PNG, written by hand (zlib only)."""
    raw = b"".join(b"\x00" + bytes(gray[y * width:(y + 1) * width]) for y in range(height))
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def drawn(digit):
    """The digit as someone would draw it on paper: black on white, 5× larger, on a 140×140 sheet."""
    sheet = [255] * (140 * 140)
    for y in range(140):
        for x in range(140):
            sheet[y * 140 + x] = 255 - digit[(y // 5) * 28 + x // 5]
    return png(sheet, 140, 140)


def bodies(digits):
    out = []
    for i, d in enumerate(digits):
        out.append(("image/png", drawn(d)))
        out.append(("application/json", json.dumps(list(d)).encode()))
    return out


def post(conn, body):
    conn.request("POST", "/predict", body=body[1], headers={"Content-Type": body[0]})
    response = conn.getresponse()
    return response.status, response.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/mnistbook"))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()

    server = subprocess.Popen([args.binary, "serve", "--model", args.model, "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if "http://" not in line:
            sys.exit("serve did not start: " + line + server.stderr.read())
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])

        requests = bodies(mnist_test(100))          # 200 bodies: 100 digits as PNG and as JSON
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        expected = []
        for body in requests:
            status, data = post(conn, body)
            if status != 200:
                sys.exit(f"sequential pass: status {status}: {data[:200]!r}")
            expected.append(json.loads(data)["digit"])
        conn.close()

        latencies, failures, lock = [], [], threading.Lock()
        def client(k):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine = []
            for i in range(k, args.requests, args.clients):
                body = requests[i % len(requests)]
                start = time.perf_counter()
                try:
                    status, data = post(c, body)
                    ok = status == 200 and json.loads(data)["digit"] == expected[i % len(requests)]
                    problem = None if ok else f"request {i}: status {status}: {data[:120]!r}"
                except (OSError, http.client.HTTPException, ValueError) as e:
                    problem = f"request {i}: {e!r}"
                    c.close()
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                mine.append(time.perf_counter() - start)
                if problem:
                    with lock:
                        failures.append(problem)
            with lock:
                latencies.extend(mine)
            c.close()

        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        start = time.perf_counter()
        for t in threads: t.start()
        for t in threads: t.join()
        wall = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)

    latencies.sort()
    def pct(p): return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000
    figures = {"requests": len(latencies), "clients": args.clients, "failures": len(failures),
               "p50_ms": round(pct(50), 2), "p99_ms": round(pct(99), 2),
               "requests_per_second": round(len(latencies) / wall, 1), "seconds": round(wall, 2)}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{figures['requests']} requests from {args.clients} clients in {figures['seconds']} s: "
              f"{figures['requests_per_second']} requests/s, p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, "
              f"{len(failures)} failed")
    for f in failures[:10]:
        print("  " + f, file=sys.stderr)
    sys.exit(1 if failures or len(latencies) != args.requests else 0)


if __name__ == "__main__":
    main()

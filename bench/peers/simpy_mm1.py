#!/usr/bin/python3
"""M/M/1 (lambda=0.9, mu=1.0) in SimPy, the peer of kubesim's `mm1-processes` benchmark.

Same structure as packages/core/src/sim/examples/mm1.ts (process version): a source process that sleeps
exponential interarrival times and appends arrival times to a FIFO, and a server process that waits for
a customer-arrived event when the FIFO is empty, then sleeps an exponential service time. Two model events
per customer (arrival, departure). Prints one JSON line: name, events, seconds, eventsPerSecond, eventsPerCpuSecond, meanWait.

Runs on SimPy 3/4 (`import simpy`) or on Debian's python3-simpy, which is SimPy 2.3 (`SimPy.Simulation`).
Run with Debian's interpreter: /usr/bin/python3 bench/peers/simpy_mm1.py [--customers N] [--seed S]
"""
import argparse
import collections
import json
import random
import sys
import time

LAMBDA = 0.9
MU = 1.0


def run_simpy3(simpy, customers, rng):
    env = simpy.Environment()
    queue = collections.deque()
    stats = {"wait": 0.0, "served": 0}
    state = {"arrived": env.event()}

    def source():
        for _ in range(customers):
            yield env.timeout(rng.expovariate(LAMBDA))
            queue.append(env.now)
            ev = state["arrived"]
            state["arrived"] = env.event()
            ev.succeed()

    def server():
        while stats["served"] < customers:
            while not queue:
                yield state["arrived"]
            stats["wait"] += env.now - queue.popleft()
            stats["served"] += 1
            yield env.timeout(rng.expovariate(MU))

    env.process(source())
    env.process(server())
    env.run()
    return stats["wait"] / customers, "simpy " + simpy.__version__


def run_simpy2(customers, rng):
    from SimPy.Simulation import Process, SimEvent, Simulation, hold, waitevent
    import SimPy

    sim = Simulation()
    sim.initialize()
    queue = collections.deque()
    stats = {"wait": 0.0, "served": 0}
    arrived = SimEvent(name="arrived", sim=sim)

    class Source(Process):
        def run(self):
            for _ in range(customers):
                yield hold, self, rng.expovariate(LAMBDA)
                queue.append(self.sim.now())
                arrived.signal()

    class Server(Process):
        def run(self):
            while stats["served"] < customers:
                # SimPy 2 remembers a signal nobody waited for, so re-check the FIFO after each wake-up.
                while not queue:
                    yield waitevent, self, arrived
                stats["wait"] += self.sim.now() - queue.popleft()
                stats["served"] += 1
                yield hold, self, rng.expovariate(MU)

    src, srv = Source(sim=sim), Server(sim=sim)
    sim.activate(src, src.run())
    sim.activate(srv, srv.run())
    sim.simulate(until=1e18)
    return stats["wait"] / customers, "SimPy " + getattr(SimPy, "__version__", "2")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    c0 = time.process_time()
    try:
        import simpy  # SimPy 3/4
        mean_wait, version = run_simpy3(simpy, args.customers, rng)
    except ImportError:
        try:
            mean_wait, version = run_simpy2(args.customers, rng)
        except ImportError:
            sys.stderr.write("SimPy is not installed (apt-get install -y python3-simpy)\n")
            sys.exit(2)
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0
    events = 2 * args.customers
    print(json.dumps({
        "name": "simpy-mm1",
        "events": events,
        "seconds": round(seconds, 4),
        "eventsPerSecond": round(events / seconds),
        "eventsPerCpuSecond": round(events / cpu_seconds),
        "meanWait": mean_wait,
        "customers": args.customers,
        "peer": version + ", python " + sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()

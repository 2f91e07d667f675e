/**
 * The simulated upstream (latency 0, no pacing) in a process of its own, for bench/proxy.ts, so
 * it shares an event loop with neither the load generator nor the servers being measured.
 * The key comes in BENCH_UPSTREAM_KEY; prints its base URL as the first line of stdout, serves
 * 127.0.0.1 only, and exits when stdin closes.
 */
import { startSimulatedUpstream } from '../src/upstream/simulated.js';

const key = process.env.BENCH_UPSTREAM_KEY;
if (!key) {
  process.stderr.write('usage: BENCH_UPSTREAM_KEY=sk-... tsx bench/sim-server.ts\n');
  process.exit(2);
}
const sim = await startSimulatedUpstream({ apiKey: key, latencyMs: 0, tokensPerSecond: 0 });
process.stdout.write(`${sim.baseUrl}\n`);
process.stdin.resume();
process.stdin.on('end', () => void sim.close().finally(() => process.exit(0)));

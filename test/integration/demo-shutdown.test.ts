import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../cli/demo-setup.ts';

interface Demo {
  pid: number;
  output: () => string;
  /** When every process writing to the demo's output has ended (npm may exit before the hub under it). */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Processes below `root` (by parent pid), with their command lines. */
function descendants(root: number): { pid: number; args: string }[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const found: { pid: number; args: string }[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const r of rows.filter((x) => x.ppid === parent)) {
      found.push(r);
      queue.push(r.pid);
    }
  }
  return found;
}

/** Gone, or a zombie nobody reaped yet (a container's init may not). */
function isGone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

/** What would flood the terminal if Kafka went first: connection errors, error-level log lines. */
const errorLines = (text: string) => text.split('\n').filter((l) => /ECONNREFUSED|"level":(50|60)|\berror\b/i.test(l));

/**
 * Starts the demo as a user does, with its own local Kafka (no KAFKA_BROKERS),
 * in a process group of its own, as a terminal would run it.
 */
function startDemo(command: string, args: string[]): Demo {
  const env: NodeJS.ProcessEnv = { ...process.env, XHUB_LOG_LEVEL: 'info', XHUB_ADMIN_LISTEN: 'off' };
  for (const k of ['KAFKA_BROKERS', 'KAFKA_CA_FILE', 'XHUB_KAFKA_CREDENTIALS_DIR']) delete env[k];
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return { pid: child.pid!, output: () => output, closed };
}

async function waitForBanner(demo: Demo): Promise<void> {
  await expect.poll(() => demo.output(), { timeout: 120_000, interval: 250 }).toContain('Ctrl-C stops everything');
}

describe('the demo stops cleanly: the hub first, Kafka last', () => {
  let state: string | undefined;
  let demo: Demo | undefined;
  let leftovers: number[] = [];

  afterEach(async () => {
    for (const pid of [...(demo ? [-demo.pid] : []), ...leftovers]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (state) await rm(state, { recursive: true, force: true });
    demo = undefined;
    leftovers = [];
  });

  for (const [signal, command, args] of [
    ['SIGINT', 'npx', ['xhub', 'demo']],
    ['SIGTERM', 'npm', ['start', '--']],
  ] as const) {
    it(`${signal} to the process group of \`${command} ${args.join(' ')}\` stops everything within seconds, without error spam`, async () => {
      state = await mkdtemp(join(tmpdir(), 'xhub-demo-stop-'));
      demo = startDemo(command, [...args, '--state', state, '--listen', '127.0.0.1:0', '--admin-port', '0', '--console-port', '0']);
      await waitForBanner(demo);
      const java = descendants(demo.pid).filter((p) => p.args.includes('kafka.Kafka'));
      expect(java, 'the demo runs its own local broker').toHaveLength(1);
      leftovers = java.map((p) => p.pid);
      const before = demo.output().length;

      const start = Date.now();
      process.kill(-demo.pid, signal);
      const { code, signal: endedBy } = await demo.closed;
      const took = Date.now() - start;
      const after = demo.output().slice(before);

      expect(took, after).toBeLessThan(15_000);
      // npm waits for its child, then re-raises the signal on itself: a shell shows 130 (SIGINT) or 143 (SIGTERM).
      const status = code ?? (endedBy === 'SIGINT' ? 130 : endedBy === 'SIGTERM' ? 143 : -1);
      expect([0, 130, 143], `${code} ${endedBy}\n${after}`).toContain(status);
      expect(errorLines(after).length, after).toBeLessThan(5);
      expect(after).toContain('exchange node stopped');
      await expect.poll(() => isGone(java[0]!.pid), { timeout: 2_000 }).toBe(true);
    }, 180_000);
  }
});

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { REPO_ROOT } from '../../cli/demo-setup.ts';

export interface Child {
  process: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Runs a TypeScript entry point in its own Node process and waits until it
 * prints `ready`. XHUB_BENCH_NODE_ARGS adds Node options to every child, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile node and connectors.
 */
export async function startChild(args: string[], ready: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Child & { output: () => string }> {
  const child = spawn(process.execPath, [...nodeArgs(), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // A bench that crashes or exits early must not leave hub processes running
  // (they would load the machine and skew every later measurement).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let output = '';
  /** The first 20 KB, kept whole: start-up lines (ports) stay readable after a flood of later lines. */
  let head = '';
  let isReady = false;
  // Check each chunk as it comes: a burst of log lines right after `ready` must
  // not push it out of the kept tail before the loop below looks.
  const take = (d: Buffer) => {
    if (head.length < 20_000) head += d.toString().slice(0, 20_000 - head.length);
    output = (output + d.toString()).slice(-20_000);
    isReady ||= output.includes(ready);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const deadline = Date.now() + timeoutMs;
  while (!isReady) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited: ${output.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${args.join(' ')} not ready in ${timeoutMs} ms: ${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    process: child,
    pid: child.pid!,
    output: () => (output.startsWith(head) ? output : `${head}\n…\n${output}`),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** CPU seconds used so far and peak resident memory (MiB) of a process, from /proc. */
export function processStats(pid: number): { cpuSeconds: number; peakRssMiB: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuSeconds: ticks / 100, peakRssMiB: Math.round(hwm / 1024) };
  } catch {
    return { cpuSeconds: 0, peakRssMiB: 0 };
  }
}

/**
 * CPU seconds used so far by a JVM's JIT compiler threads (HotSpot names them
 * "C1 CompilerThread…" and "C2 CompilerThread…"), from /proc: 0 for a process
 * that has none or is gone. A freshly started Kafka compiles for minutes;
 * a broker in service compiled long ago.
 */
export function jitCompilerSeconds(pid: number): number {
  let ticks = 0;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tasks) {
    try {
      if (!/^C[12] CompilerThre/.test(readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8'))) continue;
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The thread ended between the listing and the read: it used nothing more.
    }
  }
  return ticks / 100;
}

function nodeArgs(): string[] {
  return (process.env.XHUB_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

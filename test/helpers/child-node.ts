import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeConfig } from '../../broker/config.ts';
import { REPO_ROOT } from '../../cli/demo-setup.ts';

/** An exchange node in a process of its own, started as an operator does: `xhub node --config <file>`. */
export interface ChildNode {
  pid: number;
  /** Its gRPC port, from its 'exchange node serving' log line. */
  port: number;
  /** Its admin listener's port (/readyz), when it has one. */
  adminPort: number | undefined;
  /** Its log lines so far (JSON, info and above), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not ended within 10 s. */
  stop(): Promise<void>;
}

/**
 * Writes `config` to `<dir>/<nodeId>.json` and starts `xhub node` on it, under
 * group `gid` if given (so a LoopbackCut can single it out), and waits until
 * it serves gRPC.
 */
export async function startChildNode(
  config: Partial<NodeConfig> & Pick<NodeConfig, 'nodeId'>,
  dir: string,
  options: { gid?: number; timeoutMs?: number } = {},
): Promise<ChildNode> {
  const file = join(dir, `${config.nodeId}.json`);
  await writeFile(file, JSON.stringify(config, null, 2));
  const xhub = [process.execPath, join(REPO_ROOT, 'cli/xhub.ts'), 'node', '--config', file];
  const [command, ...args] =
    options.gid === undefined
      ? xhub
      : ['setpriv', '--regid', String(options.gid), '--clear-groups', '--', ...xhub];
  const child = spawn(command!, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, XHUB_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test worker that dies early must not leave a node running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => process.off('exit', killOnExit));

  let output = '';
  let port: number | undefined;
  let adminPort: number | undefined;
  let partial = '';
  const take = (data: Buffer) => {
    output += data.toString();
    const lines = (partial + data.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const entry = parseLine(line);
      if (entry?.msg === 'exchange node serving') port = entry.port;
      if (entry?.msg?.startsWith('admin listener serving')) adminPort = entry.port;
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(kill);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (port === undefined) {
    if (child.exitCode !== null)
      throw new Error(`xhub node ${config.nodeId} exited (${child.exitCode}):\n${output.slice(-3000)}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `xhub node ${config.nodeId} did not serve within ${options.timeoutMs ?? 60_000} ms:\n${output.slice(-3000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { pid: child.pid!, port, adminPort, output: () => output, stop };
}

/** A pino JSON line's message and port. */
function parseLine(line: string): { msg?: string; port?: number } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as { msg?: string; port?: number };
  } catch {
    return undefined;
  }
}

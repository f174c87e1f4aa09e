import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Cuts the processes of one group id off from some loopback TCP ports, and
 * only them: an iptables rule drops their outgoing packets (owner match on the
 * socket's group), so the link goes silent as a pulled cable or a dead
 * firewall does, with no reset to tell the process. Everything else on the
 * machine, this test included, keeps talking to those ports.
 *
 * A group id rather than a user id: the cut-off process keeps uid 0, so it
 * reads its config, keys and the Node binary (under root's 0700 home) as the
 * test does, with nothing copied for another user.
 */
export class LoopbackCut {
  readonly gid: number;
  private readonly ports: readonly number[];
  /** Marks this cut's rules, so restoring deletes exactly them, whatever else is in the table. */
  private readonly tag = `xhub-test-cut-${process.pid}-${randomBytes(3).toString('hex')}`;
  private inserted: string[][] = [];
  private readonly restoreOnExit = () => this.restoreSync();

  constructor(gid: number, ports: readonly number[]) {
    this.gid = gid;
    this.ports = ports;
    // A test process that dies before afterAll must not leave Kafka cut off for the group.
    process.once('exit', this.restoreOnExit);
  }

  get isCut(): boolean {
    return this.inserted.length > 0;
  }

  /** Drops (silently, no RST) every packet the group sends to the ports. */
  async cut(): Promise<void> {
    for (const port of this.ports) {
      const rule = dropRule(port, this.gid, this.tag);
      await run('iptables', ['-w', '-I', ...rule]);
      this.inserted.push(rule);
    }
  }

  /** Deletes the rules this cut inserted; safe to call twice. */
  async restore(): Promise<void> {
    while (this.inserted.length > 0) {
      await run('iptables', ['-w', '-D', ...this.inserted[0]!]);
      this.inserted.shift();
    }
  }

  /** Restores and stops watching for the process's exit. */
  async dispose(): Promise<void> {
    process.off('exit', this.restoreOnExit);
    await this.restore();
  }

  private restoreSync(): void {
    for (const rule of this.inserted) {
      try {
        execFileSync('iptables', ['-w', '-D', ...rule], { stdio: 'ignore' });
      } catch {
        // Already gone, or no way left to delete it: nothing more to do at exit.
      }
    }
    this.inserted = [];
  }
}

/** An OUTPUT rule dropping what group `gid` sends to a loopback port, marked with `tag`. */
function dropRule(port: number, gid: number, tag: string): string[] {
  return ['OUTPUT', '-o', 'lo', '-p', 'tcp', '--dport', String(port), '-m', 'owner', '--gid-owner', String(gid), '-m', 'comment', '--comment', tag, '-j', 'DROP'];
}

/**
 * Why a LoopbackCut for `gid` cannot work here, or undefined when it can: it
 * needs iptables with the owner and comment matches, the right to change the
 * filter table (CAP_NET_ADMIN), and the right to start a process under `gid`
 * (CAP_SETGID). Tries each with a rule on the discard port that it deletes again.
 */
export async function cutUnavailableReason(gid: number): Promise<string | undefined> {
  const probe = dropRule(9, gid, 'xhub-test-probe');
  try {
    await run('iptables', ['-w', '-I', ...probe]);
  } catch (error) {
    return `cannot add an iptables rule (${explain(error)}); run the tests as root with iptables installed (apt-get install iptables)`;
  }
  try {
    await run('iptables', ['-w', '-D', ...probe]);
  } catch (error) {
    return `added an iptables probe rule but could not delete it (${explain(error)}); delete it by hand: iptables -D ${probe.join(' ')}`;
  }
  try {
    await run('setpriv', ['--regid', String(gid), '--clear-groups', '--', 'true']);
  } catch (error) {
    return `cannot start a process under group ${gid} with setpriv (${explain(error)}); run the tests as root (util-linux's setpriv)`;
  }
  return undefined;
}

function explain(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { stderr?: string };
  if (e.code === 'ENOENT') return `${e.path ?? 'the command'} is not installed`;
  return (e.stderr || e.message).trim().split('\n')[0] ?? String(error);
}

/**
 * C2SP tlog-checkpoint body (https://c2sp.org/tlog-checkpoint): origin, tree
 * size in decimal, root hash in standard base64, each on its own line.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

export function formatCheckpoint(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  const [origin, size, root] = lines;
  if (!origin || !size || !root || !/^(0|[1-9]\d*)$/.test(size)) throw new Error('malformed checkpoint');
  const hash = Buffer.from(root, 'base64');
  if (hash.length !== 32 || hash.toString('base64') !== root) throw new Error('malformed checkpoint root hash');
  return { origin, size: Number(size), root: hash };
}

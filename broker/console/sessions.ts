import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  id: string;
  /** Set once logged in; a pre-session (login form) has none. */
  user?: { name: string; agency: string };
  /** Synchroniser token: every form of this session carries it, every POST must. */
  csrf: string;
  lastSeen: number;
  lang: 'th' | 'en';
}

const token = () => randomBytes(32).toString('base64url');

/** Server-side sessions in memory (one audit node serves the console), ended after `idleMs` without a request. */
export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly idleMs: number;

  constructor(idleMs: number) {
    this.idleMs = idleMs;
  }

  /** The live session of a cookie value, touched; undefined when unknown or idle too long. */
  get(id: string | undefined, now: number): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (now - s.lastSeen > this.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  create(now: number, lang: Session['lang'], user?: Session['user']): Session {
    const s: Session = { id: token(), csrf: token(), lastSeen: now, lang, ...(user ? { user } : {}) };
    this.sessions.set(s.id, s);
    return s;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }
}

/** True when the form's token is the session's (constant time). */
export function csrfMatches(session: Session | undefined, sent: string | null): boolean {
  if (!session || !sent) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}

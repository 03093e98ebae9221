// Pieces every IO adapter shares: a malformed-message tally, and a connection opened once for
// however many sources and sinks use it (a board, a ROS 2 node).

import type { IoCounters } from './types.ts';

/** Counters plus the reason of the latest malformed message, logged at most once a second. */
export class Tally {
  readonly counters: IoCounters = { received: 0, dropped: 0, malformed: 0 };
  lastMalformed = '';
  private lastLogMs = -Infinity;

  /** `prefix` names the adapter (mqtt, ros2), `what` the topic or stream. */
  constructor(private readonly prefix: string, private readonly what: string, private readonly log: (line: string) => void) {}

  malformed(why: string): void {
    this.counters.malformed++;
    this.lastMalformed = why;
    const now = Date.now();
    if (now - this.lastLogMs >= 1000) {
      this.lastLogMs = now;
      this.log(`${this.prefix}: ${this.what}: malformed message dropped (${why}); ${this.counters.malformed} so far`);
    }
  }
}

/**
 * A connection shared by reference count: the first acquire() opens it, the last release() closes
 * it, and a failed open leaves it closed so the next acquire() tries again.
 */
export abstract class SharedSession {
  private users = 0;
  private opening: Promise<void> | null = null;

  protected abstract open(): Promise<void>;
  protected abstract close(): void;

  async acquire(): Promise<void> {
    this.users++;
    this.opening ??= this.open();
    try {
      await this.opening;
    } catch (e) {
      this.users--;
      this.opening = null;
      throw e;
    }
  }

  async release(): Promise<void> {
    if (this.users === 0 || --this.users > 0) return;
    await this.opening?.catch(() => undefined);
    this.opening = null;
    this.close();
  }

  /** Closes whoever still uses it (adapter `close()`). */
  closeAll(): void {
    this.users = 0;
    this.opening = null;
    this.close();
  }
}

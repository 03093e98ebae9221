// Named in-process topics (the gz-transport / ROS 2 pattern without the network): publishers
// call subscribers synchronously, in subscription order, inside the engine step, so delivery is
// deterministic. Publishing to a topic nobody listens to costs one map lookup; sensors check
// `hasSubscribers` first and skip building the message at all.

export type Callback<T> = (msg: T) => void;

interface TopicEntry {
  type: string;
  subs: Callback<unknown>[];
  published: number;
}

export interface TopicInfo {
  readonly name: string;
  readonly type: string;
  readonly subscribers: number;
  readonly published: number;
}

export class Bus {
  private readonly topics = new Map<string, TopicEntry>();

  private entry(name: string, type: string): TopicEntry {
    let e = this.topics.get(name);
    if (e === undefined) {
      e = { type, subs: [], published: 0 };
      this.topics.set(name, e);
    } else if (e.type === '' && type !== '') e.type = type;
    return e;
  }

  /** Declares a topic and its message type (so `list` shows it before anything is published). */
  advertise(name: string, type: string): void {
    this.entry(name, type);
  }

  /** Calls `cb` with every message published on `name`; returns the unsubscribe function. */
  subscribe<T>(name: string, cb: Callback<T>): () => void {
    const e = this.entry(name, '');
    const f = cb as Callback<unknown>;
    e.subs.push(f);
    return () => {
      const i = e.subs.indexOf(f);
      if (i >= 0) e.subs.splice(i, 1);
    };
  }

  hasSubscribers(name: string): boolean {
    const e = this.topics.get(name);
    return e !== undefined && e.subs.length > 0;
  }

  publish<T>(name: string, msg: T): void {
    const e = this.topics.get(name);
    if (e === undefined) return;
    e.published++;
    for (let i = 0; i < e.subs.length; i++) e.subs[i](msg);
  }

  /** Every topic, sorted by name (`lnn sim --topics`, like `gz topic -l`). */
  list(): TopicInfo[] {
    return [...this.topics.entries()]
      .map(([name, e]) => ({ name, type: e.type, subscribers: e.subs.length, published: e.published }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Zeroes the published counters (engine reset keeps subscriptions, as gz reset does). */
  resetCounters(): void {
    for (const e of this.topics.values()) e.published = 0;
  }
}

// The one rclnodejs node every part of the ROS 2 adapter shares. The first part to start loads
// rclnodejs (lazily: it must never load without ROS), calls `init`, creates node `lnn_edge`,
// declares its parameters (reading any `--ros-args -p` overrides) and spins it; the last to stop
// destroys the node and shuts rclnodejs down.

import { LnnError } from '../../errors.ts';
import { loadRclnodejs, PARAM, QOS, type RclModule, type RclNode, type RclOptions } from './api.ts';
import type { Ros2Config, Ros2Qos } from './options.ts';
import { SharedSession } from '../shared.ts';

/** Node parameters after overrides, converted once (house style 12). */
export interface Ros2Params {
  readonly robotId: string;
  readonly cruiseSpeedMps: number;
  readonly frameId: string;
  readonly statusPeriodS: number;
  /** route parameter (`inputs.<field>.topic`, `outputs.<field>.topic`) → topic in use. */
  readonly topics: ReadonlyMap<string, string>;
}

const PROFILES = { sensor_data: 'qos_profile_sensor_data', default: 'qos_profile_default', system_default: 'qos_profile_system_default' } as const;

export class Ros2Session extends SharedSession {
  private rcl: RclModule | null = null;
  private node_: RclNode | null = null;
  private params_: Ros2Params | null = null;

  constructor(readonly cfg: Ros2Config, private readonly load: () => RclModule | Promise<RclModule> = loadRclnodejs) { super(); }

  /** whether the node is up (created and spinning). */
  get connected(): boolean { return this.node_ !== null; }

  get node(): RclNode {
    if (this.node_ === null) throw new LnnError('LNN_E_INTERNAL', 'ROS 2 node used before start()');
    return this.node_;
  }

  get params(): Ros2Params {
    if (this.params_ === null) throw new LnnError('LNN_E_INTERNAL', 'ROS 2 parameters read before start()');
    return this.params_;
  }

  /** rclnodejs subscription/publisher options for a QoS choice. */
  options(q: Ros2Qos): RclOptions {
    if (typeof q === 'string') return { qos: PROFILES[q] };
    const rcl = this.rcl;
    if (rcl === null) throw new LnnError('LNN_E_INTERNAL', 'ROS 2 QoS built before start()');
    return { qos: new rcl.QoS(QOS.KEEP_LAST, q.depth, q.reliability === 'reliable' ? QOS.RELIABLE : QOS.BEST_EFFORT) };
  }

  protected async open(): Promise<void> {
    const { cfg } = this;
    const rcl = await this.load();
    try {
      const args = cfg.rosArgs.filter((a) => a !== '--ros-args');
      await rcl.init(undefined, args.length > 0 ? ['--ros-args', ...args] : []);
    } catch (e) {
      throw new LnnError('LNN_E_INSTALL', `rclnodejs.init failed (is ROS 2 sourced? see docs/ros2.md): ${(e as Error).message}`);
    }
    this.rcl = rcl;
    let node: RclNode;
    try {
      node = rcl.createNode(cfg.nodeName, cfg.namespace);
    } catch (e) {
      this.shutdown();
      throw new LnnError('LNN_E_USAGE', `cannot create ROS 2 node ${cfg.nodeName}: ${(e as Error).message}`, { field: 'ros2.nodeName' });
    }
    try {
      this.params_ = this.declare(rcl, node);
    } catch (e) {
      node.destroy();
      this.shutdown();
      throw e;
    }
    this.node_ = node;
    node.spin();
    cfg.log(`ros2: node ${cfg.namespace}/${cfg.nodeName} up`);
  }

  private declare(rcl: RclModule, node: RclNode): Ros2Params {
    const str = (name: string, dflt: string): string => {
      const v = this.param(rcl, node, name, PARAM.STRING, dflt);
      if (typeof v !== 'string') throw new LnnError('LNN_E_USAGE', `parameter ${name} must be a string`, { field: `ros2.${name}` });
      return v;
    };
    const dbl = (name: string, dflt: number, min: number, max: number): number => {
      const v = this.param(rcl, node, name, PARAM.DOUBLE, dflt);
      if (typeof v !== 'number' || !(v >= min && v <= max)) throw new LnnError('LNN_E_USAGE', `parameter ${name} must be a number in [${min}, ${max}], got ${String(v)}`, { field: `ros2.${name}` });
      return v;
    };
    const { cfg } = this;
    const topics = new Map<string, string>();
    for (const r of [...cfg.inputs, ...cfg.outputs]) {
      const t = str(r.param, r.topic);
      topics.set(r.param, t);
    }
    return {
      robotId: str('robot_id', cfg.robotId),
      cruiseSpeedMps: dbl('cruise_speed', cfg.cruiseSpeedMps, -1e6, 1e6),
      frameId: str('frame_id', cfg.frameId),
      statusPeriodS: dbl('status_period', cfg.statusPeriodS, 0.05, 3600),
      topics,
    };
  }

  /** Declares one parameter (launch overrides win) and returns its value. */
  private param(rcl: RclModule, node: RclNode, name: string, type: (typeof PARAM)[keyof typeof PARAM], dflt: unknown): unknown {
    try {
      node.declareParameter(new rcl.Parameter(name, type, dflt));
      return node.getParameter(name).value as unknown;
    } catch (e) {
      throw new LnnError('LNN_E_USAGE', `parameter ${name}: ${(e as Error).message}`, { field: `ros2.${name}` });
    }
  }

  protected close(): void {
    const node = this.node_;
    this.node_ = null;
    if (node !== null) {
      try { node.destroy(); } catch { /* already gone */ }
      this.cfg.log(`ros2: node ${this.cfg.nodeName} destroyed`);
    }
    this.shutdown();
  }

  private shutdown(): void {
    const rcl = this.rcl;
    this.rcl = null;
    try { rcl?.shutdown(); } catch { /* already shut down */ }
  }
}

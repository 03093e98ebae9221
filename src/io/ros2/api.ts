// The slice of rclnodejs's published API the ROS 2 adapter uses, and its lazy loader.
//
// rclnodejs needs a sourced ROS 2 install: requiring it elsewhere tries to compile it and throws, so
// it is only ever imported here, inside `loadRclnodejs()`, when the adapter starts (DESIGN.md §2).
// The types come from rclnodejs's own d.ts (a devDependency installed with --ignore-scripts) plus
// types/rclnodejs-interfaces.d.ts, the stand-in for the message typings ROS generates at install.
// Tests inject an in-process fake of exactly this slice through `Ros2Options.rcl`.

/// <reference path="../../../types/rclnodejs-interfaces.d.ts" />
import type * as Rcl from 'rclnodejs';
import { LnnError } from '../../errors.ts';

/** The message types the adapter reads or writes (keys of the generated MessagesMap). */
export type MsgTypeName = Rcl.MessageTypeClassName;

/** rclnodejs `Options`: a QoS object or a profile name such as `qos_profile_sensor_data`. */
export interface RclOptions {
  qos?: Rcl.QoS | string;
}

export interface RclPublisher {
  publish(message: object): void;
}

/** `rclnodejs.Node` as the adapter uses it (checked against the real class below). */
export interface RclNode {
  createSubscription(typeClass: MsgTypeName, topic: string, options: RclOptions, callback: (message: never) => void): unknown;
  createPublisher(typeClass: MsgTypeName, topic: string, options?: RclOptions): RclPublisher;
  declareParameter(parameter: Rcl.Parameter, descriptor?: Rcl.ParameterDescriptor, ignoreOverride?: boolean): Rcl.Parameter;
  getParameter(name: string): Rcl.Parameter;
  spin(timeout?: number): void;
  destroy(): void;
}

/** The module as the adapter uses it: `import('rclnodejs')` satisfies this (checked below). */
export interface RclModule {
  init(context?: Rcl.Context, argv?: string[]): Promise<void>;
  createNode(nodeName: string, namespace?: string): RclNode;
  shutdown(): void;
  Parameter: new (name: string, type: Rcl.ParameterType, value?: unknown) => Rcl.Parameter;
  QoS: new (history?: Rcl.QoS.HistoryPolicy, depth?: number, reliability?: Rcl.QoS.ReliabilityPolicy) => Rcl.QoS;
}

// Compile-time proof that the published API fits the slice: if rclnodejs changes a signature we
// use, these lines stop type-checking.
type Fits<A, B> = A extends B ? true : false;
const nodeFits: Fits<Rcl.Node, RclNode> = true;
const moduleFits: Fits<Pick<typeof Rcl, 'init' | 'shutdown' | 'Parameter' | 'QoS'> & { createNode(n: string, ns?: string): Rcl.Node }, RclModule> = true;
void nodeFits; void moduleFits;

/** rclnodejs's ParameterType values (a `const enum` in its d.ts, so not importable as a value). */
export const PARAM = { STRING: 4, DOUBLE: 3 } as const satisfies Record<string, Rcl.ParameterType>;
/** rclnodejs's QoS.HistoryPolicy.KEEP_LAST and ReliabilityPolicy values. */
export const QOS = { KEEP_LAST: 1, RELIABLE: 1, BEST_EFFORT: 2 } as const;

export const ROS2_DOC = 'docs/ros2.md';

/** Loads rclnodejs on first use; a missing package or an unsourced ROS gives LNN_E_INSTALL. */
export async function loadRclnodejs(): Promise<RclModule> {
  let mod: { default?: unknown };
  try {
    mod = (await import('rclnodejs')) as { default?: unknown };
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new LnnError('LNN_E_INSTALL',
      `the ROS 2 adapter needs the optional package "rclnodejs" and a sourced ROS 2 (Humble or Jazzy): ` +
      `source /opt/ros/<distro>/setup.bash, then npm install rclnodejs; see ${ROS2_DOC} (${why})`);
  }
  return (mod.default ?? mod) as RclModule;
}

// Plugins a world file can name without code: `odometry_publisher` publishes a vehicle's true
// pose and twist as nav_msgs/Odometry on `<vehicle>/odom` at `rate_hz` (gz's OdometryPublisher).

import { asNumber, asString, has, onlyKeys, Where } from '../../src/models/json-read.ts';
import { quaternionZYX } from '../core/math.ts';
import { makeHeader, MSG_TYPES, setStamp, type Odometry } from './msgs.ts';
import { registerPlugin, PRIORITY, type SimPlugin } from './plugin.ts';

registerPlugin('odometry_publisher', (spec, sim) => {
  const w = new Where(sim.world.source, `plugins.${spec.name}.params`);
  onlyKeys(spec.params, ['vehicle', 'rate_hz'], w);
  const vehicle = sim.vehicle(has(spec.params, 'vehicle') ? asString(spec.params.vehicle, w.key('vehicle')) : sim.vehicles[0]?.name ?? '');
  const rateHz = has(spec.params, 'rate_hz') ? asNumber(spec.params.rate_hz, w.key('rate_hz'), { above: 0, max: sim.rateHz }) : 50;
  const topic = `${vehicle.name}/odom`;
  sim.bus.advertise(topic, MSG_TYPES.odometry);
  const msg: Odometry = {
    header: makeHeader('world'), child_frame_id: vehicle.name,
    pose: { pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } },
    twist: { twist: { linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } } },
  };
  const plugin: SimPlugin = {
    name: spec.name,
    postStep(s) {
      const r = rateHz / s.rateHz;
      if (Math.floor(s.tick * r) === Math.floor((s.tick - 1) * r) || !s.bus.hasSubscribers(topic)) return;
      const b = vehicle.body, p = msg.pose.pose, t = msg.twist.twist;
      setStamp(msg.header, s.timeS);
      p.position.x = b.xM; p.position.y = b.yM; p.position.z = b.zM;
      quaternionZYX(b.yawRad, b.pitchRad, b.rollRad, p.orientation);
      // REP 105: odometry twist is in the child (body) frame
      const c = Math.cos(b.yawRad), sn = Math.sin(b.yawRad);
      t.linear.x = c * b.vxMps + sn * b.vyMps; t.linear.y = -sn * b.vxMps + c * b.vyMps; t.linear.z = b.vzMps;
      t.angular.x = b.wxRadS; t.angular.y = b.wyRadS; t.angular.z = b.wzRadS;
      s.bus.publish(topic, msg);
    },
  };
  return plugin;
}, PRIORITY.monitor);

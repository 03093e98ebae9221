// Messages on the simulator's topics, with the field names of their ROS 2 counterparts so the
// sim, the MCAP recorder and the ROS 2 adapter share one vocabulary. Sensors preallocate one
// message each and update it in place (like a ROS 2 loaned message): a subscriber that keeps
// data past its callback must copy it.

export interface Time { sec: number; nanosec: number }
export interface Header { stamp: Time; frame_id: string }
export interface Vector3 { x: number; y: number; z: number }
export interface Quaternion { x: number; y: number; z: number; w: number }

/** sensor_msgs/msg/Image. Cameras publish `32FC1` (intensity in [0, 1] or depth in metres), little-endian. */
export interface Image {
  header: Header;
  height: number;
  width: number;
  encoding: string;
  is_bigendian: number;
  /** bytes per row */
  step: number;
  /** a byte view of the float pixels (zero copy) */
  data: Uint8Array;
}

/** sensor_msgs/msg/Imu */
export interface Imu {
  header: Header;
  orientation: Quaternion;
  orientation_covariance: Float64Array;
  angular_velocity: Vector3;
  angular_velocity_covariance: Float64Array;
  linear_acceleration: Vector3;
  linear_acceleration_covariance: Float64Array;
}

/** sensor_msgs/msg/NavSatStatus + NavSatFix */
export interface NavSatFix {
  header: Header;
  status: { status: number; service: number };
  latitude: number;
  longitude: number;
  altitude: number;
  position_covariance: Float64Array;
  position_covariance_type: number;
}

/** sensor_msgs/msg/LaserScan */
export interface LaserScan {
  header: Header;
  angle_min: number;
  angle_max: number;
  angle_increment: number;
  time_increment: number;
  scan_time: number;
  range_min: number;
  range_max: number;
  ranges: Float32Array;
  intensities: Float32Array;
}

/** geometry_msgs/msg/Twist */
export interface Twist { linear: Vector3; angular: Vector3 }

/** nav_msgs/msg/Odometry (covariances omitted: ground truth) */
export interface Odometry {
  header: Header;
  child_frame_id: string;
  pose: { pose: { position: Vector3; orientation: Quaternion } };
  twist: { twist: Twist };
}

/**
 * lnn_msgs/msg/LaneFeatures (ours: ROS has no standard message for it). Errors are measured at
 * the sensor's mount point; cross_track_error > 0 means left of the lane centre (REP 103).
 */
export interface LaneFeatures {
  header: Header;
  cross_track_error: number;
  heading_error: number;
  lane_width: number;
  /** (k) metres ahead along the track */
  lookahead: Float32Array;
  /** (k) 1/m at those distances, > 0 turning left */
  curvature: Float32Array;
}

/** A reduced ros_gz_interfaces/msg/Contacts: whether the vehicle touches anything, and what. */
export interface Contacts {
  header: Header;
  in_contact: boolean;
  /** name of the first body touched, '' when none */
  collision: string;
}

export const MSG_TYPES = {
  image: 'sensor_msgs/msg/Image',
  imu: 'sensor_msgs/msg/Imu',
  navsat: 'sensor_msgs/msg/NavSatFix',
  scan: 'sensor_msgs/msg/LaserScan',
  twist: 'geometry_msgs/msg/Twist',
  odometry: 'nav_msgs/msg/Odometry',
  lane: 'lnn_msgs/msg/LaneFeatures',
  contacts: 'ros_gz_interfaces/msg/Contacts',
} as const;

export function makeHeader(frameId: string): Header {
  return { stamp: { sec: 0, nanosec: 0 }, frame_id: frameId };
}

/** Writes a sim time in seconds as builtin_interfaces/Time. */
export function setStamp(h: Header, timeS: number): void {
  let sec = Math.floor(timeS);
  let nanosec = Math.round((timeS - sec) * 1e9);
  if (nanosec >= 1e9) { sec += 1; nanosec -= 1e9; }
  h.stamp.sec = sec;
  h.stamp.nanosec = nanosec;
}

export function stampSeconds(h: Header): number {
  return h.stamp.sec + h.stamp.nanosec * 1e-9;
}

export function makeTwist(): Twist {
  return { linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } };
}

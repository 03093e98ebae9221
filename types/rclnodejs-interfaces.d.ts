// Stand-in for rclnodejs's generated `types/interfaces.d.ts` (ROS 2 is not installable on the project's
// machines, so its postinstall generator never runs; docs/ros2.md). Same shape as rclnodejs's
// rostsd_gen output, reduced to the message types src/io/ros2 uses. On a robot with ROS sourced the
// generated file declares the same names; `skipLibCheck` keeps the two from being compared.

declare module 'rclnodejs' {
  namespace builtin_interfaces {
    namespace msg {
      export interface Time { sec: number; nanosec: number }
    }
  }
  namespace std_msgs {
    namespace msg {
      export interface Header { stamp: builtin_interfaces.msg.Time; frame_id: string }
      export interface String { data: string }
      export interface Float32 { data: number }
      export interface Float64 { data: number }
      export interface MultiArrayDimension { label: string; size: number; stride: number }
      export interface MultiArrayLayout { dim: MultiArrayDimension[]; data_offset: number }
      export interface Float32MultiArray { layout: MultiArrayLayout; data: number[] | Float32Array }
      export interface Float64MultiArray { layout: MultiArrayLayout; data: number[] | Float64Array }
      export interface StringConstructor { new (other?: String): String }
      export interface Float32Constructor { new (other?: Float32): Float32 }
      export interface Float64Constructor { new (other?: Float64): Float64 }
      export interface Float32MultiArrayConstructor { new (other?: Float32MultiArray): Float32MultiArray }
      export interface Float64MultiArrayConstructor { new (other?: Float64MultiArray): Float64MultiArray }
    }
  }
  namespace geometry_msgs {
    namespace msg {
      export interface Vector3 { x: number; y: number; z: number }
      export interface Quaternion { x: number; y: number; z: number; w: number }
      export interface Twist { linear: Vector3; angular: Vector3 }
      export interface TwistStamped { header: std_msgs.msg.Header; twist: Twist }
      export interface TwistConstructor { new (other?: Twist): Twist }
      export interface TwistStampedConstructor { new (other?: TwistStamped): TwistStamped }
    }
  }
  namespace sensor_msgs {
    namespace msg {
      export interface Imu {
        header: std_msgs.msg.Header;
        orientation: geometry_msgs.msg.Quaternion;
        orientation_covariance: number[] | Float64Array;
        angular_velocity: geometry_msgs.msg.Vector3;
        angular_velocity_covariance: number[] | Float64Array;
        linear_acceleration: geometry_msgs.msg.Vector3;
        linear_acceleration_covariance: number[] | Float64Array;
      }
      export interface LaserScan {
        header: std_msgs.msg.Header;
        angle_min: number; angle_max: number; angle_increment: number;
        time_increment: number; scan_time: number;
        range_min: number; range_max: number;
        ranges: number[] | Float32Array;
        intensities: number[] | Float32Array;
      }
      export interface ImuConstructor { new (other?: Imu): Imu }
      export interface LaserScanConstructor { new (other?: LaserScan): LaserScan }
    }
  }
  // The parameter messages rclnodejs's own d.ts refers to.
  namespace rcl_interfaces {
    namespace msg {
      export interface ParameterValue {
        type: number; bool_value: boolean; integer_value: bigint; double_value: number; string_value: string;
        byte_array_value: number[]; bool_array_value: boolean[]; integer_array_value: bigint[];
        double_array_value: number[]; string_array_value: string[];
      }
      export interface Parameter { name: string; value: ParameterValue }
      export interface FloatingPointRange { from_value: number; to_value: number; step: number }
      export interface IntegerRange { from_value: bigint; to_value: bigint; step: bigint }
      export interface ParameterDescriptor {
        name: string; type: number; description: string; additional_constraints: string; read_only: boolean;
        dynamic_typing: boolean; floating_point_range: FloatingPointRange[]; integer_range: IntegerRange[];
      }
      export interface SetParametersResult { successful: boolean; reason: string }
    }
  }
  namespace unique_identifier_msgs {
    namespace msg {
      export interface UUID { uuid: number[] | Uint8Array }
    }
  }
  namespace action_msgs {
    namespace srv {
      export interface CancelGoal_Response { return_code: number; goals_canceling: object[] }
    }
  }

  type MessagesMap = {
    'builtin_interfaces/msg/Time': builtin_interfaces.msg.Time,
    'std_msgs/msg/Header': std_msgs.msg.Header,
    'std_msgs/msg/String': std_msgs.msg.String,
    'std_msgs/msg/Float32': std_msgs.msg.Float32,
    'std_msgs/msg/Float64': std_msgs.msg.Float64,
    'std_msgs/msg/Float32MultiArray': std_msgs.msg.Float32MultiArray,
    'std_msgs/msg/Float64MultiArray': std_msgs.msg.Float64MultiArray,
    'geometry_msgs/msg/Vector3': geometry_msgs.msg.Vector3,
    'geometry_msgs/msg/Quaternion': geometry_msgs.msg.Quaternion,
    'geometry_msgs/msg/Twist': geometry_msgs.msg.Twist,
    'geometry_msgs/msg/TwistStamped': geometry_msgs.msg.TwistStamped,
    'sensor_msgs/msg/Imu': sensor_msgs.msg.Imu,
    'sensor_msgs/msg/LaserScan': sensor_msgs.msg.LaserScan,
  };
  type MessageTypeClassName = keyof MessagesMap;
  type Message = MessagesMap[MessageTypeClassName];
  type MessageType<T> = T extends MessageTypeClassName ? MessagesMap[T] : T extends new (...args: any[]) => infer R ? R : object;
  type MessageTypeClassConstructorMap = {
    'std_msgs/msg/String': std_msgs.msg.StringConstructor,
    'std_msgs/msg/Float32': std_msgs.msg.Float32Constructor,
    'std_msgs/msg/Float64': std_msgs.msg.Float64Constructor,
    'std_msgs/msg/Float32MultiArray': std_msgs.msg.Float32MultiArrayConstructor,
    'std_msgs/msg/Float64MultiArray': std_msgs.msg.Float64MultiArrayConstructor,
    'geometry_msgs/msg/Twist': geometry_msgs.msg.TwistConstructor,
    'geometry_msgs/msg/TwistStamped': geometry_msgs.msg.TwistStampedConstructor,
    'sensor_msgs/msg/Imu': sensor_msgs.msg.ImuConstructor,
    'sensor_msgs/msg/LaserScan': sensor_msgs.msg.LaserScanConstructor,
  };
  type MessageConstructorType<T> = T extends keyof MessageTypeClassConstructorMap ? MessageTypeClassConstructorMap[T] : object;
  type ServicesMap = {};
  type ServiceTypeClassName = keyof ServicesMap;
  type Service = ServicesMap[ServiceTypeClassName];
  type ServiceType<T> = T extends ServiceTypeClassName ? ServicesMap[T] : T extends { Request: any; Response: any } ? T : object;
  type ActionsMap = {};
  type ActionTypeClassName = keyof ActionsMap;
  type Action = ActionsMap[ActionTypeClassName];
  type ActionType<T> = T extends ActionTypeClassName ? ActionsMap[T] : T extends { Goal: any; Feedback: any; Result: any } ? T : object;
  type TypeClassName = MessageTypeClassName | ServiceTypeClassName | ActionTypeClassName;
  type InterfaceType<T> = T extends TypeClassName ? (MessageTypeClassConstructorMap & ServicesMap & ActionsMap)[T] : object;
}
